// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/ConnectionGuard.h"

#include "core/StructuredLog.h"
#include "http/ApiResult.h"
#include "http/ErrorCatalog.h"
#include "http/HttpWire.h"

#include <QLoggingCategory>

namespace tenantry {

Q_LOGGING_CATEGORY(lcGuard, "tenantry.http.guard")

namespace {
const char kGuardProperty[] = "_tenantry_guard";

QByteArray lowerTrimmed(QByteArray v) {
    return v.trimmed().toLower();
}
} // namespace

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const HttpLimits &limits)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits) {
    socket->setProperty(kGuardProperty, QVariant::fromValue(static_cast<QObject *>(this)));
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionGuard::onTimeout);
    // Connected before Qt HTTP Server takes the socket, so this runs first on every readyRead.
    connect(socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
    armTimer();
}

ConnectionGuard *ConnectionGuard::of(QTcpSocket *socket) {
    if (!socket)
        return nullptr;
    return qobject_cast<ConnectionGuard *>(socket->property(kGuardProperty).value<QObject *>());
}

bool ConnectionGuard::busy() const {
    return m_phase != Phase::Idle || !m_pending.isEmpty();
}

void ConnectionGuard::armTimer() {
    if (m_phase != Phase::Idle) {
        // The request deadline runs from the request's first byte; more bytes do not extend it,
        // or a client trickling one byte at a time would never time out.
        if (!m_requestDeadline) {
            m_requestDeadline = true;
            m_timer.start(m_limits.requestTimeoutMs);
        }
        return;
    }
    m_requestDeadline = false;
    if (m_pending.isEmpty())
        m_timer.start(m_limits.idleTimeoutMs);
    else
        m_timer.stop(); // a handler owns the request; it answers in its own time
}

void ConnectionGuard::onTimeout() {
    if (!m_socket || m_rejected)
        return;
    if (m_phase != Phase::Idle) {
        qCInfo(lcGuard) << "closing slow request from" << m_socket->peerAddress().toString();
        reject(ApiError(ErrorCode::RequestTimeout,
                        QStringLiteral("The request was not completed in time.")));
        return;
    }
    if (m_pending.isEmpty())
        m_socket->disconnectFromHost();
}

void ConnectionGuard::reject(const ApiError &error) {
    if (!m_socket || m_rejected)
        return;
    m_rejected = true;
    m_timer.stop();
    const auto entry = ErrorCatalog::entry(error.code);
    StructuredLog::write(lcGuard(), QtInfoMsg, QStringLiteral("request rejected"),
                         {{QStringLiteral("status"), entry.status},
                          {QStringLiteral("code"), QString::fromLatin1(entry.code)},
                          {QStringLiteral("remote"), m_socket->peerAddress().toString()}});
    m_socket->readAll(); // Qt HTTP Server's slot, which runs next, finds nothing to parse
    m_socket->write(HttpWire::encode(ApiResult::fromError(error), {false, true}));
    m_socket->disconnectFromHost();
    // A peer that never reads would keep the socket in closing state forever.
    QTimer::singleShot(5000, m_socket.data(), [s = m_socket] {
        if (s)
            s->abort();
    });
}

