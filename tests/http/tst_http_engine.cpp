// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP engine over real sockets: the guard's limits and timeouts, our routing and framing
// rules, and survival of clients that misbehave. The server runs in its own worker threads;
// the test speaks raw HTTP/1.1 from the test thread with blocking sockets.
#include "http/HealthRoutes.h"
#include "http/HttpService.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>
#include <QtConcurrent>

using namespace tenantry;

namespace {

struct Response {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QByteArray header(const QByteArray &name) const {
        for (const auto &[k, v] : headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
};

// Reads one response from `s`; returns status 0 when nothing complete arrived in time.
Response readResponse(QTcpSocket &s, bool head = false, int timeoutMs = 5000) {
    Response r;
    QElapsedTimer t;
    t.start();
    QByteArray buf;
    qsizetype headerEnd = -1;
    while ((headerEnd = buf.indexOf("\r\n\r\n")) < 0) {
        if (s.bytesAvailable() == 0 &&
            !s.waitForReadyRead(std::max<int>(1, timeoutMs - int(t.elapsed()))))
            return r;
        buf += s.read(1); // byte by byte: never consume the next response's bytes
        if (t.elapsed() > timeoutMs)
            return r;
    }
    const QByteArrayList lines = buf.left(headerEnd).split('\n');
    r.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray l = lines.at(i).trimmed();
        const qsizetype c = l.indexOf(':');
        r.headers.append({l.left(c), l.mid(c + 1).trimmed()});
    }
    if (head || r.status == 204 || r.status == 304 || r.status < 200)
        return r;
    const qint64 length = r.header("Content-Length").toLongLong();
    while (r.body.size() < length) {
        if (s.bytesAvailable() == 0 &&
            !s.waitForReadyRead(std::max<int>(1, timeoutMs - int(t.elapsed()))))
            break;
        r.body += s.read(length - r.body.size());
    }
    return r;
}

bool waitClosed(QTcpSocket &s, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (s.state() != QAbstractSocket::UnconnectedState && t.elapsed() < timeoutMs) {
        s.waitForReadyRead(50);
        s.readAll();
        if (s.state() == QAbstractSocket::UnconnectedState)
            break;
    }
    return s.state() == QAbstractSocket::UnconnectedState;
}

} // namespace

class TestHttpEngine : public QObject {
    Q_OBJECT
    std::unique_ptr<HttpService> m_service;
    HttpLimits m_limits;
    quint16 m_port = 0;

    bool connectTo(QTcpSocket &s) {
        s.connectToHost(QHostAddress::LocalHost, m_port);
        return s.waitForConnected(3000);
    }
    Response roundTrip(const QByteArray &request, bool head = false) {
        QTcpSocket s;
        if (!connectTo(s))
            return {};
        s.write(request);
        s.flush();
        return readResponse(s, head);
    }

private Q_SLOTS:
    void initTestCase() {
        auto router = std::make_shared<Router>();
        HealthRoutes::registerOn(*router);
        router->add("GET", QStringLiteral("/echo"), [](ApiRequest &r) {
            return ApiResult::json(
                QJsonObject{{QStringLiteral("q"), r.queryValue(QStringLiteral("q"))}});
        });
        router->add("POST", QStringLiteral("/echo"), [](ApiRequest &r) {
            return ApiResult::json(QJsonObject{{QStringLiteral("bytes"), r.body.size()}});
        });
        router->add("GET", QStringLiteral("/items/{id}"), [](ApiRequest &r) {
            return ApiResult::json(
                QJsonObject{{QStringLiteral("id"), r.params.value(QStringLiteral("id"))}});
        });
        router->add("DELETE", QStringLiteral("/items/{id}"),
                    [](ApiRequest &) { return ApiResult::noContent(); });
        router->add("GET", QStringLiteral("/boom"), [](ApiRequest &) -> ApiResult {
            throw std::runtime_error("secret internal detail /etc/passwd");
        });
        m_limits.maxHeaderBytes = 8 * 1024;
        m_limits.maxBodyBytes = 64 * 1024;
        m_limits.requestTimeoutMs = 1500;
        m_limits.idleTimeoutMs = 2500;
        m_limits.maxConnectionsPerWorker = 40;
        m_limits.drainTimeoutMs = 4000;
        // No database in this test: the runtime settings point nowhere (readyz answers 503).
        ConnectionSettings nowhere;
        nowhere.host = QStringLiteral("/nonexistent-socket-dir");
        nowhere.database = nowhere.user = QStringLiteral("x");
        m_service = std::make_unique<HttpService>(router, m_limits, nowhere);
        QString error;
        QVERIFY2(m_service->start(QHostAddress::LocalHost, 0, 2, &error), qPrintable(error));
        m_port = m_service->port();
        QVERIFY(m_port > 0);
    }

    void servesAndFramesJson() {
        const Response r = roundTrip("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("{\"status\":\"ok\"}"));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QVERIFY(!r.header("Date").isEmpty());
        QCOMPARE(r.header("traceparent").size(), 55);
    }

