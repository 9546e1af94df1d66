// SPDX-License-Identifier: GPL-3.0-or-later
// ApiClient against a real HTTP peer on a real socket (CannedHttpServer).

#include "CannedHttpServer.h"
#include "client/ApiClient.h"
#include "client/TlsSettings.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace tenantry::client;
using tenantry::test::CannedHttpServer;
using tenantry::test::CannedResponse;

namespace {

// Runs one request to completion and returns its result.
std::optional<ApiResult<QJsonObject>> call(ApiClient &client, const QByteArray &method,
                                           const QString &path, int waitMs = 10'000,
                                           const std::optional<QJsonObject> &body = {}) {
    std::optional<ApiResult<QJsonObject>> out;
    client.send(method, path, body, [&out](const ApiResult<QJsonObject> &r) { out = r; });
    (void)QTest::qWaitFor([&out] { return out.has_value(); }, waitMs);
    return out;
}

} // namespace

class TestApiClient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void successfulJson();
    void problemJsonBecomesApiError();
    void retriesAfter503HonouringRetryAfter();
    void rateLimitRetryCapReached();
    void postIsNotRetried();
    void nonJsonBodyIsProtocolError();
    void jsonArrayIsProtocolError();
    void oversizedBodyIsRejected_data();
    void oversizedBodyIsRejected();
    void connectionRefusedNamesTheUrl();
    void timeoutIsTimeoutError();
    void callbackSkippedWhenContextDestroyed();
    void retryPolicyDelays();
    void retryAfterParsing();
    void serverUrlParsing();
    void pinParsing();
};

void TestApiClient::successfulJson() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.route("/healthz", CannedResponse::json(200, R"({"status":"ok"})"));
    ApiClient client(server.url());
    const auto r = call(client, "GET", QStringLiteral("/healthz"));
    QVERIFY(r);
    QVERIFY2(r->ok(), qPrintable(r->error().technicalDetail()));
    QCOMPARE(r->httpStatus(), 200);
    QCOMPARE(r->value().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(r->attempts(), 1);
    QCOMPARE(server.requestCount(), 1);
    QCOMPARE(server.requests().first().method, QByteArray("GET"));
}

void TestApiClient::problemJsonBecomesApiError() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.route("/v1/x", CannedResponse::problem(409, "conflict", "The name is taken."));
    ApiClient client(server.url());
    const auto r = call(client, "GET", QStringLiteral("/v1/x"));
    QVERIFY(r);
    QVERIFY(!r->ok());
    const ApiError &e = r->error();
    QCOMPARE(e.kind(), ApiError::Kind::Http);
    QCOMPARE(e.httpStatus(), 409);
    QCOMPARE(e.code(), QStringLiteral("conflict"));
    QCOMPARE(e.detail(), QStringLiteral("The name is taken."));
    QCOMPARE(e.title(), QStringLiteral("T"));
    QCOMPARE(e.userMessage(), QStringLiteral("The name is taken."));
    QCOMPARE(r->attempts(), 1); // 409 is not retried
}

void TestApiClient::retriesAfter503HonouringRetryAfter() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([](const auto &, int index) {
        if (index == 0)
            return CannedResponse::problem(503, "not_ready", "Warming up.")
                .header("Retry-After", "1");
        return CannedResponse::json(200, R"({"status":"ready","schema_version":1})");
    });
    ApiClient client(server.url());
    QSignalSpy retries(&client, &ApiClient::retryScheduled);
    QElapsedTimer timer;
    timer.start();
    const auto r = call(client, "GET", QStringLiteral("/readyz"));
    QVERIFY(r);
    QVERIFY2(r->ok(), qPrintable(r->error().userMessage()));
    QCOMPARE(r->value().value(QStringLiteral("schema_version")).toInt(), 1);
    QCOMPARE(server.requestCount(), 2);
    QCOMPARE(r->attempts(), 2);
    QCOMPARE(retries.size(), 1);
    QVERIFY(retries.first().at(2).toInt() >= 1000);
    const qint64 gap = server.requests().at(1).receivedAtMs - server.requests().at(0).receivedAtMs;
    QVERIFY2(gap >= 1000, qPrintable(QStringLiteral("retried after %1 ms").arg(gap)));
    QVERIFY(timer.elapsed() >= 1000);
    QVERIFY(r->elapsedMs() >= 1000);
}

