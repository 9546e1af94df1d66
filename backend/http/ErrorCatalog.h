// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/ApiError.h"

#include <QByteArray>
#include <QString>

namespace tenantry {

// Maps the error taxonomy to HTTP: status, RFC 9457 problem type URI, title, and stable `code`.
class ErrorCatalog {
public:
    struct Entry {
        int status;
        const char *code;  // stable machine code, snake_case
        const char *title; // short human summary
    };

    static Entry entry(ErrorCode code);
    // application/problem+json body for `error`.
    static QByteArray problemBody(const ApiError &error, const QString &instance = {});
    static QByteArray reasonPhrase(int status);
};

} // namespace tenantry
