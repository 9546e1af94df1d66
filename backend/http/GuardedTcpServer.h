// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/HttpLimits.h"

#include <QTcpServer>

namespace tenantry {

// A QTcpServer that puts a ConnectionGuard on every accepted socket before Qt HTTP Server sees
// it, and caps the number of open connections.
class GuardedTcpServer : public QTcpServer {
    Q_OBJECT
public:
    explicit GuardedTcpServer(const HttpLimits &limits, QObject *parent = nullptr);

    int openConnections() const { return m_open; }
    // Stop accepting; close idle connections now and busy ones after their response.
    void beginDrain();

Q_SIGNALS:
    void connectionsChanged(int open);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    HttpLimits m_limits;
    int m_open = 0;
    bool m_draining = false;
};

} // namespace tenantry
