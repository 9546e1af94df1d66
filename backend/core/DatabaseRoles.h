// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ConnectionSettings.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace tenantry {

// The two roles Tenantry uses inside its database: an owner that runs migrations and owns every
// object, and a runtime role that serves requests, owns nothing and is subject to row-level
// security. Both are named after the database so several Tenantry databases can share a cluster.
struct RoleNames {
    QString owner;
    QString runtime;
    static RoleNames forDatabase(const QString &database);
};

class DatabaseRoles {
public:
    // With an administrative connection (superuser, or CREATEROLE and owner of the database):
    // creates the roles if missing, lets the admin act as the owner, installs the extensions the
    // schema needs, and gives the runtime role a login. Idempotent and safe to run concurrently.
    static bool bootstrap(QSqlDatabase &admin, const RoleNames &roles, QString *error);

    // The runtime role's password, kept in the control schema so that every server process on
    // this database uses the same one. Created on first use. Needs the admin connection after
    // migrations ran.
    static bool runtimePassword(QSqlDatabase &admin, const RoleNames &roles, QString *password,
                                QString *error);

    // Refuses a runtime role that could escape isolation: superuser, BYPASSRLS, or owning any
    // table, view, sequence, function or schema. Returns the problems found (empty = fine).
    static QStringList runtimeRoleProblems(QSqlDatabase &db, const QString &role, QString *error);
};

} // namespace tenantry
