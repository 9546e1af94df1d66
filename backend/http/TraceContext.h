// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace tenantry {

// W3C Trace Context (traceparent). An incoming valid header keeps its trace id and gets a new
// span id for this server; anything else starts a new trace.
struct TraceContext {
    QByteArray traceId; // 32 lowercase hex
    QByteArray spanId;  // 16 lowercase hex
    QByteArray flags = "01";

    static TraceContext fromHeader(const QByteArray &traceparent);
    QByteArray toHeader() const;
};

} // namespace tenantry
