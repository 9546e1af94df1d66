// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ConnectionSettings.h"
#include "http/HttpLimits.h"
#include "http/Router.h"

#include <QPointer>
#include <QSemaphore>
#include <QThread>

#include <memory>

namespace tenantry {

class GuardedTcpServer;
struct ServerContext;

// One worker thread: its own QHttpServer, its own listening socket on the shared port
// (SO_REUSEPORT: the kernel spreads connections), its own database connection. Nothing of one
// worker is touched by another thread.
class HttpWorker : public QThread {
    Q_OBJECT
public:
    HttpWorker(int index, int listenFd, std::shared_ptr<const Router> router, HttpLimits limits,
               ConnectionSettings runtime, ServerContext *server);
    ~HttpWorker() override;

    // Blocks until the worker serves (or failed to start).
    bool waitUntilServing(QString *error);
    // Asks the worker to stop accepting and to exit once its connections are done, or after the
    // drain timeout. Returns at once; wait() for the thread.
    void requestDrain();

protected:
    void run() override;

private:
    int m_index;
    int m_fd;
    std::shared_ptr<const Router> m_router;
    HttpLimits m_limits;
    ConnectionSettings m_runtime;
    ServerContext *m_server;
    QSemaphore m_started;
    QString m_startError;
    QPointer<GuardedTcpServer> m_tcp;
};

} // namespace tenantry
