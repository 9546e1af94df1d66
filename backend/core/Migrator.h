// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/DatabaseRoles.h"

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace tenantry {

Q_DECLARE_LOGGING_CATEGORY(lcMigrations)

// Versioned SQL migrations from resources/migrations/{control,tenant}/NNNN_name.sql.
// Control migrations run once per database; tenant migrations run once per tenant schema
// (tenant_<uuid hex>). Everything runs as the owner role, so the runtime role owns nothing.
// Migrations take advisory/row locks, so two processes migrating at once do not collide.
class Migrator {
public:
    using Progress = std::function<void(const QString &line)>;

    struct Migration {
        int version = 0;
        QString name;
        QString script;
    };

    Migrator(QSqlDatabase admin, RoleNames roles);

    bool migrateControl(QString *error, const Progress &progress = {});
    // Applies pending tenant migrations to every tenant schema (one transaction per tenant).
    bool migrateTenants(QString *error, const Progress &progress = {});
    // Applies tenant migrations after `fromVersion` to `schema`, inside the caller's transaction
    // (the owner role must be current). Used by provisioning and by migrateTenants.
    bool applyTenantMigrations(const QString &tenantId, const QString &schema, int fromVersion,
                               QString *error);

    static QList<Migration> controlMigrations();
    static QList<Migration> tenantMigrations();
    static int latestControlVersion();
    static int latestTenantVersion();

    // Current control schema version, or -1 when the schema is missing.
    static int controlVersion(QSqlDatabase &db, QString *error);

private:
    QString render(const QString &script, const QString &schema = {},
                   const QString &tenantId = {}) const;
    bool runScript(const QString &script, QString *error);

    QSqlDatabase m_db;
    RoleNames m_roles;
};

} // namespace tenantry
