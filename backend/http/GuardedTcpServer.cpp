// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/GuardedTcpServer.h"

#include "http/ApiResult.h"
#include "http/ConnectionGuard.h"
#include "http/HttpWire.h"

#include <QTcpSocket>

namespace tenantry {

GuardedTcpServer::GuardedTcpServer(const HttpLimits &limits, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits) {}

void GuardedTcpServer::incomingConnection(qintptr descriptor) {
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (m_draining || m_open >= m_limits.maxConnectionsPerWorker) {
        const ApiError error(m_draining ? ErrorCode::ShuttingDown : ErrorCode::TooManyConnections);
        ApiResult r = ApiResult::fromError(error);
        r.withHeader("Retry-After", "1");
        socket->write(HttpWire::encode(r, {false, true}));
        socket->disconnectFromHost();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        return;
    }
    ++m_open;
    Q_EMIT connectionsChanged(m_open);
    connect(socket, &QObject::destroyed, this, [this] {
        --m_open;
        Q_EMIT connectionsChanged(m_open);
    });
    new ConnectionGuard(socket, m_limits);
    addPendingConnection(socket);
}

void GuardedTcpServer::beginDrain() {
    m_draining = true;
    close();
    const auto sockets = findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly);
    for (QTcpSocket *s : sockets) {
        if (auto *guard = ConnectionGuard::of(s))
            guard->beginDrain();
    }
}

} // namespace tenantry
