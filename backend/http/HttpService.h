// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ConnectionSettings.h"
#include "http/HttpLimits.h"
#include "http/Router.h"

#include <QHostAddress>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace tenantry {

class HttpWorker;
struct ServerContext;

// The API server: N worker threads sharing one port. Owns nothing of the workers' internals;
// it only starts them and drains them.
class HttpService {
public:
    HttpService(std::shared_ptr<const Router> router, HttpLimits limits, ConnectionSettings runtime,
                ServerContext *server = nullptr);
    ~HttpService();

    // Binds host:port (port 0 picks a free one) and starts `workers` threads.
    // `onBound` runs with the chosen port before any worker serves (e.g. to fix the issuer URL).
    bool start(const QHostAddress &host, quint16 port, int workers, QString *error,
               const std::function<void(quint16)> &onBound = {});
    quint16 port() const { return m_port; }
    QHostAddress address() const { return m_address; }
    // Stop accepting, let in-flight requests finish (bounded by the drain timeout), stop threads.
    void drain();

private:
    std::shared_ptr<const Router> m_router;
    HttpLimits m_limits;
    ConnectionSettings m_runtime;
    ServerContext *m_server;
    QList<HttpWorker *> m_workers;
    QHostAddress m_address;
    quint16 m_port = 0;
};

} // namespace tenantry