    void readyzWithoutDatabaseIs503() {
        const Response r = roundTrip("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(r.status, 503);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(r.header("Retry-After").toInt() >= 1);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("code")).toString(),
                 QStringLiteral("not_ready"));
    }

    void traceparentIsHonoured() {
        const Response r =
            roundTrip("GET /healthz HTTP/1.1\r\nHost: t\r\ntraceparent: "
                      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n");
        QVERIFY(r.header("traceparent").startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
    }

    void notFoundAndMethodNotAllowed() {
        Response r = roundTrip("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(r.status, 404);
        r = roundTrip("PUT /items/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("GET, DELETE, HEAD"));
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("code")).toString(),
                 QStringLiteral("method_not_allowed"));
        r = roundTrip("OPTIONS /items/7 HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(r.status, 204);
        QCOMPARE(r.header("Allow"), QByteArray("GET, DELETE, HEAD"));
        r = roundTrip("TRACE /items/7 HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(r.status, 501);
        // An encoded slash does not route /items/a%2Fb to some other path.
        r = roundTrip("GET /items/a%2Fb HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("id")).toString(),
                 QStringLiteral("a/b"));
        r = roundTrip("GET /echo?q=a%2Bb+c HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("q")).toString(),
                 QStringLiteral("a+b c"));
    }

    void headHasNoBodyAndKeepsTheConnectionUsable() {
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        const Response head = readResponse(s, true);
        QCOMPARE(head.status, 200);
        QCOMPARE(head.header("Content-Length"), QByteArray("15"));
        // If HEAD had sent a body, these bytes would be read as the next status line.
        s.write("GET /echo?q=next HTTP/1.1\r\nHost: t\r\n\r\n");
        const Response next = readResponse(s);
        QCOMPARE(next.status, 200);
        QCOMPARE(next.body, QByteArray("{\"q\":\"next\"}"));
    }

    void noContentHasNoBody() {
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write("DELETE /items/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /echo?q=after HTTP/1.1\r\nHost: "
                "t\r\n\r\n");
        const Response del = readResponse(s);
        QCOMPARE(del.status, 204);
        QVERIFY(del.header("Content-Length").isEmpty());
        const Response next = readResponse(s); // pipelined: in order, framing intact
        QCOMPARE(next.status, 200);
        QCOMPARE(next.body, QByteArray("{\"q\":\"after\"}"));
    }

    void connectionCloseIsHonoured() {
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        const Response r = readResponse(s);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Connection"), QByteArray("close"));
        QVERIFY(waitClosed(s, 2000));

        QTcpSocket old;
        QVERIFY(connectTo(old));
        old.write("GET /healthz HTTP/1.0\r\n\r\n");
        QCOMPARE(readResponse(old).status, 200);
        QVERIFY(waitClosed(old, 2000));
    }

    void oversizedHeadersGet431() {
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + QByteArray(20000, 'a') +
                "\r\n\r\n");
        const Response r = readResponse(s);
        QCOMPARE(r.status, 431);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("code")).toString(),
                 QStringLiteral("headers_too_large"));
        QVERIFY(waitClosed(s, 3000));
    }

    void oversizedBodyGets413BeforeItIsSent() {
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Content-Length: 1073741824\r\n\r\n");
        const Response r = readResponse(s);
        QCOMPARE(r.status, 413);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("code")).toString(),
                 QStringLiteral("payload_too_large"));
        QVERIFY(waitClosed(s, 3000));
    }

    void oversizedChunkedBodyGets413() {
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
        const QByteArray chunk = "4000\r\n" + QByteArray(0x4000, 'x') + "\r\n";
        Response r;
        for (int i = 0; i < 16 && s.state() == QAbstractSocket::ConnectedState; ++i) {
            s.write(chunk);
            s.waitForBytesWritten(1000);
        }
        r = readResponse(s);
        QCOMPARE(r.status, 413);
    }

    void chunkedBodyWithinLimitWorks() {
        const Response r =
            roundTrip("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("{\"bytes\":11}"));
    }

