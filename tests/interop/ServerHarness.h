// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the end-to-end identity and interop tests: the real tenantry-server binary
// as a child process, its CLI, and a minimal HTTP/1.1 client over a real socket.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>
#include <QTcpSocket>
#include <QUrl>

namespace tenantry::test {

using Headers = QList<QPair<QByteArray, QByteArray>>;
using Params = QList<QPair<QString, QString>>;

inline QString serverBinary() {
    return qEnvironmentVariable("TENANTRY_SERVER_BINARY");
}

struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

inline CliRun runCli(const QStringList &args, int timeoutMs = 120000) {
    QProcess p;
    p.start(serverBinary(), args);
    CliRun r;
    if (!p.waitForStarted(5000))
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

struct Reply {
    int status = 0;
    Headers headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const {
        for (const auto &[k, v] : headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString code() const { return json().value(QStringLiteral("code")).toString(); }
    QString str(const char *member) const { return json().value(QLatin1String(member)).toString(); }
    QByteArray describe() const {
        return "HTTP " + QByteArray::number(status) + ": " + body.left(600);
    }
};

namespace detail {

inline QByteArray dechunk(const QByteArray &in, bool *complete) {
    QByteArray out;
    qsizetype pos = 0;
    *complete = false;
    while (true) {
        const qsizetype eol = in.indexOf("\r\n", pos);
        if (eol < 0)
            return out;
        bool ok = false;
        const qsizetype size =
            in.mid(pos, eol - pos).split(';').value(0).trimmed().toLongLong(&ok, 16);
        if (!ok)
            return out;
        if (size == 0) {
            *complete = true;
            return out;
        }
        if (in.size() < eol + 2 + size + 2)
            return out;
        out += in.mid(eol + 2, size);
        pos = eol + 2 + size + 2;
    }
}

// Parses what has arrived so far; true once the response is complete.
inline bool parse(const QByteArray &raw, Reply *reply, bool closed) {
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QByteArrayList lines = raw.left(end).split('\n');
    const QByteArrayList statusLine = lines.value(0).trimmed().split(' ');
    reply->status = statusLine.value(1).toInt();
    reply->headers.clear();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            reply->headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    const QByteArray rest = raw.mid(end + 4);
    if (reply->header("transfer-encoding").toLower().contains("chunked")) {
        bool complete = false;
        reply->body = dechunk(rest, &complete);
        return complete;
    }
    const QByteArray length = reply->header("content-length");
    if (!length.isEmpty()) {
        const qsizetype n = length.toLongLong();
        reply->body = rest.left(n);
        return rest.size() >= n;
    }
    reply->body = rest;
    return closed || reply->status == 204 || reply->status == 304;
}

} // namespace detail

// One request on its own connection (Connection: close).
inline Reply http(quint16 port, const QByteArray &method, const QByteArray &target,
                  const Headers &headers = {}, const QByteArray &body = {}) {
    Reply reply;
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(5000))
        return reply;
    QByteArray req = method + ' ' + target +
                     " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                     "\r\nConnection: close\r\n";
    for (const auto &[k, v] : headers)
        req += k + ": " + v + "\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
        req += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    req += "\r\n" + body;
    s.write(req);
    QByteArray raw;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 30000) {
        if (!s.waitForReadyRead(500)) {
            raw += s.readAll();
            if (s.state() == QAbstractSocket::UnconnectedState) {
                detail::parse(raw, &reply, true);
                return reply;
            }
            continue;
        }
        raw += s.readAll();
        if (detail::parse(raw, &reply, false))
            return reply;
    }
    reply.status = 0;
    return reply;
}

inline QByteArray form(const Params &params) {
    QByteArrayList parts;
    for (const auto &[k, v] : params)
        parts << QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v);
    return parts.join('&');
}

inline Reply postForm(quint16 port, const QByteArray &path, const Params &params) {
    return http(port, "POST", path, {{"Content-Type", "application/x-www-form-urlencoded"}},
                form(params));
}

inline Reply postJson(quint16 port, const QByteArray &path, const QJsonObject &body,
                      const Headers &extra = {}) {
    return http(port, "POST", path, Headers{{"Content-Type", "application/json"}} + extra,
                QJsonDocument(body).toJson(QJsonDocument::Compact));
}

inline Headers bearer(const QString &token) {
    return {{"Authorization", "Bearer " + token.toLatin1()}};
}

// A JWS segment decoded as JSON (0 = header, 1 = claims).
inline QJsonObject jwtPart(const QString &token, int index) {
    const QString part = token.split(u'.').value(index);
    return QJsonDocument::fromJson(
               QByteArray::fromBase64(part.toLatin1(), QByteArray::Base64UrlEncoding |
                                                           QByteArray::OmitTrailingEquals))
        .object();
}

// A running `serve` process; its listening port read from stdout, its log written to a file.
class ServerProcess {
public:
    ServerProcess(const QStringList &args, const QString &logFile)
        : m_log(logFile) {
        m_p.setStandardErrorFile(logFile); // never a pipe that fills up and blocks the server
        m_p.start(serverBinary(),
                  QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                              QStringLiteral("127.0.0.1:0"), QStringLiteral("--workers"),
                              QStringLiteral("2"), QStringLiteral("--log-format"),
                              QStringLiteral("json")} +
                      args);
        static const QRegularExpression re(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)"));
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 90000 && m_p.state() != QProcess::NotRunning) {
            m_p.waitForReadyRead(100);
            out += m_p.readAllStandardOutput();
            const auto m = re.match(QString::fromUtf8(out));
            if (m.hasMatch()) {
                m_port = quint16(m.captured(1).toUInt());
                break;
            }
        }
    }
    ~ServerProcess() {
        if (m_p.state() != QProcess::NotRunning) {
            m_p.terminate();
            if (!m_p.waitForFinished(15000)) {
                m_p.kill();
                m_p.waitForFinished();
            }
        }
    }
    ServerProcess(const ServerProcess &) = delete;
    ServerProcess &operator=(const ServerProcess &) = delete;

    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    QByteArray log() const {
        QFile f(m_log);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private:
    QProcess m_p;
    QString m_log;
    quint16 m_port = 0;
};

} // namespace tenantry::test
