// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/TenantSpec.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace tenantry {

// Reads the control plane's tenant table. Works on the runtime connection (it may SELECT
// tenantry_control.tenants) and on the owner's.
class TenantRegistry {
public:
    explicit TenantRegistry(QSqlDatabase db);

    QList<Tenant> list(QString *error) const;
    std::optional<Tenant> findById(const QUuid &id, QString *error) const;
    std::optional<Tenant> findBySlug(const QString &slug, QString *error) const;
    // Accepts a UUID or a slug, as the token endpoint does.
    std::optional<Tenant> find(const QString &idOrSlug, QString *error) const;

private:
    std::optional<Tenant> findOne(const QString &where, const QVariant &value,
                                  QString *error) const;
    QSqlDatabase m_db;
};

} // namespace tenantry