    void ambiguousFramingIsRefused_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::newRow("CL and TE")
            << QByteArray("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        QTest::newRow("two CLs") << QByteArray(
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
            "Content-Length: 6\r\n\r\nhello!");
        QTest::newRow("negative CL")
            << QByteArray("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n");
        QTest::newRow("TE identity") << QByteArray("POST /echo HTTP/1.1\r\nHost: t\r\n"
                                                   "Transfer-Encoding: chunked, identity\r\n\r\n");
        QTest::newRow("obs-fold") << QByteArray(
            "GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n\r\n");
        QTest::newRow("no Host") << QByteArray("GET /healthz HTTP/1.1\r\n\r\n");
        QTest::newRow("bad request line") << QByteArray("GET /healthz\r\nHost: t\r\n\r\n");
    }
    void ambiguousFramingIsRefused() {
        QFETCH(QByteArray, request);
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write(request);
        const Response r = readResponse(s);
        QCOMPARE(r.status, 400);
        QVERIFY(waitClosed(s, 3000));
    }

    void expectContinueIsAnswered() {
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write(
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        const Response cont = readResponse(s, false, 2000);
        QCOMPARE(cont.status, 100);
        s.write("abcd");
        const Response r = readResponse(s);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("{\"bytes\":4}"));
    }

    void slowRequestIsClosedWhileOthersAreServed() {
        QTcpSocket slow;
        QVERIFY(connectTo(slow));
        const QByteArray request = "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: 1\r\n\r\n";
        QElapsedTimer t;
        t.start();
        int served = 0;
        qsizetype sent = 0;
        // One byte every 100 ms: the request would take ~4.5 s; the limit is 1.5 s.
        while (slow.state() == QAbstractSocket::ConnectedState && t.elapsed() < 6000 &&
               sent < request.size()) {
            slow.write(request.mid(sent++, 1));
            slow.waitForBytesWritten(100);
            if (roundTrip("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").status == 200)
                ++served;
            if (slow.waitForReadyRead(60))
                break;
        }
        const Response r = readResponse(slow, false, 3000);
        QCOMPARE(r.status, 408);
        QVERIFY2(t.elapsed() < m_limits.requestTimeoutMs + 3000,
                 qPrintable(QString::number(t.elapsed())));
        QVERIFY(waitClosed(slow, 3000));
        QVERIFY2(served >= 3, qPrintable(QString::number(served)));
    }

    void idleKeepAliveIsClosed() {
        QTcpSocket s;
        QVERIFY(connectTo(s));
        s.write("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(readResponse(s).status, 200);
        QElapsedTimer t;
        t.start();
        QVERIFY(waitClosed(s, m_limits.idleTimeoutMs + 3000));
        QVERIFY(t.elapsed() >= m_limits.idleTimeoutMs - 500);
    }

    void handlerExceptionsLeakNothing() {
        const Response r = roundTrip("GET /boom HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(r.status, 500);
        QVERIFY(!r.body.contains("passwd"));
        QVERIFY(!r.body.contains("secret"));
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value(QStringLiteral("code")).toString(),
                 QStringLiteral("internal"));
    }

    void vanishingClientsDoNotHurt() {
        // Clients that disappear mid-header, mid-body and right after sending a request.
        for (int i = 0; i < 150; ++i) {
            QTcpSocket s;
            QVERIFY(connectTo(s));
            switch (i % 3) {
            case 0:
                s.write("GET /heal");
                break;
            case 1:
                s.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\nabc");
                break;
            case 2:
                s.write("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
                break;
            }
            s.waitForBytesWritten(200);
            s.abort();
        }
        // The server notices the resets asynchronously; until it has, the connection cap may
        // still count them (503). It must recover by itself, and quickly.
        QTRY_COMPARE_WITH_TIMEOUT(roundTrip("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").status, 200,
                                  5000);
    }

    void connectionCapAnswers503() {
        // 2 workers x 40 connections; hold more than that open.
        std::vector<std::unique_ptr<QTcpSocket>> held;
        int refused = 0;
        for (int i = 0; i < 100; ++i) {
            auto s = std::make_unique<QTcpSocket>();
            QVERIFY(connectTo(*s));
            held.push_back(std::move(s));
        }
        for (auto &s : held) {
            if (s->waitForReadyRead(20) || s->bytesAvailable() > 0) {
                if (s->readAll().startsWith("HTTP/1.1 503"))
                    ++refused;
            }
        }
        QVERIFY2(refused >= 20, qPrintable(QString::number(refused)));
        held.clear();
        QTRY_COMPARE_WITH_TIMEOUT(roundTrip("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").status, 200,
                                  3000);
    }

    void drainFinishesInFlightRequestsThenStops() {
        QTcpSocket inFlight;
        QVERIFY(connectTo(inFlight));
        inFlight.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nabc");
        inFlight.waitForBytesWritten(500);
        QTest::qWait(200);
        QFuture<void> drained = QtConcurrent::run([this] { m_service->drain(); });
        QTest::qWait(300);
        // The listener is closed: new connections are refused.
        QTcpSocket late;
        late.connectToHost(QHostAddress::LocalHost, m_port);
        const bool lateConnected = late.waitForConnected(500);
        QVERIFY(!lateConnected || readResponse(late, false, 1000).status != 200);
        QVERIFY(!drained.isFinished());
        inFlight.write("def");
        const Response r = readResponse(inFlight);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("{\"bytes\":6}"));
        QCOMPARE(r.header("Connection"), QByteArray("close"));
        QElapsedTimer t;
        t.start();
        drained.waitForFinished();
        QVERIFY(t.elapsed() < m_limits.drainTimeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestHttpEngine)
#include "tst_http_engine.moc"
