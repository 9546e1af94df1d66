// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A tiny real HTTP/1.1 server for client tests: a QTcpServer on 127.0.0.1 that answers each
// request with a canned response chosen by a handler. It is a real peer on a real socket, so the
// client under test goes through Qt's whole network stack.

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <functional>
#include <memory>

namespace tenantry::test {

struct CannedRequest {
    QByteArray method;
    QByteArray path;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    qint64 receivedAtMs = 0;
};

struct CannedResponse {
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool hang = false;              // never answer (for timeouts)
    bool omitContentLength = false; // body delimited by closing the connection

    static CannedResponse json(int status, const QByteArray &body,
                               const QByteArray &contentType = "application/json") {
        CannedResponse r;
        r.status = status;
        r.body = body;
        r.headers.append({"Content-Type", contentType});
        return r;
    }
    static CannedResponse problem(int status, const QByteArray &code, const QByteArray &detail) {
        return json(status,
                    "{\"type\":\"https://tenantry.dev/problems/" + code +
                        "\",\"title\":\"T\","
                        "\"status\":" +
                        QByteArray::number(status) + ",\"detail\":\"" + detail + "\",\"code\":\"" +
                        code + "\"}",
                    "application/problem+json");
    }
    CannedResponse &header(const QByteArray &name, const QByteArray &value) {
        headers.append({name, value});
        return *this;
    }
};

class CannedHttpServer {
public:
    using Handler = std::function<CannedResponse(const CannedRequest &request, int index)>;

    CannedHttpServer() {
        m_clock.start();
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }

    bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
    void close() { m_server.close(); }
    quint16 port() const { return m_server.serverPort(); }
    QUrl url() const {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // Same response for every request to `path`; unknown paths get 404 problem+json.
    void route(const QByteArray &path, const CannedResponse &response) {
        m_routes.insert(path, response);
    }
    const QList<CannedRequest> &requests() const { return m_requests; }
    int requestCount(const QByteArray &path = {}) const {
        int n = 0;
        for (const auto &r : m_requests)
            n += path.isEmpty() || r.path == path;
        return n;
    }

    // A port on which nothing listens (bound, then released).
    static quint16 closedPort() {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        const quint16 port = probe.serverPort();
        probe.close();
        return port;
    }

private:
    void serve(QTcpSocket *socket) {
        socket->setParent(&m_server);
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            buffer->append(socket->readAll());
            for (;;) {
                const qsizetype end = buffer->indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                CannedRequest request;
                const QList<QByteArray> lines = buffer->left(end).split('\n');
                const QList<QByteArray> start = lines.value(0).trimmed().split(' ');
                request.method = start.value(0);
                request.path = start.value(1);
                qsizetype length = 0;
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const qsizetype colon = lines[i].indexOf(':');
                    if (colon <= 0)
                        continue;
                    const QByteArray name = lines[i].left(colon).trimmed();
                    const QByteArray value = lines[i].mid(colon + 1).trimmed();
                    request.headers.append({name, value});
                    if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                        length = value.toLongLong();
                }
                if (buffer->size() < end + 4 + length)
                    return;
                request.body = buffer->mid(end + 4, length);
                buffer->remove(0, end + 4 + length);
                request.receivedAtMs = m_clock.elapsed();
                const int index = int(m_requests.size());
                m_requests.append(request);
                respond(socket, request, index);
                return; // Connection: close — one request per connection
            }
        });
    }

    void respond(QTcpSocket *socket, const CannedRequest &request, int index) {
        CannedResponse response;
        if (m_handler) {
            response = m_handler(request, index);
        } else {
            const QByteArray path = request.path.split('?').value(0);
            response = m_routes.contains(path)
                           ? m_routes.value(path)
                           : CannedResponse::problem(404, "not_found", "No such path.");
        }
        if (response.hang)
            return;
        QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + " Canned\r\n";
        for (const auto &h : response.headers)
            out += h.first + ": " + h.second + "\r\n";
        if (!response.omitContentLength)
            out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
        out += "Connection: close\r\n\r\n";
        if (request.method != "HEAD")
            out += response.body;
        socket->write(out);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QElapsedTimer m_clock;
    Handler m_handler;
    QHash<QByteArray, CannedResponse> m_routes;
    QList<CannedRequest> m_requests;
};

} // namespace tenantry::test
