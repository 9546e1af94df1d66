// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Migrator.h"

#include "core/SqlSupport.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlQuery>

// The migrations live in a static library's resources; make sure the linker keeps them.
static void initMigrationResources() {
    Q_INIT_RESOURCE(migrations);
}

namespace tenantry {

Q_LOGGING_CATEGORY(lcMigrations, "tenantry.migrations")

namespace {

QList<Migrator::Migration> load(const QString &dir) {
    initMigrationResources();
    static const QRegularExpression pattern(QStringLiteral("^(\\d{4})_([a-z0-9_]+)\\.sql$"));
    QList<Migrator::Migration> out;
    const QStringList files =
        QDir(dir).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto m = pattern.match(file);
        if (!m.hasMatch())
            qFatal("migration file %s does not match NNNN_name.sql", qPrintable(file));
        QFile f(dir + u'/' + file);
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot read migration %s", qPrintable(file));
        out.append({m.captured(1).toInt(), m.captured(2), QString::fromUtf8(f.readAll())});
    }
    return out;
}

} // namespace

Migrator::Migrator(QSqlDatabase admin, RoleNames roles)
    : m_db(std::move(admin))
    , m_roles(std::move(roles)) {}

QList<Migrator::Migration> Migrator::controlMigrations() {
    static const QList<Migration> list = load(QStringLiteral(":/migrations/control"));
    return list;
}

QList<Migrator::Migration> Migrator::tenantMigrations() {
    static const QList<Migration> list = load(QStringLiteral(":/migrations/tenant"));
    return list;
}

int Migrator::latestControlVersion() {
    const auto list = controlMigrations();
    return list.isEmpty() ? 0 : list.last().version;
}

int Migrator::latestTenantVersion() {
    const auto list = tenantMigrations();
    return list.isEmpty() ? 0 : list.last().version;
}

QString Migrator::render(const QString &script, const QString &schema,
                         const QString &tenantId) const {
    QString out = script;
    out.replace(QStringLiteral("{{owner}}"), sql::quoteIdent(m_roles.owner));
    out.replace(QStringLiteral("{{runtime}}"), sql::quoteIdent(m_roles.runtime));
    if (!schema.isEmpty())
        out.replace(QStringLiteral("{{schema}}"), sql::quoteIdent(schema));
    if (!tenantId.isEmpty())
        out.replace(QStringLiteral("{{tenant_id}}"), sql::quoteLiteral(tenantId));
    return out;
}

bool Migrator::runScript(const QString &script, QString *error) {
    const QStringList statements = sql::splitScript(script);
    for (const QString &statement : statements) {
        if (!sql::exec(m_db, statement, error))
            return false;
    }
    return true;
}

int Migrator::controlVersion(QSqlDatabase &db, QString *error) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral(
            "SELECT to_regclass('tenantry_control.schema_migrations') IS NOT NULL")) ||
        !q.next()) {
        *error = q.lastError().databaseText();
        return -1;
    }
    if (!q.value(0).toBool())
        return -1;
    q.finish();
    if (!q.exec(QStringLiteral("SELECT coalesce(max(version), 0) FROM "
                               "tenantry_control.schema_migrations")) ||
        !q.next()) {
        *error = q.lastError().databaseText();
        return -1;
    }
    return q.value(0).toInt();
}

