// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/HttpWorker.h"

#include "core/Metrics.h"
#include "http/GuardedTcpServer.h"
#include "http/RequestDispatcher.h"
#include "http/WorkerContext.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

#include <unistd.h>

namespace tenantry {

Q_LOGGING_CATEGORY(lcWorker, "tenantry.http.worker")

HttpWorker::HttpWorker(int index, int listenFd, std::shared_ptr<const Router> router,
                       HttpLimits limits, ConnectionSettings runtime, ServerContext *server)
    : m_index(index)
    , m_fd(listenFd)
    , m_router(std::move(router))
    , m_limits(limits)
    , m_runtime(std::move(runtime))
    , m_server(server) {
    setObjectName(QStringLiteral("http-worker-%1").arg(index));
}

HttpWorker::~HttpWorker() {
    if (isRunning()) {
        requestDrain();
        wait();
    }
}

bool HttpWorker::waitUntilServing(QString *error) {
    m_started.acquire();
    if (!m_startError.isEmpty()) {
        *error = m_startError;
        return false;
    }
    return true;
}

void HttpWorker::requestDrain() {
    GuardedTcpServer *tcp = m_tcp.data();
    if (!tcp) {
        quit();
        return;
    }
    const int drainMs = m_limits.drainTimeoutMs;
    QMetaObject::invokeMethod(
        tcp,
        [tcp, drainMs] {
            tcp->beginDrain();
            auto quitWhenIdle = [tcp](int open) {
                if (open == 0)
                    QThread::currentThread()->quit();
            };
            QObject::connect(tcp, &GuardedTcpServer::connectionsChanged, tcp, quitWhenIdle);
            quitWhenIdle(tcp->openConnections());
            // Bounded: whatever is still open after the drain timeout is cut.
            QTimer::singleShot(drainMs, tcp, [tcp] {
                const auto sockets = tcp->findChildren<QTcpSocket *>();
                if (!sockets.isEmpty())
                    qCWarning(lcWorker)
                        << "drain timeout: aborting" << sockets.size() << "connection(s)";
                for (QTcpSocket *s : sockets)
                    s->abort();
                QThread::currentThread()->quit();
            });
        },
        Qt::QueuedConnection);
}

void HttpWorker::run() {
    {
        WorkerContext context(m_index, m_runtime, m_server);
        QHttpServer http;
        RequestDispatcher dispatcher(*m_router, context);
        // No Qt routes: every request reaches our router through the missing handler.
        http.setMissingHandler(
            [&dispatcher](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                dispatcher.dispatch(request, std::move(responder));
            });
        auto *tcp = new GuardedTcpServer(m_limits);
        if (!tcp->setSocketDescriptor(m_fd)) {
            m_startError = QStringLiteral("worker %1 cannot use the listening socket: %2")
                               .arg(m_index)
                               .arg(tcp->errorString());
            delete tcp;
            ::close(m_fd);
            m_started.release();
            return;
        }
        http.bind(tcp);
        m_tcp = tcp;
        const QString worker = QString::number(m_index);
        QObject::connect(tcp, &GuardedTcpServer::connectionsChanged, tcp, [worker](int open) {
            Metrics::instance().setGauge(QStringLiteral("tenantry_http_open_connections"),
                                         {{QStringLiteral("worker"), worker}}, open);
        });
        // Open the database connection now so the first request does not pay for it.
        int retry = 0;
        context.database().acquire(&retry); // also publishes tenantry_db_connection_up
        m_started.release();
        exec();
        m_tcp = nullptr;
        context.database().close();
    }
    qCDebug(lcWorker) << "worker" << m_index << "stopped";
}

} // namespace tenantry