void TestApiClient::rateLimitRetryCapReached() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([](const auto &, int) {
        return CannedResponse::problem(429, "rate_limited", "Slow down.")
            .header("Retry-After", "0");
    });
    ApiClient client(server.url());
    RetryPolicy policy;
    policy.maxAttempts = 3;
    policy.baseDelayMs = 10;
    client.setRetryPolicy(policy);
    const auto r = call(client, "GET", QStringLiteral("/v1/things"));
    QVERIFY(r);
    QVERIFY(!r->ok());
    QCOMPARE(server.requestCount(), 3);
    QCOMPARE(r->attempts(), 3);
    QCOMPARE(r->error().kind(), ApiError::Kind::Http);
    QCOMPARE(r->error().httpStatus(), 429);
    QCOMPARE(r->error().code(), QStringLiteral("rate_limited"));
    QCOMPARE(r->error().retryAfterSeconds(), 0);
    QVERIFY2(r->error().userMessage().contains(QStringLiteral("busy")),
             qPrintable(r->error().userMessage()));
}

void TestApiClient::postIsNotRetried() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.setHandler([](const auto &, int) {
        return CannedResponse::problem(503, "unavailable", "Busy.").header("Retry-After", "0");
    });
    ApiClient client(server.url());
    const auto r = call(client, "POST", QStringLiteral("/v1/t/projects"), 10'000,
                        QJsonObject{{QStringLiteral("name"), QStringLiteral("Apollo")}});
    QVERIFY(r);
    QVERIFY(!r->ok());
    QCOMPARE(r->error().httpStatus(), 503);
    QTest::qWait(200);
    QCOMPARE(server.requestCount(), 1);
    QCOMPARE(server.requests().first().body, QByteArray(R"({"name":"Apollo"})"));
}

void TestApiClient::nonJsonBodyIsProtocolError() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.route("/healthz", CannedResponse::json(200, "<html>hello</html>", "text/html"));
    ApiClient client(server.url());
    const auto r = call(client, "GET", QStringLiteral("/healthz"));
    QVERIFY(r);
    QVERIFY(!r->ok());
    QCOMPARE(r->error().kind(), ApiError::Kind::Protocol);
    QCOMPARE(r->error().cause(), ApiError::Cause::InvalidJson);
    QCOMPARE(r->error().httpStatus(), 200);
}

void TestApiClient::jsonArrayIsProtocolError() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.route("/healthz", CannedResponse::json(200, "[1,2]"));
    ApiClient client(server.url());
    const auto r = call(client, "GET", QStringLiteral("/healthz"));
    QVERIFY(r);
    QVERIFY(!r->ok());
    QCOMPARE(r->error().kind(), ApiError::Kind::Protocol);
}

void TestApiClient::oversizedBodyIsRejected_data() {
    QTest::addColumn<bool>("withContentLength");
    QTest::newRow("content-length") << true;
    QTest::newRow("until-close") << false;
}

void TestApiClient::oversizedBodyIsRejected() {
    QFETCH(bool, withContentLength);
    CannedHttpServer server;
    QVERIFY(server.listen());
    const QByteArray big = "{\"pad\":\"" + QByteArray(256 * 1024, 'x') + "\"}";
    CannedResponse response = CannedResponse::json(200, big);
    response.omitContentLength = !withContentLength;
    server.route("/big", response);
    ApiClient client(server.url());
    client.setMaxResponseBytes(64 * 1024);
    const auto r = call(client, "GET", QStringLiteral("/big"));
    QVERIFY(r);
    QVERIFY(!r->ok());
    QCOMPARE(r->error().kind(), ApiError::Kind::Protocol);
    QCOMPARE(r->error().cause(), ApiError::Cause::ResponseTooLarge);

    // The same body under the cap is accepted: the cap, not the body, causes the failure.
    client.setMaxResponseBytes(ApiClient::kDefaultMaxResponseBytes);
    const auto ok = call(client, "GET", QStringLiteral("/big"));
    QVERIFY(ok);
    QVERIFY2(ok->ok(), qPrintable(ok->error().technicalDetail()));
}

void TestApiClient::connectionRefusedNamesTheUrl() {
    const quint16 port = CannedHttpServer::closedPort();
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port));
    ApiClient client(url);
    const auto r = call(client, "GET", QStringLiteral("/healthz"));
    QVERIFY(r);
    QVERIFY(!r->ok());
    QCOMPARE(r->error().kind(), ApiError::Kind::Network);
    QCOMPARE(r->error().cause(), ApiError::Cause::ConnectionRefused);
    const QString message = r->error().userMessage();
    QVERIFY2(message.contains(QStringLiteral("http://127.0.0.1:%1").arg(port)),
             qPrintable(message));
    QVERIFY2(message.startsWith(QStringLiteral("Cannot reach the server")), qPrintable(message));
}

