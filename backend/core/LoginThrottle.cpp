// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/LoginThrottle.h"

#include <QList>

#include <algorithm>

namespace tenantry {

LoginThrottle::LoginThrottle()
    : LoginThrottle(Limits()) {}

LoginThrottle::LoginThrottle(Limits limits)
    : m_limits(limits) {
    m_clock.start();
}

int LoginThrottle::check(QHash<QString, Window> &map, const QString &key, int limit, qint64 now) {
    const auto it = map.constFind(key);
    if (it == map.constEnd())
        return 0;
    const qint64 windowMs = qint64(m_limits.windowSeconds) * 1000;
    if (now - it->startMs >= windowMs || it->failures < limit)
        return 0;
    return int((it->startMs + windowMs - now + 999) / 1000);
}

void LoginThrottle::bump(QHash<QString, Window> &map, const QString &key, qint64 now) {
    Window &w = map[key];
    if (w.failures == 0 || now - w.startMs >= qint64(m_limits.windowSeconds) * 1000) {
        w.startMs = now;
        w.failures = 0;
    }
    ++w.failures;
}

void LoginThrottle::prune(qint64 now) {
    if (now - m_lastPrune < 60000 && m_accounts.size() + m_addresses.size() < kMaxEntries)
        return;
    m_lastPrune = now;
    const qint64 windowMs = qint64(m_limits.windowSeconds) * 1000;
    for (auto *map : {&m_accounts, &m_addresses}) {
        for (auto it = map->begin(); it != map->end();) {
            if (now - it->startMs >= windowMs)
                it = map->erase(it);
            else
                ++it;
        }
    }
    // Still full of live windows: a spray of distinct names. Forget the oldest fifth of each
    // map, so memory stays bounded and this O(n) pass runs once per fifth of the cap rather
    // than on every failure. (Pushing a given account out takes tens of thousands of failures
    // from hundreds of addresses within one window.)
    if (m_accounts.size() + m_addresses.size() < kMaxEntries)
        return;
    for (auto *map : {&m_accounts, &m_addresses}) {
        if (map->size() < 5)
            continue;
        QList<qint64> starts;
        starts.reserve(map->size());
        for (const Window &w : std::as_const(*map))
            starts.append(w.startMs);
        const auto nth = starts.begin() + starts.size() / 5;
        std::nth_element(starts.begin(), nth, starts.end());
        const qint64 cutoff = *nth;
        for (auto it = map->begin(); it != map->end();) {
            if (it->startMs <= cutoff)
                it = map->erase(it);
            else
                ++it;
        }
    }
}

qsizetype LoginThrottle::entryCount() {
    QMutexLocker lock(&m_mutex);
    return m_accounts.size() + m_addresses.size();
}

int LoginThrottle::retryAfter(const QString &account, const QString &address) {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock.elapsed();
    return std::max(check(m_accounts, account, m_limits.perAccount, now),
                    check(m_addresses, address, m_limits.perAddress, now));
}

void LoginThrottle::recordFailure(const QString &account, const QString &address) {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock.elapsed();
    prune(now);
    bump(m_accounts, account, now);
    bump(m_addresses, address, now);
}

void LoginThrottle::recordSuccess(const QString &account) {
    QMutexLocker lock(&m_mutex);
    m_accounts.remove(account);
}

} // namespace tenantry
