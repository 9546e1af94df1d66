// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/ApiClient.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>

namespace tenantry::client {

struct ApiClient::Pending {
    QByteArray method;
    QUrl url;
    QByteArray body;
    bool hasBody = false;
    JsonCallback callback;
    bool hasContext = false;
    QPointer<QObject> context;
    RetryPolicy retry;
    int timeoutMs = 0;
    int attempt = 0;
    QElapsedTimer elapsed;
    QPointer<QNetworkReply> reply;
    QTimer *retryTimer = nullptr;
    QByteArray buffer;
    // Why we aborted the current reply ourselves, if we did.
    std::optional<ApiError> abortReason;
    QStringList sslErrors;
};

ApiClient::ApiClient(const QUrl &baseUrl, QObject *parent)
    : QObject(parent)
    , m_nam(new QNetworkAccessManager(this)) {
    setBaseUrl(baseUrl);
    // Redirects would move credentials to another origin; the API never redirects.
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

ApiClient::~ApiClient() {
    cancelAll();
}

void ApiClient::setBaseUrl(const QUrl &url) {
    m_baseUrl = url.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (m_baseUrl.path() == QLatin1String("/"))
        m_baseUrl.setPath(QString());
}

QUrl ApiClient::resolve(const QString &path) const {
    QUrl url = m_baseUrl;
    QString p = url.path();
    if (!path.startsWith(QLatin1Char('/')))
        p += QLatin1Char('/');
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    if (query >= 0) {
        url.setPath(p + path.left(query));
        url.setQuery(path.mid(query + 1));
    } else {
        url.setPath(p + path);
    }
    return url;
}

QUrl ApiClient::parseServerUrl(const QString &text) {
    const QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    const QUrl url = QUrl::fromUserInput(t);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.hasQuery() || url.hasFragment())
        return {};
    QUrl out = url.adjusted(QUrl::StripTrailingSlash);
    if (out.path() == QLatin1String("/"))
        out.setPath(QString());
    return out;
}

quint64 ApiClient::get(const QString &path, JsonCallback callback, QObject *context,
                       const RequestOptions &options) {
    return send("GET", path, std::nullopt, std::move(callback), context, options);
}

quint64 ApiClient::send(const QByteArray &method, const QString &path,
                        const std::optional<QJsonObject> &body, JsonCallback callback,
                        QObject *context, const RequestOptions &options) {
    auto p = std::make_shared<Pending>();
    p->method = method.toUpper();
    p->url = resolve(path);
    if (body) {
        p->body = QJsonDocument(*body).toJson(QJsonDocument::Compact);
        p->hasBody = true;
    }
    p->callback = std::move(callback);
    p->hasContext = context != nullptr;
    p->context = context;
    p->retry = options.retry.value_or(m_retry);
    if (!RetryPolicy::isIdempotentMethod(p->method))
        p->retry.maxAttempts = 1;
    p->timeoutMs = options.timeoutMs >= 0 ? options.timeoutMs : m_timeoutMs;
    p->elapsed.start();
    const quint64 id = m_nextId++;
    m_pending.insert(id, p);
    startAttempt(id);
    return id;
}

void ApiClient::startAttempt(quint64 id) {
    const auto p = m_pending.value(id);
    if (!p)
        return;
    ++p->attempt;
    p->buffer.clear();
    p->abortReason.reset();
    p->sslErrors.clear();

    QNetworkRequest request(p->url);
    request.setRawHeader("Accept", "application/json, application/problem+json");
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("tenantry-console/0.1"));
    if (p->hasBody)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    if (p->timeoutMs > 0)
        request.setTransferTimeout(p->timeoutMs);
    if (p->url.scheme() == QLatin1String("https") && !m_tls.isDefault()) {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        m_tls.applyTo(config);
        request.setSslConfiguration(config);
    }

    QNetworkReply *reply = nullptr;
    if (p->hasBody)
        reply = m_nam->sendCustomRequest(request, p->method, p->body);
    else
        reply = m_nam->sendCustomRequest(request, p->method);
    p->reply = reply;

