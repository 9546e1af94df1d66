// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/ThreadDatabase.h"

#include "core/Metrics.h"
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
    , m_name(std::move(connectionName)) {
    m_clock.start();
}

ThreadDatabase::~ThreadDatabase() {
    close();
    m_db = QSqlDatabase();
    if (QSqlDatabase::contains(m_name))
        QSqlDatabase::removeDatabase(m_name);
}

void ThreadDatabase::close() {
    m_statements.clear(); // the server forgets prepared statements with the session
    m_uses.clear();
    if (m_db.isValid() && m_db.isOpen())
        m_db.close();
}

QSqlQuery *ThreadDatabase::prepared(const QString &statement, QString *error) {
    const auto it = m_statements.find(statement);
    if (it != m_statements.end()) {
        m_uses.splice(m_uses.end(), m_uses, it->second.use); // most recently used
        return it->second.query.get();
    }
    auto q = std::make_unique<QSqlQuery>(m_db);
    if (!q->prepare(statement)) {
        if (error)
            *error = q->lastError().databaseText();
        reportError(q->lastError());
        return nullptr;
    }
    while (m_statements.size() >= kMaxStatements && !m_uses.empty()) {
        m_statements.erase(m_uses.front()); // DEALLOCATEs on the server as the query dies
        m_uses.pop_front();
    }
    m_uses.push_back(statement);
    auto use = std::prev(m_uses.end());
    return m_statements.emplace(statement, CachedStatement{std::move(q), use})
        .first->second.query.get();
}

void ThreadDatabase::scheduleRetry() {
    ++m_failures;
    // Full jitter (AWS Architecture Blog): uniform in [0, min(cap, base * 2^n)].
    const qint64 ceiling = std::min<qint64>(kMaxDelayMs, kBaseDelayMs << std::min(m_failures, 10));
    const qint64 delay = QRandomGenerator::global()->bounded(ceiling + 1);
    m_retryAtMs = m_clock.elapsed() + delay;
}

QSqlDatabase *ThreadDatabase::acquire(int *retryAfterSeconds) {
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
        Metrics::instance().setGauge(QStringLiteral("tenantry_db_connection_up"),
                                     {{QStringLiteral("connection"), m_name}}, 0);
        scheduleRetry();
        *retryAfterSeconds = int(std::max<qint64>(1, (m_retryAtMs - now + 999) / 1000));
        return nullptr;
    }
    if (m_failures > 0)
        qCInfo(lcDatabase) << "database connection restored after" << m_failures << "attempt(s)";
    Metrics::instance().setGauge(QStringLiteral("tenantry_db_connection_up"),
                                 {{QStringLiteral("connection"), m_name}}, 1);
    m_failures = 0;
    m_retryAtMs = 0;
    return &m_db;
}

void ThreadDatabase::reportError(const QSqlError &error) {
    if (!sql::isConnectionError(error) && m_db.isOpen())
        return;
    Metrics::instance().setGauge(QStringLiteral("tenantry_db_connection_up"),
                                 {{QStringLiteral("connection"), m_name}}, 0);
    qCWarning(lcDatabase).noquote()
        << "database connection lost:" << error.databaseText().left(200);
    close();
    scheduleRetry();
}

bool ThreadDatabase::ping(QString *error) {
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
