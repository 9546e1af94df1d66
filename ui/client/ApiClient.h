// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiError.h"
#include "client/ApiResult.h"
#include "client/RequestOptions.h"
#include "client/RetryPolicy.h"
#include "client/TlsSettings.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace tenantry::client {

// The console's only door to the server. Asynchronous (QNetworkAccessManager on the caller's
// thread, nothing blocks), JSON in and out, problem+json mapped to ApiError, idempotent requests
// retried on 429/503 with backoff honouring Retry-After, per-request transfer timeout, response
// size cap, and TLS trust settings with optional public-key pinning.
class ApiClient : public QObject {
    Q_OBJECT

public:
    using JsonCallback = std::function<void(const ApiResult<QJsonObject> &)>;

    static constexpr qint64 kDefaultMaxResponseBytes = 8 * 1024 * 1024;
    static constexpr int kDefaultTimeoutMs = 15'000;

    explicit ApiClient(const QUrl &baseUrl, QObject *parent = nullptr);
    ~ApiClient() override;

    QUrl baseUrl() const { return m_baseUrl; }
    void setBaseUrl(const QUrl &url);
    RetryPolicy retryPolicy() const { return m_retry; }
    void setRetryPolicy(const RetryPolicy &policy) { m_retry = policy; }
    int timeoutMs() const { return m_timeoutMs; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    qint64 maxResponseBytes() const { return m_maxResponseBytes; }
    void setMaxResponseBytes(qint64 bytes) { m_maxResponseBytes = bytes; }
    TlsSettings tlsSettings() const { return m_tls; }
    void setTlsSettings(const TlsSettings &settings) { m_tls = settings; }

    // `path` is relative to the base URL ("/readyz", "/v1/…"). The callback runs on this
    // object's thread, exactly once, unless `context` (when given) is destroyed first or the
    // request is cancelled. Returns an id for cancel().
    quint64 get(const QString &path, JsonCallback callback, QObject *context = nullptr,
                const RequestOptions &options = {});
    quint64 send(const QByteArray &method, const QString &path,
                 const std::optional<QJsonObject> &body, JsonCallback callback,
                 QObject *context = nullptr, const RequestOptions &options = {});
    void cancel(quint64 id);
    void cancelAll();
    int pendingCount() const { return int(m_pending.size()); }

    QUrl resolve(const QString &path) const;
    // What a person types ("localhost:8080", "https://tenantry.example.com/") as a base URL;
    // an invalid QUrl unless the result is http(s) with a host.
    static QUrl parseServerUrl(const QString &text);

Q_SIGNALS:
    // An automatic retry was scheduled (for a status line: "The server is busy; retrying in …").
    void retryScheduled(quint64 id, int nextAttempt, int delayMs,
                        const tenantry::client::ApiError &reason);

private:
    struct Pending;
    void startAttempt(quint64 id);
    void onReadyRead(quint64 id);
    void onEncrypted(quint64 id);
    void onFinished(quint64 id);
    void complete(quint64 id, ApiResult<QJsonObject> result);
    ApiError networkError(const Pending &p, int replyError, const QString &errorString) const;

    QNetworkAccessManager *m_nam;
    QUrl m_baseUrl;
    RetryPolicy m_retry;
    int m_timeoutMs = kDefaultTimeoutMs;
    qint64 m_maxResponseBytes = kDefaultMaxResponseBytes;
    TlsSettings m_tls;
    quint64 m_nextId = 1;
    QHash<quint64, std::shared_ptr<Pending>> m_pending;
};

} // namespace tenantry::client
