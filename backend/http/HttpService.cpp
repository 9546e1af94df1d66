// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/HttpService.h"

#include "http/HttpWorker.h"

#include "core/Metrics.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tenantry {

namespace {

// socket() + bind() (+ listen()) by hand, because QTcpServer cannot set SO_REUSEPORT.
int openSocket(const QHostAddress &host, quint16 *port, bool reusePort, bool doListen,
               QString *error) {
    sockaddr_storage storage{};
    socklen_t len = 0;
    int family = AF_INET;
    if (host.protocol() == QAbstractSocket::IPv6Protocol) {
        family = AF_INET6;
        auto *a = reinterpret_cast<sockaddr_in6 *>(&storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(*port);
        const Q_IPV6ADDR ip = host.toIPv6Address();
        std::memcpy(&a->sin6_addr, &ip, sizeof ip);
        len = sizeof(sockaddr_in6);
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&storage);
        a->sin_family = AF_INET;
        a->sin_port = htons(*port);
        a->sin_addr.s_addr = htonl(host.toIPv4Address());
        len = sizeof(sockaddr_in);
    }
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reusePort)
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&storage), len) != 0) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(host.toString())
                     .arg(*port)
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    if (*port == 0) {
        sockaddr_storage bound{};
        socklen_t blen = sizeof bound;
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &blen);
        *port = family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port)
                                   : ntohs(reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    }
    if (doListen && ::listen(fd, 1024) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

HttpService::HttpService(std::shared_ptr<const Router> router, HttpLimits limits,
                         ConnectionSettings runtime, ServerContext *server)
    : m_router(std::move(router))
    , m_limits(limits)
    , m_runtime(std::move(runtime))
    , m_server(server) {}

HttpService::~HttpService() {
    drain();
}

bool HttpService::start(const QHostAddress &host, quint16 port, int workers, QString *error,
                        const std::function<void(quint16)> &onBound) {
    Metrics &metrics = Metrics::instance();
    metrics.defineCounter(QStringLiteral("tenantry_http_requests_total"),
                          QStringLiteral("HTTP requests by route, method, status and tenant."));
    metrics.defineHistogram(QStringLiteral("tenantry_http_request_duration_seconds"),
                            QStringLiteral("Time from request parsed to response written."),
                            {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
    metrics.defineCounter(QStringLiteral("tenantry_rate_limited_total"),
                          QStringLiteral("Requests refused with 429."));
    metrics.defineGauge(QStringLiteral("tenantry_http_open_connections"),
                        QStringLiteral("Open client connections per worker."));
    metrics.defineGauge(QStringLiteral("tenantry_db_connection_up"),
                        QStringLiteral("1 when a worker's database connection is open."));
    metrics.defineGauge(QStringLiteral("tenantry_websocket_connections"),
                        QStringLiteral("Open WebSocket streams."));
    metrics.setGauge(QStringLiteral("tenantry_websocket_connections"), {}, 0);
    // Probe without SO_REUSEPORT first: otherwise a second server on the same port would
    // silently share it with the first instead of failing.
    quint16 chosen = port;
    const int probe = openSocket(host, &chosen, false, false, error);
    if (probe < 0)
        return false;
    ::close(probe);
    m_address = host;
    m_port = chosen;
    if (onBound)
        onBound(m_port);
    for (int i = 0; i < std::max(1, workers); ++i) {
        quint16 p = m_port;
        const int fd = openSocket(host, &p, true, true, error);
        if (fd < 0) {
            drain();
            return false;
        }
        auto *worker = new HttpWorker(i, fd, m_router, m_limits, m_runtime, m_server);
        worker->start();
        if (!worker->waitUntilServing(error)) {
            worker->wait();
            delete worker;
            drain();
            return false;
        }
        m_workers.append(worker);
    }
    return true;
}

void HttpService::drain() {
    for (HttpWorker *w : std::as_const(m_workers))
        w->requestDrain();
    for (HttpWorker *w : std::as_const(m_workers)) {
        w->wait();
        delete w;
    }
    m_workers.clear();
}

} // namespace tenantry
