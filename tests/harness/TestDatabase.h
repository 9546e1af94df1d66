// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ConnectionSettings.h"

#include <QSqlDatabase>
#include <QString>

namespace tenantry::test {

// A fresh database on the suite's real PostgreSQL (tests/harness/pg-fixture.sh), dropped again
// at the end. Each test binary gets its own, so tests can run in parallel.
class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();

    bool ok() const { return m_ok; }
    QString error() const { return m_error; }
    // Superuser URL/settings for the test database.
    ConnectionSettings admin() const { return m_admin; }
    QString adminUrl() const { return m_admin.toUrl(true); }
    QString name() const { return m_admin.database; }
    // Opens a superuser connection in the calling thread with the given connection name.
    QSqlDatabase open(const QString &connectionName) const;

private:
    ConnectionSettings m_admin;
    bool m_ok = false;
    QString m_error;
};

} // namespace tenantry::test