    connect(reply, &QNetworkReply::metaDataChanged, this, [this, id] {
        const auto pending = m_pending.value(id);
        if (!pending || !pending->reply)
            return;
        const QVariant length = pending->reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > m_maxResponseBytes) {
            pending->abortReason =
                ApiError(ApiError::Kind::Protocol, pending->url, ApiError::Cause::ResponseTooLarge)
                    .setTechnicalDetail(
                        QStringLiteral("Content-Length %1").arg(length.toLongLong()));
            pending->reply->abort();
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, id] { onReadyRead(id); });
    connect(reply, &QNetworkReply::encrypted, this, [this, id] { onEncrypted(id); });
    connect(reply, &QNetworkReply::sslErrors, this, [this, id](const QList<QSslError> &errors) {
        // Never ignored: a certificate the trust settings do not accept fails the request.
        const auto pending = m_pending.value(id);
        if (!pending)
            return;
        for (const QSslError &e : errors)
            pending->sslErrors.append(e.errorString());
    });
    connect(reply, &QNetworkReply::finished, this, [this, id] { onFinished(id); });
}

void ApiClient::onReadyRead(quint64 id) {
    const auto p = m_pending.value(id);
    if (!p || !p->reply || p->abortReason)
        return;
    p->buffer.append(p->reply->readAll());
    if (p->buffer.size() > m_maxResponseBytes) {
        p->abortReason =
            ApiError(ApiError::Kind::Protocol, p->url, ApiError::Cause::ResponseTooLarge)
                .setTechnicalDetail(QStringLiteral("more than %1 bytes").arg(m_maxResponseBytes));
        p->buffer.clear();
        p->reply->abort();
    }
}

void ApiClient::onEncrypted(quint64 id) {
    const auto p = m_pending.value(id);
    if (!p || !p->reply)
        return;
    const QSslCertificate peer = p->reply->sslConfiguration().peerCertificate();
    if (!m_tls.matchesPin(peer)) {
        p->abortReason =
            ApiError(ApiError::Kind::Tls, p->url, ApiError::Cause::PinMismatch)
                .setTechnicalDetail(
                    QStringLiteral("peer public key sha256/%1")
                        .arg(QString::fromLatin1(TlsSettings::publicKeyPin(peer).toBase64())));
        p->reply->abort();
    }
}

ApiError ApiClient::networkError(const Pending &p, int replyError,
                                 const QString &errorString) const {
    using Kind = ApiError::Kind;
    using Cause = ApiError::Cause;
    switch (QNetworkReply::NetworkError(replyError)) {
    case QNetworkReply::ConnectionRefusedError:
        return ApiError(Kind::Network, p.url, Cause::ConnectionRefused)
            .setTechnicalDetail(errorString);
    case QNetworkReply::HostNotFoundError:
        return ApiError(Kind::Network, p.url, Cause::HostNotFound).setTechnicalDetail(errorString);
    case QNetworkReply::RemoteHostClosedError:
        return ApiError(Kind::Network, p.url, Cause::ConnectionClosed)
            .setTechnicalDetail(errorString);
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        // We abort only with an abortReason set, so a cancel here is the transfer timeout.
        return ApiError(Kind::Timeout, p.url)
            .setTimeoutMs(p.timeoutMs)
            .setTechnicalDetail(errorString);
    case QNetworkReply::SslHandshakeFailedError:
    case QNetworkReply::UnknownNetworkError:
        if (!p.sslErrors.isEmpty() || replyError == QNetworkReply::SslHandshakeFailedError) {
            const QString detail =
                p.sslErrors.isEmpty() ? errorString : p.sslErrors.join(QStringLiteral("; "));
            return ApiError(Kind::Tls, p.url, Cause::CertificateInvalid).setTechnicalDetail(detail);
        }
        break;
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
    case QNetworkReply::ProtocolFailure:
        return ApiError(Kind::Protocol, p.url).setTechnicalDetail(errorString);
    default:
        break;
    }
    return ApiError(Kind::Network, p.url).setTechnicalDetail(errorString);
}

