// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/ApiError.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>

namespace tenantry::client {

namespace {

QString displayUrl(const QUrl &url) {
    // Scheme, host and port: the path of the failing call means nothing to a person.
    QUrl u = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment |
                          QUrl::RemoveUserInfo);
    return u.toDisplayString();
}

} // namespace

ApiError::ApiError(Kind kind, const QUrl &url, Cause cause)
    : m_kind(kind)
    , m_cause(cause)
    , m_url(url) {}

ApiError ApiError::fromHttpResponse(const QUrl &url, int httpStatus, const QByteArray &body,
                                    const QByteArray &contentType, int retryAfterSeconds) {
    ApiError e(Kind::Http, url);
    e.m_httpStatus = httpStatus;
    e.m_retryAfterSeconds = retryAfterSeconds;
    const QByteArray type = contentType.toLower();
    if (type.startsWith("application/problem+json") || type.startsWith("application/json")) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error == QJsonParseError::NoError && doc.isObject()) {
            e.m_problem = doc.object();
            e.m_code = e.m_problem.value(QStringLiteral("code")).toString();
            e.m_title = e.m_problem.value(QStringLiteral("title")).toString();
            e.m_detail = e.m_problem.value(QStringLiteral("detail")).toString();
        }
    }
    return e;
}

ApiError &ApiError::setHttpStatus(int status) {
    m_httpStatus = status;
    return *this;
}
ApiError &ApiError::setCode(const QString &code) {
    m_code = code;
    return *this;
}
ApiError &ApiError::setTitle(const QString &title) {
    m_title = title;
    return *this;
}
ApiError &ApiError::setDetail(const QString &detail) {
    m_detail = detail;
    return *this;
}
ApiError &ApiError::setRetryAfterSeconds(int seconds) {
    m_retryAfterSeconds = seconds;
    return *this;
}
ApiError &ApiError::setTechnicalDetail(const QString &text) {
    m_technicalDetail = text;
    return *this;
}
ApiError &ApiError::setTimeoutMs(int ms) {
    m_timeoutMs = ms;
    return *this;
}

QString ApiError::serverText() const {
    if (!m_detail.isEmpty())
        return m_detail;
    return m_title;
}

QString ApiError::retryingMessage(int seconds) {
    return tr("The server is busy; retrying in %n s.", nullptr, qMax(0, seconds));
}

QString ApiError::kindName(Kind kind) {
    switch (kind) {
    case Kind::Network:
        return QStringLiteral("network");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::Tls:
        return QStringLiteral("tls");
    case Kind::Http:
        return QStringLiteral("http");
    case Kind::Protocol:
        return QStringLiteral("protocol");
    }
    return {};
}

QString ApiError::userMessage() const {
    const QString where = displayUrl(m_url);
    switch (m_kind) {
    case Kind::Network:
        switch (m_cause) {
        case Cause::HostNotFound:
            return tr("Cannot find the server %1: the host name does not resolve.")
                .arg(m_url.host());
        case Cause::ConnectionRefused:
            return tr("Cannot reach the server at %1: the connection was refused.").arg(where);
        case Cause::ConnectionClosed:
            return tr("The server at %1 closed the connection before answering.").arg(where);
        case Cause::Cancelled:
            return tr("The request to %1 was cancelled.").arg(where);
        default:
            return tr("Cannot reach the server at %1.").arg(where);
        }
    case Kind::Timeout:
        if (m_timeoutMs > 0)
            return tr("The server at %1 did not answer within %n s.", nullptr,
                      (m_timeoutMs + 999) / 1000)
                .arg(where);
        return tr("The server at %1 did not answer in time.").arg(where);
    case Kind::Tls:
        if (m_cause == Cause::PinMismatch)
            return tr("The server at %1 presented a key that does not match the pinned key; "
                      "the connection was closed.")
                .arg(where);
        return tr("The secure connection to %1 could not be verified.").arg(where);
    case Kind::Protocol:
        if (m_cause == Cause::ResponseTooLarge)
            return tr("The server at %1 sent a response that is too large.").arg(where);
        return tr("The server at %1 sent a response the console does not understand.").arg(where);
    case Kind::Http:
        break;
    }

    if (m_code == QLatin1String("rate_limited")) {
        if (m_retryAfterSeconds > 0)
            return tr("The server is busy; try again in %n s.", nullptr, m_retryAfterSeconds);
        return tr("The server is busy; try again shortly.");
    }
    if (m_code == QLatin1String("not_ready")) {
        if (!m_detail.isEmpty())
            return tr("The server is running but not ready: %1").arg(m_detail);
        return tr("The server is running but not ready yet.");
    }
    if (m_code == QLatin1String("shutting_down"))
        return tr("The server is shutting down.");
    if (m_httpStatus == 401)
        return tr("You are not signed in, or your session has expired.");
    if (m_httpStatus == 403 && serverText().isEmpty())
        return tr("You do not have permission to do this.");
    if (m_httpStatus == 404 && m_code.isEmpty())
        return tr("The server at %1 does not offer this function (HTTP 404).").arg(where);
    if (m_httpStatus == 503 && serverText().isEmpty())
        return tr("The server at %1 is temporarily unavailable.").arg(where);
    if (!serverText().isEmpty())
        return serverText();
    return tr("The server at %1 answered with HTTP status %2.").arg(where).arg(m_httpStatus);
}

} // namespace tenantry::client
