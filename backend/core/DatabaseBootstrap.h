// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ConnectionSettings.h"
#include "core/DatabaseRoles.h"
#include "core/EmbeddedPostgres.h"
#include "core/Migrator.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace tenantry {

// Everything between "tenantry-server was started" and "there is a migrated database and a
// runtime role to serve through": starts the embedded cluster when no URL is given, creates the
// roles, runs migrations, and works out how the runtime role logs in.
class DatabaseBootstrap {
public:
    struct Options {
        QString databaseUrl;        // administrative URL; empty = embedded cluster
        QString runtimeDatabaseUrl; // operator-supplied runtime role; empty = managed by us
        QString dataDir;
        bool migrateControl = true;
        bool migrateTenants = true;
    };

    DatabaseBootstrap();
    ~DatabaseBootstrap();

    bool prepare(const Options &options, QString *error, const Migrator::Progress &progress = {});

    // The administrative connection, opened in the calling thread (the main thread).
    QSqlDatabase admin();
    ConnectionSettings adminSettings() const { return m_admin; }
    ConnectionSettings runtimeSettings() const { return m_runtime; }
    RoleNames roles() const { return m_roles; }
    bool embedded() const { return bool(m_embedded); }

    // Closes the admin connection (serving needs only the runtime role).
    void closeAdmin();
    // Closes connections and stops the embedded cluster if we are its last user.
    void shutdown();

private:
    std::unique_ptr<EmbeddedPostgres> m_embedded;
    ConnectionSettings m_admin;
    ConnectionSettings m_runtime;
    RoleNames m_roles;
    QString m_adminName;
};

} // namespace tenantry