void ApiClient::onFinished(quint64 id) {
    const auto p = m_pending.value(id);
    if (!p || !p->reply)
        return;
    QNetworkReply *reply = p->reply;
    p->reply = nullptr;
    reply->deleteLater();
    if (!p->abortReason && reply->bytesAvailable() > 0)
        p->buffer.append(reply->readAll());
    if (!p->abortReason && p->buffer.size() > m_maxResponseBytes)
        p->abortReason =
            ApiError(ApiError::Kind::Protocol, p->url, ApiError::Cause::ResponseTooLarge);

    QList<QPair<QByteArray, QByteArray>> headers;
    for (const auto &h : reply->rawHeaderPairs())
        headers.append(h);

    auto finish = [&](ApiResult<QJsonObject> result) {
        result.setAttempts(p->attempt);
        result.setElapsedMs(p->elapsed.elapsed());
        result.setHeaders(headers);
        complete(id, std::move(result));
    };

    if (p->abortReason) {
        finish(ApiResult<QJsonObject>::failure(*p->abortReason));
        return;
    }

    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttr.isValid() ? statusAttr.toInt() : 0;
    if (status == 0) {
        finish(ApiResult<QJsonObject>::failure(
            networkError(*p, reply->error(), reply->errorString())));
        return;
    }

    const QByteArray contentType = reply->rawHeader("Content-Type");
    if (status >= 400) {
        const int retryAfter = RetryPolicy::parseRetryAfter(reply->rawHeader("Retry-After"));
        ApiError error =
            ApiError::fromHttpResponse(p->url, status, p->buffer, contentType, retryAfter);
        if (RetryPolicy::isRetryableStatus(status)) {
            const int delay = p->retry.delayBeforeAttempt(
                p->attempt + 1, retryAfter, QRandomGenerator::global()->generateDouble());
            if (delay >= 0) {
                Q_EMIT retryScheduled(id, p->attempt + 1, delay, error);
                if (!m_pending.contains(id)) // cancelled from a slot
                    return;
                p->retryTimer = new QTimer(this);
                p->retryTimer->setSingleShot(true);
                connect(p->retryTimer, &QTimer::timeout, this, [this, id] {
                    const auto pending = m_pending.value(id);
                    if (!pending)
                        return;
                    pending->retryTimer->deleteLater();
                    pending->retryTimer = nullptr;
                    startAttempt(id);
                });
                p->retryTimer->start(delay);
                return;
            }
        }
        finish(ApiResult<QJsonObject>::failure(error));
        return;
    }
    if (status >= 300) {
        finish(ApiResult<QJsonObject>::failure(
            ApiError(ApiError::Kind::Protocol, p->url)
                .setHttpStatus(status)
                .setTechnicalDetail(QStringLiteral("unexpected redirect (HTTP %1)").arg(status))));
        return;
    }
    if (status == 204 || p->method == "HEAD" || p->buffer.isEmpty()) {
        finish(ApiResult<QJsonObject>::success(QJsonObject(), status));
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(p->buffer, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        const QString why = parseError.error != QJsonParseError::NoError
                                ? parseError.errorString()
                                : QStringLiteral("JSON value is not an object");
        finish(ApiResult<QJsonObject>::failure(
            ApiError(ApiError::Kind::Protocol, p->url, ApiError::Cause::InvalidJson)
                .setHttpStatus(status)
                .setTechnicalDetail(QString(why + QStringLiteral(" (Content-Type: ") +
                                            QString::fromLatin1(contentType) + QLatin1Char(')')))));
        return;
    }
    finish(ApiResult<QJsonObject>::success(doc.object(), status));
}

void ApiClient::complete(quint64 id, ApiResult<QJsonObject> result) {
    const auto p = m_pending.take(id);
    if (!p)
        return;
    if (p->hasContext && !p->context)
        return;
    if (p->callback)
        p->callback(result);
}

void ApiClient::cancel(quint64 id) {
    const auto p = m_pending.take(id);
    if (!p)
        return;
    if (p->retryTimer)
        p->retryTimer->deleteLater();
    if (p->reply) {
        QNetworkReply *reply = p->reply;
        p->reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void ApiClient::cancelAll() {
    const auto ids = m_pending.keys();
    for (quint64 id : ids)
        cancel(id);
}

} // namespace tenantry::client