bool Migrator::migrateControl(QString *error, const Progress &progress) {
    if (!sql::exec(m_db, QStringLiteral("SET ROLE ") + sql::quoteIdent(m_roles.owner), error))
        return false;
    const auto reset = qScopeGuard([this] {
        QString ignored;
        sql::exec(m_db, QStringLiteral("RESET ROLE"), &ignored);
    });
    return sql::inTransaction(m_db, error, [&] {
        if (!sql::exec(m_db,
                       QStringLiteral("SELECT pg_advisory_xact_lock(hashtext('tenantry.migrate'))"),
                       error) ||
            !sql::exec(m_db, QStringLiteral("CREATE SCHEMA IF NOT EXISTS tenantry_control"),
                       error) ||
            !sql::exec(
                m_db,
                QStringLiteral("CREATE TABLE IF NOT EXISTS tenantry_control.schema_migrations "
                               "(version integer PRIMARY KEY, name text NOT NULL, "
                               "applied_at timestamptz NOT NULL DEFAULT now())"),
                error))
            return false;
        const int current = controlVersion(m_db, error);
        if (current < 0)
            return false;
        for (const Migration &m : controlMigrations()) {
            if (m.version <= current)
                continue;
            if (progress)
                progress(QStringLiteral("control: applying %1_%2")
                             .arg(m.version, 4, 10, QLatin1Char('0'))
                             .arg(m.name));
            if (!runScript(render(m.script), error)) {
                *error = QStringLiteral("control migration %1_%2: %3")
                             .arg(m.version, 4, 10, QLatin1Char('0'))
                             .arg(m.name, *error);
                return false;
            }
            QSqlQuery q(m_db);
            if (!sql::exec(q,
                           QStringLiteral("INSERT INTO tenantry_control.schema_migrations "
                                          "(version, name) VALUES (?, ?)"),
                           {m.version, m.name}, error))
                return false;
        }
        if (progress && current == latestControlVersion())
            progress(QStringLiteral("control: up to date (version %1)").arg(current));
        return true;
    });
}

bool Migrator::applyTenantMigrations(const QString &tenantId, const QString &schema,
                                     int fromVersion, QString *error) {
    for (const Migration &m : tenantMigrations()) {
        if (m.version <= fromVersion)
            continue;
        if (!runScript(render(m.script, schema, tenantId), error)) {
            *error = QStringLiteral("tenant migration %1_%2 on %3: %4")
                         .arg(m.version, 4, 10, QLatin1Char('0'))
                         .arg(m.name, schema, *error);
            return false;
        }
    }
    QSqlQuery q(m_db);
    return sql::exec(q,
                     QStringLiteral("UPDATE tenantry_control.tenants SET schema_version = ? "
                                    "WHERE id = ?::uuid"),
                     {latestTenantVersion(), tenantId}, error);
}

bool Migrator::migrateTenants(QString *error, const Progress &progress) {
    if (!sql::exec(m_db, QStringLiteral("SET ROLE ") + sql::quoteIdent(m_roles.owner), error))
        return false;
    const auto reset = qScopeGuard([this] {
        QString ignored;
        sql::exec(m_db, QStringLiteral("RESET ROLE"), &ignored);
    });
    QSqlQuery list(m_db);
    if (!sql::exec(list,
                   QStringLiteral("SELECT id::text FROM tenantry_control.tenants "
                                  "WHERE schema_version < ? ORDER BY created_at"),
                   {latestTenantVersion()}, error))
        return false;
    QStringList ids;
    while (list.next())
        ids << list.value(0).toString();
    list.finish();
    int done = 0;
    for (const QString &id : ids) {
        const bool ok = sql::inTransaction(m_db, error, [&] {
            // Row lock: a concurrent migrate or provisioning of this tenant waits for us.
            QSqlQuery q(m_db);
            if (!sql::exec(q,
                           QStringLiteral("SELECT schema_name, schema_version FROM "
                                          "tenantry_control.tenants WHERE id = ?::uuid FOR UPDATE"),
                           {id}, error) ||
                !q.next())
                return false;
            const QString schema = q.value(0).toString();
            const int version = q.value(1).toInt();
            q.finish();
            return applyTenantMigrations(id, schema, version, error);
        });
        if (!ok)
            return false;
        ++done;
        if (progress)
            progress(
                QStringLiteral("tenants: %1/%2 migrated (%3)").arg(done).arg(ids.size()).arg(id));
    }
    if (progress && ids.isEmpty())
        progress(QStringLiteral("tenants: all schemas at version %1").arg(latestTenantVersion()));
    return true;
}

} // namespace tenantry
