// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/HttpWire.h"

#include "http/ErrorCatalog.h"

#include <QDateTime>
#include <QLocale>

#include <ctime>

namespace tenantry {

QByteArray HttpWire::httpDate() {
    thread_local std::time_t cachedSecond = 0;
    thread_local QByteArray cached;
    const std::time_t now = std::time(nullptr);
    if (now != cachedSecond) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        char buf[64];
        const size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cached = QByteArray(buf, qsizetype(n));
        cachedSecond = now;
    }
    return cached;
}

QByteArray HttpWire::encode(const ApiResult &result, Options options) {
    const int status = result.status;
    const bool noBodyAllowed = (status >= 100 && status < 200) || status == 204 || status == 304;
    QByteArray out;
    out.reserve(256 + result.body.size());
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + ErrorCatalog::reasonPhrase(status) +
           "\r\n";
    out += "Date: " + httpDate() + "\r\n";
    if (!noBodyAllowed || status == 304) {
        if (!result.contentType.isEmpty() && !noBodyAllowed)
            out += "Content-Type: " + result.contentType + "\r\n";
    }
    for (const auto &[name, value] : result.headers) {
        // Framing headers are ours alone.
        const QByteArray lower = name.toLower();
        if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection")
            continue;
        out += name + ": " + value + "\r\n";
    }
    if (!noBodyAllowed)
        out += "Content-Length: " + QByteArray::number(result.body.size()) + "\r\n";
    if (options.close)
        out += "Connection: close\r\n";
    out += "\r\n";
    if (!noBodyAllowed && !options.head)
        out += result.body;
    return out;
}

} // namespace tenantry
