// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/ApiError.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include <optional>

namespace tenantry {

// What a handler returns. Never a Qt HTTP Server type: the adapter (HttpResponseWriter) turns it
// into bytes, so the rules for HEAD, 204/304 and Connection live in one place.
struct ApiResult {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    std::optional<ApiError> error; // set when this result is an error (for logging and mapping)

    static ApiResult json(const QJsonObject &object, int status = 200);
    static ApiResult json(const QJsonArray &array, int status = 200);
    static ApiResult noContent();
    static ApiResult fromError(const ApiError &error);

    ApiResult &withHeader(const QByteArray &name, const QByteArray &value) {
        headers.append({name, value});
        return *this;
    }
    QByteArray header(const QByteArray &lowerName) const;
};

} // namespace tenantry