void ConnectionGuard::onReadyRead() {
    if (!m_socket)
        return;
    if (m_rejected) {
        m_socket->readAll();
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    const QByteArray chunk = m_socket->peek(available);
    feed(chunk.constData(), chunk.size());
    if (!m_rejected)
        armTimer();
}

void ConnectionGuard::feed(const char *data, qsizetype size) {
    qsizetype pos = 0;
    while (pos < size && !m_rejected) {
        switch (m_phase) {
        case Phase::Idle:
            // Tolerate stray CRLF between requests (RFC 9112 §2.2).
            if (m_headerBuf.isEmpty() && (data[pos] == '\r' || data[pos] == '\n')) {
                ++pos;
                continue;
            }
            m_phase = Phase::Headers;
            m_headerBuf.clear();
            m_requestDeadline = true;
            m_timer.start(m_limits.requestTimeoutMs);
            break;
        case Phase::Headers: {
            const qsizetype take = size - pos;
            const qsizetype before = m_headerBuf.size();
            m_headerBuf.append(data + pos, take);
            qsizetype end = m_headerBuf.indexOf("\r\n\r\n");
            qsizetype endLen = 4;
            const qsizetype lf = m_headerBuf.indexOf("\n\n");
            if (lf >= 0 && (end < 0 || lf < end)) {
                end = lf;
                endLen = 2;
            }
            if (end < 0) {
                if (m_headerBuf.size() > m_limits.maxHeaderBytes) {
                    reject(ApiError(ErrorCode::HeadersTooLarge,
                                    QStringLiteral("Request headers exceed %1 bytes.")
                                        .arg(m_limits.maxHeaderBytes)));
                }
                return;
            }
            if (end + endLen > m_limits.maxHeaderBytes) {
                reject(ApiError(ErrorCode::HeadersTooLarge,
                                QStringLiteral("Request headers exceed %1 bytes.")
                                    .arg(m_limits.maxHeaderBytes)));
                return;
            }
            const QByteArray block = m_headerBuf.left(end);
            pos += (end + endLen) - before;
            m_headerBuf.clear();
            if (!parseHeaderBlock(block))
                return;
            break;
        }
        case Phase::Body: {
            const qint64 take = std::min<qint64>(m_bodyRemaining, size - pos);
            m_bodyRemaining -= take;
            pos += take;
            if (m_bodyRemaining == 0)
                requestComplete();
            break;
        }
        case Phase::ChunkedBody: {
            const qsizetype take = size - pos;
            m_bodyReceived += take;
            if (m_bodyReceived > m_limits.maxBodyBytes + 64 * 1024) {
                reject(ApiError(
                    ErrorCode::PayloadTooLarge,
                    QStringLiteral("Request body exceeds %1 bytes.").arg(m_limits.maxBodyBytes)));
                return;
            }
            m_chunkTail.append(data + pos, take);
            if (m_chunkTail.size() > 16)
                m_chunkTail = m_chunkTail.right(16);
            pos = size;
            // The last chunk "0" followed by an empty trailer section ends the body.
            if (m_chunkTail.endsWith("\r\n0\r\n\r\n") || m_chunkTail == "0\r\n\r\n")
                requestComplete();
            break;
        }
        }
    }
}

bool ConnectionGuard::parseHeaderBlock(const QByteArray &block) {
    const QByteArrayList lines = block.split('\n');
    const QByteArray requestLine = lines.value(0).trimmed();
    const QByteArrayList parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/1.")) {
        reject(ApiError(ErrorCode::BadRequest, QStringLiteral("Malformed request line.")));
        return false;
    }
    const bool http10 = parts.at(2) == "HTTP/1.0";
    qint64 contentLength = -1;
    bool chunked = false;
    bool hasHost = false;
    bool close = http10;
    bool expectContinue = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        if (line.startsWith(' ') || line.startsWith('\t')) {
            reject(ApiError(ErrorCode::BadRequest,
                            QStringLiteral("Obsolete header line folding is not accepted.")));
            return false;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            reject(ApiError(ErrorCode::BadRequest, QStringLiteral("Malformed header line.")));
            return false;
        }
        const QByteArray name = line.left(colon).toLower();
        if (name.contains(' ') || name.contains('\t')) {
            reject(ApiError(ErrorCode::BadRequest, QStringLiteral("Malformed header name.")));
            return false;
        }
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            const qint64 n = value.toLongLong(&ok);
            bool digits = !value.isEmpty();
            for (char c : value)
                digits = digits && c >= '0' && c <= '9';
            if (!ok || !digits || n < 0 || (contentLength >= 0 && contentLength != n)) {
                reject(ApiError(ErrorCode::BadRequest, QStringLiteral("Invalid Content-Length.")));
                return false;
            }
            contentLength = n;
        } else if (name == "transfer-encoding") {
            if (lowerTrimmed(value) != "chunked" || chunked) {
                reject(ApiError(ErrorCode::BadRequest,
                                QStringLiteral("Only Transfer-Encoding: chunked is supported.")));
                return false;
            }
            chunked = true;
        } else if (name == "host") {
            hasHost = true;
        } else if (name == "connection") {
            const QByteArrayList tokens = value.toLower().split(',');
            for (const QByteArray &t : tokens) {
                if (t.trimmed() == "close")
                    close = true;
                else if (t.trimmed() == "keep-alive" && http10)
                    close = true; // we do not do HTTP/1.0 keep-alive
            }
        } else if (name == "expect") {
            if (lowerTrimmed(value) != "100-continue") {
                reject(ApiError(ErrorCode::BadRequest, QStringLiteral("Unsupported Expect.")));
                return false;
            }
            expectContinue = true;
        }
    }
    if (chunked && contentLength >= 0) {
        reject(ApiError(ErrorCode::BadRequest,
                        QStringLiteral("Content-Length and Transfer-Encoding together.")));
        return false;
    }
    if (!http10 && !hasHost) {
        reject(ApiError(ErrorCode::BadRequest, QStringLiteral("Missing Host header.")));
        return false;
    }
    if (contentLength > m_limits.maxBodyBytes) {
        reject(
            ApiError(ErrorCode::PayloadTooLarge,
                     QStringLiteral("Request body exceeds %1 bytes.").arg(m_limits.maxBodyBytes)));
        return false;
    }
    m_currentClose = close;
    if (expectContinue && !http10 && (chunked || contentLength > 0))
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    if (chunked) {
        m_phase = Phase::ChunkedBody;
        m_bodyReceived = 0;
        m_chunkTail.clear();
    } else if (contentLength > 0) {
        m_phase = Phase::Body;
        m_bodyRemaining = contentLength;
    } else {
        requestComplete();
    }
    return true;
}

void ConnectionGuard::requestComplete() {
    m_pending.enqueue({m_currentClose});
    m_phase = Phase::Idle;
    m_currentClose = false;
}

bool ConnectionGuard::responseWritten() {
    const bool close = m_pending.isEmpty() ? false : m_pending.dequeue().close;
    if (!m_rejected)
        armTimer();
    if (m_draining && !busy())
        return true;
    if (!busy())
        Q_EMIT idleNow();
    return close;
}

void ConnectionGuard::beginDrain() {
    m_draining = true;
    if (m_socket && !busy())
        m_socket->disconnectFromHost();
}

} // namespace tenantry
