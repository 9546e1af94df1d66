// SPDX-License-Identifier: GPL-3.0-or-later
#include "harness/TestDatabase.h"

#include "core/SqlSupport.h"

#include <QSqlQuery>
#include <QUuid>

namespace tenantry::test {

TestDatabase::TestDatabase() {
    const QString url = qEnvironmentVariable("TENANTRY_TEST_DATABASE_URL");
    auto settings = ConnectionSettings::fromUrl(url, &m_error);
    if (!settings) {
        m_error = QStringLiteral("TENANTRY_TEST_DATABASE_URL is not usable: ") + m_error;
        return;
    }
    const QString name = QStringLiteral("t_") + QUuid::createUuid().toString(QUuid::Id128).left(16);
    {
        QSqlDatabase db = settings->open(QStringLiteral("testdb-create"), &m_error);
        if (!db.isOpen())
            return;
        if (!sql::exec(db, QStringLiteral("CREATE DATABASE ") + sql::quoteIdent(name), &m_error))
            return;
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("testdb-create"));
    m_admin = settings->withDatabase(name);
    m_ok = true;
}

TestDatabase::~TestDatabase() {
    if (!m_ok)
        return;
    const QStringList names = QSqlDatabase::connectionNames();
    for (const QString &n : names) {
        QSqlDatabase db = QSqlDatabase::database(n, false);
        if (db.databaseName() == m_admin.database)
            db.close();
    }
    QString error;
    auto root = m_admin.withDatabase(QStringLiteral("postgres"));
    {
        QSqlDatabase db = root.open(QStringLiteral("testdb-drop"), &error);
        if (db.isOpen()) {
            sql::exec(db,
                      QStringLiteral("DROP DATABASE IF EXISTS ") +
                          sql::quoteIdent(m_admin.database) + QStringLiteral(" WITH (FORCE)"),
                      &error);
            // Roles are cluster-wide and named after the database; drop them too.
            for (const QString &suffix : {QStringLiteral("_owner"), QStringLiteral("_app")})
                sql::exec(db,
                          QStringLiteral("DROP ROLE IF EXISTS ") +
                              sql::quoteIdent(m_admin.database + suffix),
                          &error);
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("testdb-drop"));
}

QSqlDatabase TestDatabase::open(const QString &connectionName) const {
    QString error;
    return m_admin.open(connectionName, &error);
}

} // namespace tenantry::test
