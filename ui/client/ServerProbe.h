// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ServerStatus.h"

#include <QObject>
#include <QTimer>

namespace tenantry::client {

class ApiClient;

// Watches a server: GET /healthz (latency), then GET /readyz (readiness, schema version).
// Polls every `healthyIntervalMs` while ready; while not ready or unreachable it backs off from
// `minBackoffMs` doubling to `maxBackoffMs`, or follows the server's Retry-After.
class ServerProbe : public QObject {
    Q_OBJECT

public:
    explicit ServerProbe(ApiClient *client, QObject *parent = nullptr);

    void setHealthyIntervalMs(int ms) { m_healthyIntervalMs = ms; }
    void setBackoffMs(int minMs, int maxMs) {
        m_minBackoffMs = minMs;
        m_maxBackoffMs = maxMs;
    }
    void setProbeTimeoutMs(int ms) { m_timeoutMs = ms; }

    ServerStatus status() const { return m_status; }
    bool isChecking() const { return m_inFlight != 0; }
    bool isPolling() const { return m_polling; }

public Q_SLOTS:
    // Starts polling; the first check runs at once.
    void start();
    void stop();
    // Checks now (F5, Retry), resetting the backoff.
    void probeNow();

Q_SIGNALS:
    void checkingStarted();
    void statusChanged(const tenantry::client::ServerStatus &status);

private:
    void runProbe();
    void probeReadiness(qint64 latencyMs);
    void publish(ServerStatus status, int retryAfterSeconds = -1);

    ApiClient *m_client;
    QTimer m_timer;
    ServerStatus m_status;
    quint64 m_inFlight = 0;
    bool m_polling = false;
    int m_healthyIntervalMs = 30'000;
    int m_minBackoffMs = 1'000;
    int m_maxBackoffMs = 60'000;
    int m_currentBackoffMs = 0;
    int m_timeoutMs = 5'000;
};

} // namespace tenantry::client
