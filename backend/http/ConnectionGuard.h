// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/ApiError.h"
#include "http/HttpLimits.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QTcpSocket>
#include <QTimer>

namespace tenantry {

// Watches one client connection in front of Qt HTTP Server. It sees every chunk of bytes before
// the server does (its readyRead slot is connected first) and tracks request boundaries with a
// small framing parser, so it can:
//  - answer 431 for an oversized header block and 413 for an oversized body (from Content-Length
//    before the body arrives, or while a chunked body streams in),
//  - answer 400 for ambiguous framing (Content-Length with Transfer-Encoding, two different
//    Content-Lengths, a negative one, a missing Host on HTTP/1.1),
//  - answer "100 Continue" for Expect: 100-continue,
//  - close a request that does not complete within the request timeout (408) and a keep-alive
//    connection idle for longer than the idle timeout,
//  - remember per request whether the client asked to close (Connection: close, HTTP/1.0).
// On a rejection it drains the socket's buffer so the server never parses what we refused.
class ConnectionGuard : public QObject {
    Q_OBJECT
public:
    ConnectionGuard(QTcpSocket *socket, const HttpLimits &limits);

    static ConnectionGuard *of(QTcpSocket *socket);

    // Called by the response writer after a complete response to the oldest open request.
    // Returns true when the connection must be closed after this response.
    bool responseWritten();
    // True while the client has sent bytes of a request that is not yet answered.
    bool busy() const;
    // Drain: close now if idle, else after the current response.
    void beginDrain();
    // Writes an error response outside the normal path and closes the connection.
    void reject(const ApiError &error);

Q_SIGNALS:
    void idleNow();

private:
    enum class Phase { Idle, Headers, Body, ChunkedBody };
    struct Pending {
        bool close = false;
    };

    void onReadyRead();
    void feed(const char *data, qsizetype size);
    bool parseHeaderBlock(const QByteArray &block);
    void requestComplete();
    void armTimer();
    void onTimeout();

    QPointer<QTcpSocket> m_socket;
    HttpLimits m_limits;
    Phase m_phase = Phase::Idle;
    QByteArray m_headerBuf;
    qint64 m_bodyRemaining = 0;
    qint64 m_bodyReceived = 0;
    QByteArray m_chunkTail; // last bytes of a chunked body, to spot the terminating chunk
    bool m_currentClose = false;
    QQueue<Pending> m_pending; // parsed, not yet answered
    QTimer m_timer;
    bool m_requestDeadline = false;
    bool m_rejected = false;
    bool m_draining = false;
};

} // namespace tenantry
