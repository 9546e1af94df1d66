// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/TraceContext.h"

#include <QRandomGenerator>

namespace tenantry {

namespace {

bool isLowerHex(const QByteArray &s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

bool allZero(const QByteArray &s) {
    for (char c : s) {
        if (c != '0')
            return false;
    }
    return true;
}

QByteArray randomHex(int bytes) {
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator *rng = QRandomGenerator::global();
    for (int i = 0; i < bytes; ++i)
        raw[i] = char(rng->bounded(256));
    QByteArray hex = raw.toHex();
    if (allZero(hex))
        hex[hex.size() - 1] = '1';
    return hex;
}

} // namespace

TraceContext TraceContext::fromHeader(const QByteArray &header) {
    TraceContext ctx;
    const QByteArray h = header.trimmed();
    // version(2)-trace-id(32)-parent-id(16)-flags(2)
    if (h.size() >= 55 && h.at(2) == '-' && h.at(35) == '-' && h.at(52) == '-') {
        const QByteArray version = h.left(2);
        const QByteArray traceId = h.mid(3, 32);
        const QByteArray parent = h.mid(36, 16);
        const QByteArray flags = h.mid(53, 2);
        const bool versionOk =
            isLowerHex(version) && version != "ff" && (version != "00" || h.size() == 55);
        if (versionOk && isLowerHex(traceId) && !allZero(traceId) && isLowerHex(parent) &&
            !allZero(parent) && isLowerHex(flags)) {
            ctx.traceId = traceId;
            ctx.flags = flags;
        }
    }
    if (ctx.traceId.isEmpty())
        ctx.traceId = randomHex(16);
    ctx.spanId = randomHex(8);
    return ctx;
}

QByteArray TraceContext::toHeader() const {
    return "00-" + traceId + '-' + spanId + '-' + flags;
}

} // namespace tenantry
