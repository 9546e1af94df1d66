// SPDX-License-Identifier: GPL-3.0-or-later
// ServerProbe against a real HTTP peer (CannedHttpServer).

#include "CannedHttpServer.h"
#include "client/ApiClient.h"
#include "client/ServerProbe.h"

#include <QSignalSpy>
#include <QTest>

using namespace tenantry::client;
using tenantry::test::CannedHttpServer;
using tenantry::test::CannedResponse;
using State = ServerStatus::State;

class TestServerProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readyServer();
    void notReadyCarriesDetailAndBacksOff();
    void healthz503IsStarting();
    void closedPortIsUnreachable();
    void foreignServerIsIncompatible();
    void pollsAgainWhileDown();
};

void TestServerProbe::readyServer() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.route("/healthz", CannedResponse::json(200, R"({"status":"ok"})"));
    server.route("/readyz", CannedResponse::json(200, R"({"status":"ready","schema_version":7})"));
    ApiClient client(server.url());
    ServerProbe probe(&client);
    QSignalSpy spy(&probe, &ServerProbe::statusChanged);
    probe.start();
    QTRY_COMPARE(spy.size(), 1);
    const ServerStatus s = probe.status();
    QCOMPARE(s.state, State::Ready);
    QCOMPARE(s.schemaVersion, 7);
    QVERIFY(s.latencyMs >= 0);
    QVERIFY(s.checkedAt.isValid());
    QVERIFY(!s.error);
    QCOMPARE(server.requestCount("/healthz"), 1);
    QCOMPARE(server.requestCount("/readyz"), 1);
    QCOMPARE(ServerStatus::stateLabel(s.state), QStringLiteral("Ready"));
}

void TestServerProbe::notReadyCarriesDetailAndBacksOff() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.route("/healthz", CannedResponse::json(200, R"({"status":"ok"})"));
    server.route("/readyz",
                 CannedResponse::problem(503, "not_ready", "The database is not reachable.")
                     .header("Retry-After", "5"));
    ApiClient client(server.url());
    ServerProbe probe(&client);
    probe.setBackoffMs(1'000, 60'000);
    QSignalSpy spy(&probe, &ServerProbe::statusChanged);
    probe.start();
    QTRY_COMPARE(spy.size(), 1);
    const ServerStatus s = probe.status();
    QCOMPARE(s.state, State::NotReady);
    QCOMPARE(s.detail, QStringLiteral("The database is not reachable."));
    QVERIFY(s.error);
    QCOMPARE(s.error->code(), QStringLiteral("not_ready"));
    QCOMPARE(s.nextCheckInMs, 5'000); // Retry-After honoured
    // The probe does its own scheduling: the client must not have retried /readyz.
    QCOMPARE(server.requestCount("/readyz"), 1);
    QVERIFY(s.summary().contains(QStringLiteral("The database is not reachable.")));
}

void TestServerProbe::healthz503IsStarting() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.route("/healthz", CannedResponse::problem(503, "unavailable", "Booting."));
    ApiClient client(server.url());
    ServerProbe probe(&client);
    QSignalSpy spy(&probe, &ServerProbe::statusChanged);
    probe.start();
    QTRY_COMPARE(spy.size(), 1);
    QCOMPARE(probe.status().state, State::Starting);
    QCOMPARE(server.requestCount("/readyz"), 0);
}

void TestServerProbe::closedPortIsUnreachable() {
    const quint16 port = CannedHttpServer::closedPort();
    ApiClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    ServerProbe probe(&client);
    QSignalSpy spy(&probe, &ServerProbe::statusChanged);
    probe.start();
    QTRY_COMPARE(spy.size(), 1);
    const ServerStatus s = probe.status();
    QCOMPARE(s.state, State::Unreachable);
    QVERIFY(s.error);
    QCOMPARE(s.error->kind(), ApiError::Kind::Network);
    QVERIFY(s.summary().contains(QString::number(port)));
    QCOMPARE(s.latencyMs, -1);
}

void TestServerProbe::foreignServerIsIncompatible() {
    CannedHttpServer server; // no routes: every path is 404
    QVERIFY(server.listen());
    ApiClient client(server.url());
    ServerProbe probe(&client);
    QSignalSpy spy(&probe, &ServerProbe::statusChanged);
    probe.start();
    QTRY_COMPARE(spy.size(), 1);
    QCOMPARE(probe.status().state, State::Incompatible);
}

void TestServerProbe::pollsAgainWhileDown() {
    // Down first, then the server comes up on the same port: the probe's backoff finds it.
    const quint16 port = CannedHttpServer::closedPort();
    ApiClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    ServerProbe probe(&client);
    probe.setBackoffMs(200, 400);
    probe.start();
    QTRY_COMPARE(probe.status().state, State::Unreachable);
    QCOMPARE(probe.status().nextCheckInMs, 200);

    CannedHttpServer server;
    QVERIFY(server.listen(port));
    server.route("/healthz", CannedResponse::json(200, R"({"status":"ok"})"));
    server.route("/readyz", CannedResponse::json(200, R"({"status":"ready","schema_version":1})"));
    QTRY_COMPARE_WITH_TIMEOUT(probe.status().state, State::Ready, 5'000);
    probe.stop();
}

QTEST_GUILESS_MAIN(TestServerProbe)
#include "tst_server_probe.moc"
