// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/ErrorCatalog.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tenantry {

ErrorCatalog::Entry ErrorCatalog::entry(ErrorCode code) {
    switch (code) {
    case ErrorCode::BadRequest:
        return {400, "bad_request", "Bad request"};
    case ErrorCode::MalformedJson:
        return {400, "malformed_json", "Malformed JSON body"};
    case ErrorCode::UnsupportedMediaType:
        return {415, "unsupported_media_type", "Unsupported media type"};
    case ErrorCode::Unauthorized:
        return {401, "unauthorized", "Authentication required"};
    case ErrorCode::Forbidden:
        return {403, "forbidden", "Permission denied"};
    case ErrorCode::TenantMismatch:
        return {403, "tenant_mismatch", "Tenant mismatch"};
    case ErrorCode::NotFound:
        return {404, "not_found", "Not found"};
    case ErrorCode::MethodNotAllowed:
        return {405, "method_not_allowed", "Method not allowed"};
    case ErrorCode::NotImplemented:
        return {501, "not_implemented", "Method not implemented"};
    case ErrorCode::RequestTimeout:
        return {408, "request_timeout", "Request timeout"};
    case ErrorCode::Conflict:
        return {409, "conflict", "Conflict"};
    case ErrorCode::PayloadTooLarge:
        return {413, "payload_too_large", "Request body too large"};
    case ErrorCode::HeadersTooLarge:
        return {431, "headers_too_large", "Request header fields too large"};
    case ErrorCode::UriTooLong:
        return {414, "uri_too_long", "Request target too long"};
    case ErrorCode::ValidationFailed:
        return {422, "validation_failed", "Validation failed"};
    case ErrorCode::IdempotencyKeyReused:
        return {422, "idempotency_key_reused", "Idempotency key reused with another request"};
    case ErrorCode::TenantLocked:
        return {423, "tenant_locked", "Tenant is locked"};
    case ErrorCode::RateLimited:
        return {429, "rate_limited", "Too many requests"};
    case ErrorCode::Unavailable:
        return {503, "unavailable", "Service temporarily unavailable"};
    case ErrorCode::NotReady:
        return {503, "not_ready", "Not ready"};
    case ErrorCode::ShuttingDown:
        return {503, "shutting_down", "Server is shutting down"};
    case ErrorCode::TooManyConnections:
        return {503, "too_many_connections", "Too many connections"};
    case ErrorCode::InvalidGrant:
        return {400, "invalid_grant", "Invalid credentials or grant"};
    case ErrorCode::UnsupportedGrantType:
        return {400, "unsupported_grant_type", "Unsupported grant type"};
    case ErrorCode::InvalidRequest:
        return {400, "invalid_request", "Invalid request"};
    case ErrorCode::MfaRequired:
        return {401, "mfa_required", "A second factor is required"};
    case ErrorCode::SupportAccessDenied:
        return {403, "support_access_denied", "Support access is not allowed"};
    case ErrorCode::Internal:
        break;
    }
    return {500, "internal", "Internal error"};
}

QByteArray ErrorCatalog::problemBody(const ApiError &error, const QString &instance) {
    const Entry e = entry(error.code);
    QJsonObject o;
    o.insert(QStringLiteral("type"), QString(QStringLiteral("https://tenantry.dev/problems/") +
                                             QString::fromLatin1(e.code).replace(u'_', u'-')));
    o.insert(QStringLiteral("title"), QString::fromLatin1(e.title));
    o.insert(QStringLiteral("status"), e.status);
    o.insert(QStringLiteral("code"), QString::fromLatin1(e.code));
    o.insert(QStringLiteral("detail"),
             error.detail.isEmpty() ? QString::fromLatin1(e.title) : error.detail);
    for (auto it = error.extensions.begin(); it != error.extensions.end(); ++it) {
        if (!o.contains(it.key()))
            o.insert(it.key(), it.value());
    }
    if (!instance.isEmpty())
        o.insert(QStringLiteral("instance"), instance);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray ErrorCatalog::reasonPhrase(int status) {
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 423:
        return "Locked";
    case 426:
        return "Upgrade Required";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

} // namespace tenantry
