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

    // Changes a tenant's lifecycle status and/or rate limits at runtime (no restart: servers
    // pick it up within their tenant cache time). Empty/negative values leave a field alone;
    // a limit of 0 returns to the tier's default.
    struct Update {
        QString status;
        int rateLimitRps = -1;
        int rateLimitBurst = -1;
    };
    std::optional<Tenant> update(const QString &idOrSlug, const Update &update, QString *error);

private:
    QSqlDatabase m_db;
    RoleNames m_roles;
};

} // namespace tenantry
