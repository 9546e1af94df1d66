// SPDX-License-Identifier: GPL-3.0-or-later
// Pure units of the HTTP layer: routing, response framing, trace context, error catalogue.
#include "http/ErrorCatalog.h"
#include "http/HttpWire.h"
#include "http/Router.h"
#include "http/TraceContext.h"

#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace tenantry;

class TestHttpUnits : public QObject {
    Q_OBJECT
    static Router sampleRouter() {
        Router r;
        auto ok = [](ApiRequest &) { return ApiResult::json(QJsonObject{}); };
        r.add("GET", QStringLiteral("/v1/{tenantId}/projects"), ok);
        r.add("POST", QStringLiteral("/v1/{tenantId}/projects"), ok);
        r.add("GET", QStringLiteral("/v1/{tenantId}/projects/{id}"), ok);
        r.add("DELETE", QStringLiteral("/v1/{tenantId}/projects/{id}"), ok);
        return r;
    }
    static QStringList split(const QByteArray &path) {
        QStringList s;
        if (!Router::splitPath(path, &s))
            return {QStringLiteral("<invalid>")};
        return s;
    }

private Q_SLOTS:
    void routing() {
        const Router r = sampleRouter();
        auto m = r.match("GET", split("/v1/abc/projects/42"));
        QVERIFY(m.handler);
        QCOMPARE(m.routeTemplate, QStringLiteral("/v1/{tenantId}/projects/{id}"));
        QCOMPARE(m.params.value(QStringLiteral("tenantId")), QStringLiteral("abc"));
        QCOMPARE(m.params.value(QStringLiteral("id")), QStringLiteral("42"));

        m = r.match("HEAD", split("/v1/abc/projects"));
        QVERIFY(m.handler); // HEAD is served by the GET route

        m = r.match("PUT", split("/v1/abc/projects/42"));
        QVERIFY(!m.handler);
        QCOMPARE(m.allowed, (QByteArrayList{"GET", "DELETE", "HEAD"}));

        m = r.match("GET", split("/v1/abc/nothing"));
        QVERIFY(!m.handler);
        QVERIFY(m.allowed.isEmpty());
    }

    void pathSplitting() {
        // An encoded slash stays inside its segment (Qt HTTP Server 6.4 decodes it first, P6).
        QCOMPARE(
            split("/v1/a%2Fb/projects"),
            (QStringList{QStringLiteral("v1"), QStringLiteral("a/b"), QStringLiteral("projects")}));
        QCOMPARE(split("/a%20b/"), (QStringList{QStringLiteral("a b")}));
        QCOMPARE(split("/"), QStringList{});
        QCOMPARE(split("/a/../b"), QStringList{QStringLiteral("<invalid>")});
        QCOMPARE(split("/a/%2e%2e/b"), QStringList{QStringLiteral("<invalid>")});
        QCOMPARE(split("/a//b"), QStringList{QStringLiteral("<invalid>")});
        QCOMPARE(split("/a%00b"), QStringList{QStringLiteral("<invalid>")});
        QCOMPARE(split("/%ff"), QStringList{QStringLiteral("<invalid>")});
        QCOMPARE(split("relative"), QStringList{QStringLiteral("<invalid>")});
    }

    void wireFraming() {
        ApiResult r = ApiResult::json(QJsonObject{{QStringLiteral("a"), 1}});
        const QByteArray get = HttpWire::encode(r, {false, false});
        QVERIFY(get.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(get.contains("Content-Length: 7\r\n"));
        QVERIFY(get.endsWith("\r\n\r\n{\"a\":1}"));
        QVERIFY(get.contains("Date: "));

        const QByteArray head = HttpWire::encode(r, {true, false});
        QVERIFY(head.contains("Content-Length: 7\r\n")); // same headers as GET
        QVERIFY(head.endsWith("\r\n\r\n"));              // but no body

        ApiResult noContent = ApiResult::noContent();
        noContent.body = "should never be sent";
        const QByteArray nc = HttpWire::encode(noContent, {false, true});
        QVERIFY(nc.startsWith("HTTP/1.1 204 No Content\r\n"));
        QVERIFY(!nc.contains("Content-Length"));
        QVERIFY(nc.contains("Connection: close\r\n"));
        QVERIFY(nc.endsWith("\r\n\r\n"));

        ApiResult notModified;
        notModified.status = 304;
        notModified.body = "x";
        QVERIFY(HttpWire::encode(notModified, {false, false}).endsWith("\r\n\r\n"));

        // Handlers cannot smuggle framing headers.
        ApiResult sneaky = ApiResult::json(QJsonObject{});
        sneaky.withHeader("Content-Length", "999").withHeader("Transfer-Encoding", "chunked");
        const QByteArray s = HttpWire::encode(sneaky, {false, false});
        QCOMPARE(s.count("Content-Length"), 1);
        QVERIFY(!s.contains("Transfer-Encoding"));
    }

    void problemBodies() {
        const ApiResult r = ApiResult::fromError(
            ApiError(ErrorCode::TenantMismatch, QStringLiteral("Path and token disagree.")));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.contentType, QByteArray("application/problem+json"));
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(o.value(QStringLiteral("code")).toString(), QStringLiteral("tenant_mismatch"));
        QCOMPARE(o.value(QStringLiteral("status")).toInt(), 403);
        QCOMPARE(o.value(QStringLiteral("detail")).toString(),
                 QStringLiteral("Path and token disagree."));
        QVERIFY(o.value(QStringLiteral("type")).toString().startsWith(u"https://"));
        QVERIFY(!o.value(QStringLiteral("title")).toString().isEmpty());
    }

    void errorCodesAreUniqueAndStable() {
        QSet<QString> codes;
        for (int c = int(ErrorCode::BadRequest); c <= int(ErrorCode::Internal); ++c) {
            const auto e = ErrorCatalog::entry(ErrorCode(c));
            QVERIFY(e.status >= 400 && e.status < 600);
            const QString code = QString::fromLatin1(e.code);
            QVERIFY2(!codes.contains(code), qPrintable(code));
            codes.insert(code);
        }
        QCOMPARE(QString::fromLatin1(ErrorCatalog::entry(ErrorCode::RateLimited).code),
                 QStringLiteral("rate_limited"));
        QCOMPARE(QString::fromLatin1(ErrorCatalog::entry(ErrorCode::IdempotencyKeyReused).code),
                 QStringLiteral("idempotency_key_reused"));
    }

    void traceContext() {
        const auto kept =
            TraceContext::fromHeader("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        QCOMPARE(kept.traceId, QByteArray("4bf92f3577b34da6a3ce929d0e0e4736"));
        QVERIFY(kept.spanId != "00f067aa0ba902b7"); // our own span
        QCOMPARE(kept.toHeader().size(), 55);
        QVERIFY(kept.toHeader().startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"));

        for (const QByteArray &bad :
             {QByteArray("garbage"),
              QByteArray("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
              QByteArray("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
              QByteArray("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
              QByteArray("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
              QByteArray("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")}) {
            const auto fresh = TraceContext::fromHeader(bad);
            QVERIFY2(fresh.traceId != "4bf92f3577b34da6a3ce929d0e0e4736", bad.constData());
            QCOMPARE(fresh.traceId.size(), 32);
            QVERIFY(fresh.traceId != QByteArray(32, '0'));
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpUnits)
#include "tst_http_units.moc"
