// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/DatabaseRoles.h"

#include "core/SqlSupport.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlQuery>

namespace tenantry {

RoleNames RoleNames::forDatabase(const QString &database) {
    QString base = database.toLower();
    static const QRegularExpression bad(QStringLiteral("[^a-z0-9_]"));
    base.replace(bad, QStringLiteral("_"));
    if (base.isEmpty() || !base.at(0).isLetter())
        base.prepend(QStringLiteral("t_"));
    base = base.left(40);
    return {base + QStringLiteral("_owner"), base + QStringLiteral("_app")};
}

namespace {

bool roleExists(QSqlDatabase &db, const QString &role, bool *exists, QString *error) {
    QSqlQuery q(db);
    if (!sql::exec(q, QStringLiteral("SELECT 1 FROM pg_roles WHERE rolname = ?"), {role}, error))
        return false;
    *exists = q.next();
    return true;
}

bool createRole(QSqlDatabase &db, const QString &role, const QString &attributes, QString *error) {
    bool exists = false;
    if (!roleExists(db, role, &exists, error))
        return false;
    // An existing role is left as it is: ALTER ROLE ... NOSUPERUSER needs a superuser, and the
    // runtime role's attributes are checked before serving anyway (runtimeRoleProblems).
    if (exists)
        return true;
    QString e;
    if (sql::exec(db, QStringLiteral("CREATE ROLE ") + sql::quoteIdent(role) + u' ' + attributes,
                  &e))
        return true;
    // Two servers bootstrapping at once: the other one created it first.
    if (e.contains(QStringLiteral("already exists")))
        return true;
    *error = e;
    return false;
}

} // namespace

bool DatabaseRoles::bootstrap(QSqlDatabase &admin, const RoleNames &roles, QString *error) {
    QSqlQuery q(admin);
    if (!q.exec(QStringLiteral("SELECT current_user, current_database(), rolsuper FROM pg_roles "
                               "WHERE rolname = current_user")) ||
        !q.next()) {
        *error = q.lastError().databaseText();
        return false;
    }
    const QString adminRole = q.value(0).toString();
    const QString database = q.value(1).toString();
    const bool superuser = q.value(2).toBool();
    q.finish();

    // Serialise concurrent bootstraps of the same database (two servers starting together).
    if (!sql::exec(admin, QStringLiteral("SELECT pg_advisory_lock(hashtext('tenantry.bootstrap'))"),
                   error))
        return false;
    const auto unlock = qScopeGuard([&admin] {
        QString ignored;
        sql::exec(admin,
                  QStringLiteral("SELECT pg_advisory_unlock(hashtext('tenantry.bootstrap'))"),
                  &ignored);
    });

    if (!createRole(admin, roles.owner,
                    QStringLiteral("NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"),
                    error) ||
        !createRole(admin, roles.runtime,
                    QStringLiteral("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS "
                                   "NOINHERIT NOREPLICATION"),
                    error))
        return false;
    const QString db = sql::quoteIdent(database);
    const QString owner = sql::quoteIdent(roles.owner);
    const QString runtime = sql::quoteIdent(roles.runtime);
    if (!superuser && !sql::exec(admin,
                                 QStringLiteral("GRANT ") + owner + QStringLiteral(" TO ") +
                                     sql::quoteIdent(adminRole),
                                 error))
        return false;
    return sql::exec(admin,
                     QStringLiteral("GRANT CREATE, CONNECT ON DATABASE ") + db +
                         QStringLiteral(" TO ") + owner,
                     error) &&
           sql::exec(admin,
                     QStringLiteral("GRANT CONNECT ON DATABASE ") + db + QStringLiteral(" TO ") +
                         runtime,
                     error) &&
           // citext for e-mail addresses; trusted extension, lives in public so operators resolve.
           sql::exec(admin,
                     QStringLiteral("CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public"),
                     error);
}

bool DatabaseRoles::runtimePassword(QSqlDatabase &admin, const RoleNames &roles, QString *password,
                                    QString *error) {
    QSqlQuery q(admin);
    if (!sql::exec(q,
                   QStringLiteral("SELECT secret FROM tenantry_control.runtime_credentials "
                                  "WHERE role_name = ?"),
                   {roles.runtime}, error))
        return false;
    if (q.next()) {
        *password = q.value(0).toString();
    } else {
        QByteArray raw(32, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()),
                                              raw.size() / 4);
        *password = QString::fromLatin1(
            raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        QSqlQuery ins(admin);
        if (!sql::exec(ins,
                       QStringLiteral("INSERT INTO tenantry_control.runtime_credentials "
                                      "(role_name, secret) VALUES (?, ?) ON CONFLICT "
                                      "(role_name) DO NOTHING"),
                       {roles.runtime, *password}, error))
            return false;
        // Re-read: a concurrent first start may have stored its own.
        QSqlQuery again(admin);
        if (!sql::exec(again,
                       QStringLiteral("SELECT secret FROM tenantry_control.runtime_credentials "
                                      "WHERE role_name = ?"),
                       {roles.runtime}, error) ||
            !again.next())
            return false;
        *password = again.value(0).toString();
    }
    // Serialised with other starting servers: concurrent ALTER ROLE on one role fails with
    // "tuple concurrently updated" (and PostgreSQL would log the statement, secret included).
    if (!sql::exec(admin, QStringLiteral("SELECT pg_advisory_lock(hashtext('tenantry.bootstrap'))"),
                   error))
        return false;
    const auto unlock = qScopeGuard([&admin] {
        QString ignored;
        sql::exec(admin,
                  QStringLiteral("SELECT pg_advisory_unlock(hashtext('tenantry.bootstrap'))"),
                  &ignored);
    });
    // ALTER ROLE cannot take parameters; the secret is base64url, so quoting is exact.
    return sql::exec(admin,
                     QStringLiteral("ALTER ROLE ") + sql::quoteIdent(roles.runtime) +
                         QStringLiteral(" WITH LOGIN PASSWORD ") + sql::quoteLiteral(*password),
                     error);
}

QStringList DatabaseRoles::runtimeRoleProblems(QSqlDatabase &db, const QString &role,
                                               QString *error) {
    QStringList problems;
    QSqlQuery q(db);
    if (!sql::exec(q,
                   QStringLiteral("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ?"),
                   {role}, error))
        return {QStringLiteral("cannot inspect role")};
    if (!q.next())
        return {QStringLiteral("role %1 does not exist").arg(role)};
    if (q.value(0).toBool())
        problems << QStringLiteral("role %1 is a superuser").arg(role);
    if (q.value(1).toBool())
        problems << QStringLiteral("role %1 can bypass row-level security").arg(role);
    q.finish();
    QSqlQuery owned(db);
    if (!sql::exec(owned,
                   QStringLiteral(
                       "SELECT 'relation ' || c.oid::regclass::text FROM pg_class c "
                       "JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = ? "
                       "UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p "
                       "JOIN pg_roles r ON r.oid = p.proowner WHERE r.rolname = ? "
                       "UNION ALL SELECT 'schema ' || n.nspname FROM pg_namespace n "
                       "JOIN pg_roles r ON r.oid = n.nspowner WHERE r.rolname = ?"),
                   {role, role, role}, error))
        return {QStringLiteral("cannot inspect ownership")};
    while (owned.next())
        problems << QStringLiteral("role %1 owns %2").arg(role, owned.value(0).toString());
    return problems;
}

} // namespace tenantry
