// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>

namespace tenantry::client {

// When and how often an idempotent request is retried after 429 / 503: exponential backoff with
// jitter, or the server's Retry-After when it sent one. A Retry-After longer than
// `maxRetryAfterMs` is not waited out inside a request: the error goes back to the caller, whose
// message says when to try again.
class RetryPolicy {
public:
    int maxAttempts = 4; // including the first
    int baseDelayMs = 500;
    int maxDelayMs = 30'000;
    int maxRetryAfterMs = 30'000;

    static RetryPolicy none() {
        RetryPolicy p;
        p.maxAttempts = 1;
        return p;
    }

    static bool isRetryableStatus(int httpStatus) { return httpStatus == 429 || httpStatus == 503; }
    static bool isIdempotentMethod(const QByteArray &method);
    // Seconds from a Retry-After value (delta-seconds or HTTP-date), or -1 when absent/invalid.
    static int parseRetryAfter(const QByteArray &value,
                               const QDateTime &now = QDateTime::currentDateTimeUtc());

    // Delay before attempt `nextAttempt` (2 = first retry), or -1 for "do not retry".
    // `retryAfterSeconds` is -1 when the server sent none. `random01` is the jitter source.
    int delayBeforeAttempt(int nextAttempt, int retryAfterSeconds, double random01) const;
};

} // namespace tenantry::client
