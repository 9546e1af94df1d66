// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/RetryPolicy.h"

#include <QString>

#include <algorithm>
#include <cmath>

namespace tenantry::client {

bool RetryPolicy::isIdempotentMethod(const QByteArray &method) {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
           method == "OPTIONS";
}

int RetryPolicy::parseRetryAfter(const QByteArray &value, const QDateTime &now) {
    const QByteArray v = value.trimmed();
    if (v.isEmpty())
        return -1;
    bool ok = false;
    const qlonglong seconds = v.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? -1 : int(std::min<qlonglong>(seconds, 86'400));
    // HTTP-date (IMF-fixdate, RFC 9110 §5.6.7) ends in "GMT", which Qt's RFC 2822 parser wants
    // as a numeric zone.
    QString text = QString::fromLatin1(v);
    if (text.endsWith(QLatin1String(" GMT")))
        text = QString(text.chopped(4) + QLatin1String(" +0000"));
    const QDateTime when = QDateTime::fromString(text, Qt::RFC2822Date);
    if (!when.isValid())
        return -1;
    return int(std::clamp<qint64>(now.secsTo(when), 0, 86'400));
}

int RetryPolicy::delayBeforeAttempt(int nextAttempt, int retryAfterSeconds, double random01) const {
    if (nextAttempt > maxAttempts || nextAttempt < 2)
        return -1;
    random01 = std::clamp(random01, 0.0, 1.0);
    if (retryAfterSeconds >= 0) {
        const qint64 ms = qint64(retryAfterSeconds) * 1000;
        if (ms > maxRetryAfterMs)
            return -1;
        // Never earlier than asked; a little later so that clients told the same second spread.
        return int(ms + std::lround(random01 * std::min(250.0, baseDelayMs / 2.0)));
    }
    const double exp = baseDelayMs * std::pow(2.0, nextAttempt - 2);
    const double capped = std::min<double>(exp, maxDelayMs);
    // "Equal jitter": half fixed, half random — keeps a floor so retries are never immediate.
    return int(std::lround(capped / 2.0 + random01 * capped / 2.0));
}

} // namespace tenantry::client
