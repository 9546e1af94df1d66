// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/ThreadDatabase.h"

#include "core/SqlSupport.h"

#include <QRandomGenerator>
#include <QSqlQuery>

#include <algorithm>
#include <cmath>

namespace tenantry {

Q_LOGGING_CATEGORY(lcDatabase, "tenantry.db")

namespace {
constexpr qint64 kBaseDelayMs = 100;
constexpr qint64 kMaxDelayMs = 5000;
} // namespace

ThreadDatabase::ThreadDatabase(ConnectionSettings settings, QString connectionName)
    : m_settings(std::move(settings))
    , m_name(std::move(connectionName))
{
    m_clock.start();
}

ThreadDatabase::~ThreadDatabase()
{
    close();
    m_db = QSqlDatabase();
    if (QSqlDatabase::contains(m_name))
        QSqlDatabase::removeDatabase(m_name);
}

void ThreadDatabase::close()
{
    if (m_db.isValid() && m_db.isOpen())
        m_db.close();
}

void ThreadDatabase::scheduleRetry()
{
    ++m_failures;
    // Full jitter (AWS Architecture Blog): uniform in [0, min(cap, base * 2^n)].
    const qint64 ceiling =
        std::min<qint64>(kMaxDelayMs, kBaseDelayMs << std::min(m_failures, 10));
    const qint64 delay = QRandomGenerator::global()->bounded(ceiling + 1);
    m_retryAtMs = m_clock.elapsed() + delay;
}

QSqlDatabase *ThreadDatabase::acquire(int *retryAfterSeconds)
{
    if (m_db.isValid() && m_db.isOpen())
        return &m_db;
    const qint64 now = m_clock.elapsed();
    if (now < m_retryAtMs) {
        *retryAfterSeconds = int(std::max<qint64>(1, (m_retryAtMs - now + 999) / 1000));
        return nullptr;
    }
    QString error;
    m_db = m_settings.open(m_name, &error);
    if (!m_db.isOpen()) {
        if (m_failures == 0)
            qCWarning(lcDatabase).noquote() << "database unavailable:" << error.left(300);
        scheduleRetry();
        *retryAfterSeconds = int(std::max<qint64>(1, (m_retryAtMs - now + 999) / 1000));
        return nullptr;
    }
    if (m_failures > 0)
        qCInfo(lcDatabase) << "database connection restored after" << m_failures << "attempt(s)";
    m_failures = 0;
    m_retryAtMs = 0;
    return &m_db;
}

void ThreadDatabase::reportError(const QSqlError &error)
{
    if (!sql::isConnectionError(error) && m_db.isOpen())
        return;
    qCWarning(lcDatabase).noquote() << "database connection lost:" << error.databaseText().left(200);
    close();
    scheduleRetry();
}

bool ThreadDatabase::ping(QString *error)
{
    int retry = 0;
    QSqlDatabase *db = acquire(&retry);
    if (!db) {
        *error = QStringLiteral("database unreachable");
        return false;
    }
    QSqlQuery q(*db);
    if (!q.exec(QStringLiteral("SELECT 1"))) {
        reportError(q.lastError());
        *error = QStringLiteral("database unreachable");
        return false;
    }
    return true;
}

} // namespace tenantry
