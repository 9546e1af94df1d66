// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/ApiResult.h"

#include <QByteArray>

namespace tenantry {

// Serialises a response to HTTP/1.1 bytes. The single place that knows the framing rules:
// no body (but the real Content-Length) for HEAD, no body and no Content-Length for 1xx/204,
// no body for 304, Date on every response, Connection: close when we will close.
class HttpWire {
public:
    struct Options {
        bool head = false;
        bool close = false;
    };
    static QByteArray encode(const ApiResult &result, Options options);
    // IMF-fixdate of now (cached per second per thread).
    static QByteArray httpDate();
};

} // namespace tenantry
