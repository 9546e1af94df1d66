// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/ServerProbe.h"

#include "client/ApiClient.h"

#include <QElapsedTimer>
#include <QJsonValue>

#include <algorithm>
#include <memory>

namespace tenantry::client {

ServerProbe::ServerProbe(ApiClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client) {
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ServerProbe::runProbe);
}

void ServerProbe::start() {
    m_polling = true;
    probeNow();
}

void ServerProbe::stop() {
    m_polling = false;
    m_timer.stop();
    if (m_inFlight) {
        m_client->cancel(m_inFlight);
        m_inFlight = 0;
    }
}

void ServerProbe::probeNow() {
    m_currentBackoffMs = 0;
    runProbe();
}

void ServerProbe::runProbe() {
    m_timer.stop();
    if (m_inFlight) {
        m_client->cancel(m_inFlight);
        m_inFlight = 0;
    }
    Q_EMIT checkingStarted();

    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    RequestOptions options;
    options.retry = RetryPolicy::none(); // the probe has its own schedule
    options.timeoutMs = m_timeoutMs;
    m_inFlight = m_client->get(
        QStringLiteral("/healthz"),
        [this, timer](const ApiResult<QJsonObject> &result) {
            m_inFlight = 0;
            const qint64 latency = timer->elapsed();
            ServerStatus s;
            s.server = m_client->baseUrl();
            if (result.ok()) {
                probeReadiness(latency);
                return;
            }
            const ApiError &e = result.error();
            s.error = e;
            if (e.kind() == ApiError::Kind::Http) {
                s.latencyMs = latency;
                s.detail = e.detail();
                s.state = e.httpStatus() == 503 ? ServerStatus::State::Starting
                                                : ServerStatus::State::Incompatible;
            } else if (e.kind() == ApiError::Kind::Protocol) {
                s.latencyMs = latency;
                s.state = ServerStatus::State::Incompatible;
            } else {
                s.state = ServerStatus::State::Unreachable;
            }
            publish(s, e.retryAfterSeconds());
        },
        this, options);
}

void ServerProbe::probeReadiness(qint64 latencyMs) {
    RequestOptions options;
    options.retry = RetryPolicy::none();
    options.timeoutMs = m_timeoutMs;
    m_inFlight = m_client->get(
        QStringLiteral("/readyz"),
        [this, latencyMs](const ApiResult<QJsonObject> &result) {
            m_inFlight = 0;
            ServerStatus s;
            s.server = m_client->baseUrl();
            s.latencyMs = latencyMs;
            if (result.ok()) {
                const QJsonValue version = result.value().value(QStringLiteral("schema_version"));
                if (result.value().value(QStringLiteral("status")).toString() ==
                        QLatin1String("ready") &&
                    version.isDouble()) {
                    s.state = ServerStatus::State::Ready;
                    s.schemaVersion = version.toInt();
                } else {
                    s.state = ServerStatus::State::Incompatible;
                    s.error = ApiError(ApiError::Kind::Protocol,
                                       m_client->resolve(QStringLiteral("/readyz")))
                                  .setTechnicalDetail(QStringLiteral(
                                      "/readyz lacks status \"ready\" or schema_version"));
                }
                publish(s);
                return;
            }
            const ApiError &e = result.error();
            s.error = e;
            s.detail = e.detail();
            if (e.kind() == ApiError::Kind::Http && e.httpStatus() == 503)
                s.state = ServerStatus::State::NotReady;
            else if (e.kind() == ApiError::Kind::Http || e.kind() == ApiError::Kind::Protocol)
                s.state = ServerStatus::State::Incompatible;
            else
                s.state = ServerStatus::State::Unreachable;
            publish(s, e.retryAfterSeconds());
        },
        this, options);
}

void ServerProbe::publish(ServerStatus status, int retryAfterSeconds) {
    status.checkedAt = QDateTime::currentDateTimeUtc();
    int next = m_healthyIntervalMs;
    if (status.state != ServerStatus::State::Ready) {
        m_currentBackoffMs = m_currentBackoffMs == 0
                                 ? m_minBackoffMs
                                 : std::min(m_currentBackoffMs * 2, m_maxBackoffMs);
        next = m_currentBackoffMs;
        if (retryAfterSeconds >= 0)
            next = std::clamp(retryAfterSeconds * 1000, m_minBackoffMs, m_maxBackoffMs);
    } else {
        m_currentBackoffMs = 0;
    }
    status.nextCheckInMs = m_polling ? next : -1;
    m_status = status;
    if (m_polling)
        m_timer.start(next);
    Q_EMIT statusChanged(m_status);
}

} // namespace tenantry::client
