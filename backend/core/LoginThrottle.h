// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QString>

namespace tenantry {

// Counts failed sign-ins per account and per client address in a sliding window, shared by all
// worker threads of one process. Checked before the password hash is computed, so a flood of
// guesses costs us a hash lookup, not an Argon2 run. With several server processes each keeps
// its own counts (documented in docs/runbooks/self-hosting.md): the effective limit is N times
// the configured one.
class LoginThrottle {
public:
    struct Limits {
        int perAccount = 10;
        int perAddress = 100;
        int windowSeconds = 900;
    };

    LoginThrottle();
    explicit LoginThrottle(Limits limits);

    // 0 when the attempt may proceed, else the seconds until it may.
    int retryAfter(const QString &account, const QString &address);
    void recordFailure(const QString &account, const QString &address);
    void recordSuccess(const QString &account);

    // Memory bound: accounts plus addresses tracked at once (see prune()).
    static constexpr qsizetype kMaxEntries = 100000;
    qsizetype entryCount();

private:
    struct Window {
        qint64 startMs = 0;
        int failures = 0;
    };
    int check(QHash<QString, Window> &map, const QString &key, int limit, qint64 now);
    void bump(QHash<QString, Window> &map, const QString &key, qint64 now);
    void prune(qint64 now);

    Limits m_limits;
    QMutex m_mutex;
    QElapsedTimer m_clock;
    QHash<QString, Window> m_accounts;
    QHash<QString, Window> m_addresses;
    qint64 m_lastPrune = 0;
};

} // namespace tenantry
