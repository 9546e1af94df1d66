// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace tenantry {

// The limits Qt HTTP Server 6.4 lacks. Defaults follow what later Qt versions and common proxies
// use, scaled to an admin API (no large uploads except logos, which have their own cap).
struct HttpLimits {
    int maxConnectionsPerWorker = 1024;
    qsizetype maxHeaderBytes = 16 * 1024; // request line + headers -> 431
    qsizetype maxBodyBytes = 1024 * 1024; // -> 413
    int requestTimeoutMs = 10000;         // first byte to complete request -> 408
    int idleTimeoutMs = 15000;            // keep-alive without a request -> close
    int drainTimeoutMs = 10000;           // SIGTERM: wait this long for in-flight requests
};

} // namespace tenantry
