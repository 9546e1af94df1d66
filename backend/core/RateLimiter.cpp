// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/RateLimiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tenantry {

namespace {

// Full buckets are dropped at most this often when nothing forces it: dropping a full bucket
// loses nothing, since a new key starts full.
constexpr qint64 kSweepIntervalMs = 60000;
// Keeps every figure we report (and the int fields of Decision) in range whatever is configured.
constexpr double kMinRate = 0.001;
constexpr double kMaxFigure = 1e9;
// Refill is summed in doubles, so a whole token can arrive as 0.9999999999999999; counting it
// keeps "one token per 1/rate seconds" exact, and the slack is far below one request.
constexpr double kEpsilon = 1e-9;

RateLimiter::Policy normalise(RateLimiter::Policy p) {
    // Written as !(x >= min) so NaN is caught too.
    if (!(p.ratePerSecond >= kMinRate))
        p.ratePerSecond = kMinRate;
    if (!(p.burst >= 1))
        p.burst = 1;
    p.ratePerSecond = std::min(p.ratePerSecond, kMaxFigure);
    p.burst = std::min(p.burst, kMaxFigure);
    return p;
}

int ceilSeconds(double seconds) {
    if (!(seconds > 0))
        return 0;
    return int(std::min(std::ceil(seconds), kMaxFigure));
}

int wholeTokens(double tokens) {
    return int(std::clamp(std::floor(tokens), 0.0, kMaxFigure));
}

} // namespace

RateLimiter::RateLimiter(qsizetype maxKeys)
    : m_maxKeys(std::max<qsizetype>(maxKeys, 1)) {}

void RateLimiter::dropFull(qint64 nowMs) {
    m_lastSweepMs = nowMs;
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        const double elapsed = double(std::max<qint64>(nowMs - it->lastMs, 0)) / 1000.0;
        if (it->tokens + elapsed * it->rate >= it->burst)
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

void RateLimiter::makeRoom(qint64 nowMs) {
    dropFull(nowMs);
    // Still full of busy buckets: someone is spraying keys. Forget the least recently used
    // tenth (so this O(n) pass runs once per n/10 new keys, not on every one). A forgotten key
    // starts over with a full bucket, which is the price of a memory bound; the recently active
    // keys, the ones actually being throttled, are kept.
    const qsizetype target = m_maxKeys - std::max<qsizetype>(m_maxKeys / 10, 1);
    const qsizetype excess = m_buckets.size() - target;
    if (excess <= 0)
        return;
    std::vector<qint64> times;
    times.reserve(size_t(m_buckets.size()));
    for (const Bucket &b : std::as_const(m_buckets))
        times.push_back(b.lastMs);
    std::nth_element(times.begin(), times.begin() + (excess - 1), times.end());
    const qint64 cutoff = times[size_t(excess - 1)];
    qsizetype removed = 0;
    for (auto it = m_buckets.begin(); it != m_buckets.end() && removed < excess;) {
        if (it->lastMs < cutoff) {
            it = m_buckets.erase(it);
            ++removed;
        } else {
            ++it;
        }
    }
    for (auto it = m_buckets.begin(); it != m_buckets.end() && removed < excess;) {
        if (it->lastMs == cutoff) {
            it = m_buckets.erase(it);
            ++removed;
        } else {
            ++it;
        }
    }
}

RateLimiter::Decision RateLimiter::take(const QString &key, const Policy &policy, qint64 nowMs) {
    const Policy p = normalise(policy);
    QMutexLocker lock(&m_mutex);
    if (nowMs - m_lastSweepMs >= kSweepIntervalMs)
        dropFull(nowMs);

    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxKeys)
            makeRoom(nowMs);
        it = m_buckets.insert(key, Bucket{p.burst, nowMs, p.ratePerSecond, p.burst});
    } else {
        Bucket &b = *it;
        if (nowMs > b.lastMs) {
            b.tokens = std::min(b.burst, b.tokens + double(nowMs - b.lastMs) * b.rate / 1000.0);
            b.lastMs = nowMs;
        }
        if (b.rate != p.ratePerSecond || b.burst != p.burst) {
            b.rate = p.ratePerSecond;
            b.burst = p.burst;
            b.tokens = std::min(b.tokens, b.burst);
        }
    }

    Bucket &b = *it;
    Decision d;
    d.limit = wholeTokens(b.burst);
    if (b.tokens >= 1 - kEpsilon) {
        b.tokens = std::max(b.tokens - 1, 0.0);
        d.allowed = true;
    } else {
        d.allowed = false;
        d.retryAfterSeconds = std::max(ceilSeconds((1 - b.tokens) / b.rate), 1);
    }
    d.remaining = wholeTokens(b.tokens + kEpsilon);
    d.resetSeconds = ceilSeconds((b.burst - b.tokens) / b.rate);
    return d;
}

qsizetype RateLimiter::size() const {
    QMutexLocker lock(&m_mutex);
    return m_buckets.size();
}

namespace {

// An sf-string (RFC 8941 §3.3.3): printable ASCII only, with \ and " escaped. Policy names are
// ours ("tenant", "client"); anything else is replaced rather than producing an invalid field.
QByteArray sfString(const QString &name) {
    QByteArray out;
    out.reserve(name.size() + 2);
    out.append('"');
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        if (u == u'"' || u == u'\\') {
            out.append('\\');
            out.append(char(u));
        } else if (u >= 0x20 && u <= 0x7e) {
            out.append(char(u));
        } else {
            out.append('_');
        }
    }
    out.append('"');
    return out;
}

} // namespace

QByteArray RateLimiter::policyHeader(const QString &name, const Policy &policy) {
    const Policy p = normalise(policy);
    const int window = std::max(ceilSeconds(p.burst / p.ratePerSecond), 1);
    return sfString(name) + ";q=" + QByteArray::number(wholeTokens(p.burst)) +
           ";w=" + QByteArray::number(window);
}

QByteArray RateLimiter::stateHeader(const QString &name, const Decision &d) {
    return sfString(name) + ";r=" + QByteArray::number(std::max(d.remaining, 0)) +
           ";t=" + QByteArray::number(std::max(d.resetSeconds, 0));
}

} // namespace tenantry
