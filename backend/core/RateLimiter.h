// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

namespace tenantry {

// Token buckets keyed by whatever the caller limits on ("tenant:<id>", "client:<addr>", ...),
// shared by all worker threads of one process. The clock is passed in (milliseconds on any
// monotonic scale) so tests need not sleep and callers can use one reading for several buckets.
// With several server processes each keeps its own buckets: the effective limit is N times the
// configured one, as for LoginThrottle.
class RateLimiter {
public:
    struct Policy {
        double ratePerSecond = 100;
        double burst = 200;
    };
    struct Decision {
        bool allowed = true;
        int limit = 0;             // burst (the bucket size)
        int remaining = 0;         // whole tokens left after this request
        int resetSeconds = 0;      // seconds until the bucket is full again
        int retryAfterSeconds = 0; // when !allowed: seconds until one token is available (>= 1)
    };

    static constexpr qsizetype kDefaultMaxKeys = 100000;

    // `maxKeys` bounds memory when a caller sprays distinct keys (one per client address, say).
    explicit RateLimiter(qsizetype maxKeys = kDefaultMaxKeys);

    // Takes one token from `key`'s bucket. A policy different from the one the bucket last saw
    // applies from this call on: the time since the last call is credited at the old rate, then
    // the bucket is clamped to the new burst. So a tier change needs no restart and cannot hand
    // out a fresh burst. A rate that is not positive is treated as 0.001/s and a burst below 1
    // as 1, so a misconfiguration throttles instead of dividing by zero. An earlier `nowMs` than
    // the bucket has seen (threads reading one clock race to the lock) credits nothing.
    Decision take(const QString &key, const Policy &policy, qint64 nowMs);

    // Header values per draft-ietf-httpapi-ratelimit-headers (-08 and later: one List member, an
    // sf-string naming the policy, with Integer parameters). The quota q is the burst and the
    // window w is the time an empty bucket takes to refill, ceil(burst / rate) seconds, at least
    // 1: "a client may spend q requests at once, and q again every w seconds". The standard tier
    // (100/s, burst 200) reads "\"tenant\";q=200;w=2".
    static QByteArray policyHeader(const QString &name, const Policy &p);
    // "\"tenant\";r=57;t=1": r whole tokens remaining, t seconds until the bucket is full again.
    static QByteArray stateHeader(const QString &name, const Decision &d);

    // Buckets currently held; for tests and the metrics page.
    qsizetype size() const;

private:
    struct Bucket {
        double tokens = 0;
        qint64 lastMs = 0;
        double rate = 0;
        double burst = 0;
    };
    void makeRoom(qint64 nowMs);
    void dropFull(qint64 nowMs);

    const qsizetype m_maxKeys;
    mutable QMutex m_mutex;
    QHash<QString, Bucket> m_buckets;
    qint64 m_lastSweepMs = 0;
};

} // namespace tenantry