void TestApiClient::timeoutIsTimeoutError() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    CannedResponse hang;
    hang.hang = true;
    server.route("/slow", hang);
    ApiClient client(server.url());
    client.setTimeoutMs(300);
    QElapsedTimer timer;
    timer.start();
    const auto r = call(client, "GET", QStringLiteral("/slow"));
    QVERIFY(r);
    QVERIFY(!r->ok());
    QCOMPARE(r->error().kind(), ApiError::Kind::Timeout);
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(timer.elapsed() < 5'000);
}

void TestApiClient::callbackSkippedWhenContextDestroyed() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    server.route("/healthz", CannedResponse::json(200, R"({"status":"ok"})"));
    ApiClient client(server.url());
    bool called = false;
    auto *context = new QObject;
    client.get(
        QStringLiteral("/healthz"), [&called](const auto &) { called = true; }, context);
    delete context;
    QTRY_COMPARE(server.requestCount(), 1);
    QTRY_COMPARE(client.pendingCount(), 0);
    QVERIFY(!called);
}

void TestApiClient::retryPolicyDelays() {
    RetryPolicy p;
    p.maxAttempts = 4;
    p.baseDelayMs = 400;
    p.maxDelayMs = 1'000;
    QCOMPARE(p.delayBeforeAttempt(5, -1, 0.5), -1); // cap
    QCOMPARE(p.delayBeforeAttempt(2, -1, 0.0), 200);
    QCOMPARE(p.delayBeforeAttempt(2, -1, 1.0), 400);
    QCOMPARE(p.delayBeforeAttempt(3, -1, 1.0), 800);
    QCOMPARE(p.delayBeforeAttempt(4, -1, 1.0), 1'000); // 1600 capped
    QCOMPARE(p.delayBeforeAttempt(2, 2, 0.0), 2'000);  // Retry-After wins
    QVERIFY(p.delayBeforeAttempt(2, 2, 1.0) > 2'000);  // plus jitter, never less
    QCOMPARE(p.delayBeforeAttempt(2, 3'600, 0.0), -1); // too long to wait inside a call
    QVERIFY(RetryPolicy::isIdempotentMethod("PUT"));
    QVERIFY(!RetryPolicy::isIdempotentMethod("POST"));
    QVERIFY(!RetryPolicy::isIdempotentMethod("PATCH"));
}

void TestApiClient::retryAfterParsing() {
    const QDateTime now = QDateTime(QDate(2025, 1, 1), QTime(12, 0, 0), Qt::UTC);
    QCOMPARE(RetryPolicy::parseRetryAfter("3", now), 3);
    QCOMPARE(RetryPolicy::parseRetryAfter(" 0 ", now), 0);
    QCOMPARE(RetryPolicy::parseRetryAfter("", now), -1);
    QCOMPARE(RetryPolicy::parseRetryAfter("soon", now), -1);
    QCOMPARE(RetryPolicy::parseRetryAfter("-5", now), -1);
    QCOMPARE(RetryPolicy::parseRetryAfter("Wed, 01 Jan 2025 12:00:10 GMT", now), 10);
}

void TestApiClient::serverUrlParsing() {
    QCOMPARE(ApiClient::parseServerUrl(QStringLiteral("localhost:8080")),
             QUrl(QStringLiteral("http://localhost:8080")));
    QCOMPARE(ApiClient::parseServerUrl(QStringLiteral(" https://t.example.com/ ")),
             QUrl(QStringLiteral("https://t.example.com")));
    QVERIFY(!ApiClient::parseServerUrl(QStringLiteral("ftp://t.example.com")).isValid());
    QVERIFY(!ApiClient::parseServerUrl(QString()).isValid());

    ApiClient client(QUrl(QStringLiteral("http://h:1/base/")));
    QCOMPARE(client.resolve(QStringLiteral("/readyz")),
             QUrl(QStringLiteral("http://h:1/base/readyz")));
    QCOMPARE(client.resolve(QStringLiteral("/v1/t/events?after=5")),
             QUrl(QStringLiteral("http://h:1/base/v1/t/events?after=5")));
}

void TestApiClient::pinParsing() {
    const QByteArray digest = QByteArray(32, '\x2a');
    QCOMPARE(
        TlsSettings::parsePin(QStringLiteral("sha256/") + QString::fromLatin1(digest.toBase64())),
        digest);
    QCOMPARE(TlsSettings::parsePin(QString::fromLatin1(digest.toHex())), digest);
    QVERIFY(TlsSettings::parsePin(QStringLiteral("sha256/short")).isEmpty());
    TlsSettings tls;
    QVERIFY(tls.matchesPin(QSslCertificate())); // no pins: anything goes
    tls.pinnedPublicKeys.insert(digest);
    QVERIFY(!tls.matchesPin(QSslCertificate())); // pins set: a null certificate never matches
}

QTEST_GUILESS_MAIN(TestApiClient)
#include "tst_api_client.moc"
