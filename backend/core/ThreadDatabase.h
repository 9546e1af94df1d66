// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ConnectionSettings.h"

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <list>
#include <memory>
#include <optional>
#include <unordered_map>

namespace tenantry {

Q_DECLARE_LOGGING_CATEGORY(lcDatabase)

// The database connection one worker thread owns. QtSql connections belong to the thread that
// made them and never reconnect by themselves, so this wraps one and reopens it after a
// connection-class error, with capped full-jitter backoff. While the database is away callers
// get "unavailable" plus a Retry-After hint at once instead of blocking a worker on connect.
class ThreadDatabase {
public:
    ThreadDatabase(ConnectionSettings settings, QString connectionName);
    ~ThreadDatabase();
    ThreadDatabase(const ThreadDatabase &) = delete;
    ThreadDatabase &operator=(const ThreadDatabase &) = delete;

    // An open connection, or nullptr when the database cannot be reached right now; then
    // `retryAfterSeconds` says when to try again.
    QSqlDatabase *acquire(int *retryAfterSeconds);
    // Tells the wrapper a statement failed; a connection-class error closes the connection so the
    // next acquire() reopens it.
    void reportError(const QSqlError &error);
    // A prepared statement from this connection's cache: prepared (one PREPARE round trip) the
    // first time, then only executed. QPSQL otherwise prepares, executes and deallocates every
    // time, three round trips per statement. Cleared when the connection closes.
    // The pointer stays valid until close(); at most kMaxStatements are kept, the least
    // recently used go first (one request uses a handful, so its own are never evicted).
    static constexpr std::size_t kMaxStatements = 1024;
    QSqlQuery *prepared(const QString &statement, QString *error);
    // Cheap liveness probe for /readyz.
    bool ping(QString *error);
    void close();

    const ConnectionSettings &settings() const { return m_settings; }

private:
    void scheduleRetry();

    ConnectionSettings m_settings;
    QString m_name;
    QSqlDatabase m_db;
    int m_failures = 0;
    qint64 m_retryAtMs = 0;
    QElapsedTimer m_clock;
    // Least recently used first; entries point into m_statements' keys.
    struct CachedStatement {
        std::unique_ptr<QSqlQuery> query;
        std::list<QString>::iterator use;
    };
    std::unordered_map<QString, CachedStatement> m_statements;
    std::list<QString> m_uses;
};

} // namespace tenantry
