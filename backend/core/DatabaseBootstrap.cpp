// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/DatabaseBootstrap.h"

#include "core/SqlSupport.h"

#include <QUuid>

namespace tenantry {

DatabaseBootstrap::DatabaseBootstrap()
    : m_adminName(QStringLiteral("tenantry-admin-") + QUuid::createUuid().toString(QUuid::Id128)) {}

DatabaseBootstrap::~DatabaseBootstrap() {
    shutdown();
}

QSqlDatabase DatabaseBootstrap::admin() {
    if (QSqlDatabase::contains(m_adminName)) {
        QSqlDatabase db = QSqlDatabase::database(m_adminName, false);
        if (db.isOpen())
            return db;
    }
    QString ignored;
    return m_admin.open(m_adminName, &ignored);
}

bool DatabaseBootstrap::prepare(const Options &options, QString *error,
                                const Migrator::Progress &progress) {
    if (options.databaseUrl.isEmpty()) {
        m_embedded = std::make_unique<EmbeddedPostgres>(options.dataDir);
        if (!m_embedded->start(error))
            return false;
        m_admin = m_embedded->adminSettings();
    } else {
        auto parsed = ConnectionSettings::fromUrl(options.databaseUrl, error);
        if (!parsed)
            return false;
        m_admin = *parsed;
    }
    m_roles = RoleNames::forDatabase(m_admin.database);

    QString openError;
    QSqlDatabase db = m_admin.open(m_adminName, &openError);
    if (!db.isOpen()) {
        *error = QStringLiteral("cannot connect to the database as %1: %2")
                     .arg(m_admin.user, openError.trimmed());
        return false;
    }
    if (!DatabaseRoles::bootstrap(db, m_roles, error)) {
        *error = QStringLiteral("cannot prepare database roles: %1").arg(*error);
        return false;
    }
    // Refuse a runtime role that could step around row-level security before touching anything.
    std::optional<ConnectionSettings> operatorRuntime;
    if (!options.runtimeDatabaseUrl.isEmpty()) {
        operatorRuntime = ConnectionSettings::fromUrl(options.runtimeDatabaseUrl, error);
        if (!operatorRuntime)
            return false;
    }
    const QString runtimeUser = operatorRuntime ? operatorRuntime->user : m_roles.runtime;
    const QStringList problems = DatabaseRoles::runtimeRoleProblems(db, runtimeUser, error);
    if (!problems.isEmpty()) {
        *error = QStringLiteral("refusing to serve through this runtime role: ") +
                 problems.join(QStringLiteral("; "));
        return false;
    }
    if (operatorRuntime && runtimeUser != m_roles.runtime &&
        !sql::exec(db,
                   QStringLiteral("GRANT ") + sql::quoteIdent(m_roles.runtime) +
                       QStringLiteral(" TO ") + sql::quoteIdent(runtimeUser),
                   error)) {
        // Grants are made to the managed runtime role; an operator's role gets them through
        // membership.
        *error =
            QStringLiteral("cannot grant %1 to %2: %3").arg(m_roles.runtime, runtimeUser, *error);
        return false;
    }

    Migrator migrator(db, m_roles);
    if (options.migrateControl && !migrator.migrateControl(error, progress))
        return false;
    if (options.migrateTenants && !migrator.migrateTenants(error, progress))
        return false;

    if (operatorRuntime) {
        m_runtime = *operatorRuntime;
    } else {
        QString password;
        if (!DatabaseRoles::runtimePassword(db, m_roles, &password, error))
            return false;
        m_runtime = m_admin.withUser(m_roles.runtime, password);
    }
    return true;
}

void DatabaseBootstrap::closeAdmin() {
    if (QSqlDatabase::contains(m_adminName)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_adminName, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_adminName);
    }
}

void DatabaseBootstrap::shutdown() {
    closeAdmin();
    if (m_embedded)
        m_embedded->release();
}

} // namespace tenantry
