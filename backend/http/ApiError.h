// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace tenantry {

// The one error taxonomy of the API. Every failure, from the connection guard to a handler,
// is one of these; ErrorCatalog maps them to HTTP status, title and stable machine code in one
// place.
enum class ErrorCode {
    BadRequest,
    MalformedJson,
    UnsupportedMediaType,
    Unauthorized,
    Forbidden,
    TenantMismatch,
    NotFound,
    MethodNotAllowed,
    NotImplemented,
    RequestTimeout,
    Conflict,
    PayloadTooLarge,
    HeadersTooLarge,
    UriTooLong,
    ValidationFailed,
    IdempotencyKeyReused,
    TenantLocked,
    RateLimited,
    Unavailable,
    NotReady,
    ShuttingDown,
    TooManyConnections,
    InvalidGrant,
    UnsupportedGrantType,
    InvalidRequest,
    MfaRequired,
    SupportAccessDenied,
    Internal,
};

struct ApiError {
    ErrorCode code = ErrorCode::Internal;
    QString detail; // safe for the client: never SQL, paths or stack traces
    QList<QPair<QByteArray, QByteArray>> headers;
    QJsonObject extensions; // extra RFC 9457 members (e.g. OAuth's "error")

    ApiError() = default;
    ApiError(ErrorCode c, QString d = {})
        : code(c)
        , detail(std::move(d)) {}
    ApiError &withHeader(const QByteArray &name, const QByteArray &value) {
        headers.append({name, value});
        return *this;
    }
};

} // namespace tenantry
