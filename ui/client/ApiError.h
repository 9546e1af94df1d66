// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QUrl>

namespace tenantry::client {

// A failed API call, typed. `kind` says where it failed (before, during or after HTTP);
// for Http errors `code`, `title` and `detail` come from the server's problem+json (RFC 9457).
// The console's client layer lives in tenantry::client so it never collides with the backend's
// tenantry::ApiError when both are linked into one test.
class ApiError {
    Q_DECLARE_TR_FUNCTIONS(tenantry::client::ApiError)

public:
    enum class Kind {
        Network,  // connection refused, host not found, connection reset, ...
        Timeout,  // the per-request transfer timeout elapsed
        Tls,      // certificate verification or public-key pin failed
        Http,     // the server answered with a 4xx/5xx status
        Protocol, // the answer was not what the contract promises (not JSON, too large, ...)
    };
    // Finer cause for errors the client detects itself (the server's own cause is `code`).
    enum class Cause {
        None,
        ConnectionRefused,
        HostNotFound,
        ConnectionClosed,
        InvalidJson,
        ResponseTooLarge,
        PinMismatch,
        CertificateInvalid,
        Cancelled,
    };

    ApiError() = default;
    ApiError(Kind kind, const QUrl &url, Cause cause = Cause::None);

    // An Http error from a response: parses problem+json when the body is one.
    static ApiError fromHttpResponse(const QUrl &url, int httpStatus, const QByteArray &body,
                                     const QByteArray &contentType, int retryAfterSeconds);

    Kind kind() const { return m_kind; }
    Cause cause() const { return m_cause; }
    QUrl url() const { return m_url; }
    int httpStatus() const { return m_httpStatus; }
    QString code() const { return m_code; }
    QString title() const { return m_title; }
    QString detail() const { return m_detail; }
    QJsonObject problem() const { return m_problem; }
    // Seconds from Retry-After, or -1 when the server sent none.
    int retryAfterSeconds() const { return m_retryAfterSeconds; }
    // The transport's own description, for logs and tooltips; not shown as the main message.
    QString technicalDetail() const { return m_technicalDetail; }

    ApiError &setHttpStatus(int status);
    ApiError &setCode(const QString &code);
    ApiError &setTitle(const QString &title);
    ApiError &setDetail(const QString &detail);
    ApiError &setRetryAfterSeconds(int seconds);
    ApiError &setTechnicalDetail(const QString &text);
    ApiError &setTimeoutMs(int ms);

    // One sentence a person understands, translated.
    QString userMessage() const;
    // "The server is busy; retrying in N s" — for while an automatic retry is pending.
    static QString retryingMessage(int seconds);
    static QString kindName(Kind kind);

private:
    QString serverText() const;

    Kind m_kind = Kind::Network;
    Cause m_cause = Cause::None;
    QUrl m_url;
    int m_httpStatus = 0;
    QString m_code;
    QString m_title;
    QString m_detail;
    QJsonObject m_problem;
    int m_retryAfterSeconds = -1;
    int m_timeoutMs = 0;
    QString m_technicalDetail;
};

} // namespace tenantry::client

Q_DECLARE_METATYPE(tenantry::client::ApiError)
