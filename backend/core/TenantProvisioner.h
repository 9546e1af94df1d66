// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/DatabaseRoles.h"
#include "core/TenantSpec.h"

#include <QLoggingCategory>
#include <QSqlDatabase>

#include <optional>

namespace tenantry {

Q_DECLARE_LOGGING_CATEGORY(lcProvisioning)

// Creates tenants: registry row, schema, tables (tenant migrations), grants, default settings and
// the first owner, all in one transaction, so a failure leaves nothing behind. Idempotent on
// slug: asking again for an existing slug returns that tenant unchanged.
class TenantProvisioner {
public:
    // `admin` must be an administrative connection (it switches to the owner role itself).
    TenantProvisioner(QSqlDatabase admin, RoleNames roles);

    struct Result {
        Tenant tenant;
        bool created = false;
        QString ownerUserId;
    };

    // `spec` must already be normalised. Returns nullopt with `error` set on failure.
    std::optional<Result> create(const TenantSpec &spec, QString *error);

private:
    QSqlDatabase m_db;
    RoleNames m_roles;
};

} // namespace tenantry
