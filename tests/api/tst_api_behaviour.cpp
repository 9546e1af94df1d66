// SPDX-License-Identifier: GPL-3.0-or-later
// Behaviour of the tenant API over HTTP, against the real server and PostgreSQL: RBAC decided
// from the caller's current role (viewer, admin, owner rules, last owner), rate limits changed at
// runtime in the registry (429 with Retry-After / RateLimit-Policy / RateLimit, other tenants
// unaffected), strict request bodies (stable problem codes, never 500), cursor pagination,
// ETag / If-None-Match on /config, /metrics labels (route templates, never raw paths), W3C
// traceparent echo, 405 with Allow.
#include "ApiTestSupport.h"

#include "http/ServerRoutes.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace tenantry;
using namespace tenantry::test;
using namespace tenantry::test::api;

namespace {

// Everything the server sends until it closes the connection.
QByteArray rawExchange(quint16 port, const QByteArray &request) {
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(5000))
        return {};
    s.write(request);
    QByteArray raw;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000 && s.state() != QAbstractSocket::UnconnectedState) {
        s.waitForReadyRead(200);
        raw += s.readAll();
    }
    raw += s.readAll();
    return raw;
}

const QRegularExpression kUuid(
    QStringLiteral("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"));

} // namespace

class TestApiBehaviour : public QObject {
    Q_OBJECT

    ApiFixture m_fx;
    ApiTenant m_rbac;
    ApiTenant m_limited;
    ApiTenant m_free;
    ApiTenant m_pager;
    ApiTenant m_misc;

    Reply patchRole(const ApiTenant &t, const QString &token, const QString &userId,
                    const QString &role) {
        return m_fx.call("PATCH", tenantPath(t, "/members/" + userId.toLatin1()), token,
                         compact({{QStringLiteral("role"), role}}));
    }
    QString roleOf(const ApiTenant &t, const QString &userId) {
        return m_fx
            .scalar(
                QStringLiteral("SELECT role FROM \"%1\".users WHERE id = ?::uuid").arg(t.schema),
                {userId})
            .toString();
    }
    qlonglong projectsNamed(const ApiTenant &t, const QString &name) {
        return m_fx
            .scalar(
                QStringLiteral("SELECT count(*) FROM \"%1\".projects WHERE name = ?").arg(t.schema),
                {name})
            .toLongLong();
    }

private Q_SLOTS:
    void initTestCase() {
        QString error;
        QVERIFY2(m_fx.prepare(QStringLiteral("api-behaviour-admin"), &error), qPrintable(error));
        QList<ApiTenant> tenants;
        QVERIFY2(m_fx.createTenants({QStringLiteral("Rbac"), QStringLiteral("Limited"),
                                     QStringLiteral("Free"), QStringLiteral("Pager"),
                                     QStringLiteral("Misc")},
                                    &tenants, &error),
                 qPrintable(error));
        QVERIFY2(m_fx.startServer(&error), qPrintable(error));
        QVERIFY2(m_fx.signInOwners(&tenants, &error), qPrintable(error));
        m_rbac = tenants.at(0);
        m_limited = tenants.at(1);
        m_free = tenants.at(2);
        m_pager = tenants.at(3);
        m_misc = tenants.at(4);
    }

    void cleanupTestCase() {
        m_fx.server.reset();
        m_fx.sql.close();
    }

    // Sign-ins, failed sign-ins and sign-outs land in the tenant's hash-chained audit trail.
    void signInIsAudited() {
        auto count = [&](const QString &action, const QString &actor) {
            return m_fx
                .scalar(QStringLiteral(
                            "SELECT count(*) FROM tenantry_shared.events WHERE tenant_id = "
                            "?::uuid AND action = ? AND coalesce(actor, '') = coalesce(?, '')"),
                        {m_free.id, action, actor})
                .toLongLong();
        };
        const qlonglong failedBefore = count(QStringLiteral("auth.sign_in_failed"), QString());
        const qlonglong okBefore = count(QStringLiteral("auth.sign_in"), m_free.ownerId);
        const Reply bad =
            m_fx.passwordGrant(m_free.slug, m_free.ownerEmail, QStringLiteral("wrong password!"));
        QCOMPARE(bad.status, 400);
        QCOMPARE(count(QStringLiteral("auth.sign_in_failed"), QString()), failedBefore + 1);
        const Reply good = m_fx.passwordGrant(m_free.slug, m_free.ownerEmail, kOwnerPassword);
        QVERIFY2(good.status == 200, good.describe().constData());
        QCOMPARE(count(QStringLiteral("auth.sign_in"), m_free.ownerId), okBefore + 1);
        // The failure record names the e-mail as typed, never whether the account exists.
        const QString data =
            m_fx.scalar(QStringLiteral("SELECT data::text FROM tenantry_shared.events WHERE "
                                       "tenant_id = ?::uuid AND action = 'auth.sign_in_failed' "
                                       "ORDER BY seq DESC LIMIT 1"),
                        {m_free.id})
                .toString();
        QVERIFY2(data.contains(m_free.ownerEmail.toLower()) && !data.contains(u"password"),
                 qPrintable(data));
    }

    void rbac() {
        const ApiTenant &t = m_rbac;
        const QString u2 = m_fx.addUser(t, QStringLiteral("u2@rbac.example"), kOwnerPassword,
                                        QStringLiteral("member"));
        const QString u3 = m_fx.addUser(t, QStringLiteral("u3@rbac.example"), kOwnerPassword,
                                        QStringLiteral("member"));
        QVERIFY(!u2.isEmpty() && !u3.isEmpty());
        QString error;
        const QString u2Token =
            m_fx.signIn(t.slug, QStringLiteral("u2@rbac.example"), kOwnerPassword, &error);
        const QString u3Token =
            m_fx.signIn(t.slug, QStringLiteral("u3@rbac.example"), kOwnerPassword, &error);
        QVERIFY2(!u2Token.isEmpty() && !u3Token.isEmpty(), qPrintable(error));

        // As a member, u2 may create projects.
        Reply r = m_fx.call("POST", tenantPath(t, "/projects"), u2Token, R"({"name":"by member"})");
        QVERIFY2(r.status == 201, r.describe().constData());

        // The owner makes u2 a viewer; u2's existing token follows the stored role at once.
        r = patchRole(t, t.token, u2, QStringLiteral("viewer"));
        QVERIFY2(r.status == 200 && r.str("role") == u"viewer", r.describe().constData());
        const qlonglong deniedBefore =
            m_fx.scalar(
                    QStringLiteral(
                        "SELECT count(*) FROM tenantry_shared.events WHERE tenant_id = ?::uuid AND "
                        "action = 'authz.denied'"),
                    {t.id})
                .toLongLong();
        r = m_fx.call("POST", tenantPath(t, "/projects"), u2Token, R"({"name":"by viewer"})");
        QVERIFY2(r.status == 403 && isProblem(r) && r.code() == u"forbidden",
                 r.describe().constData());
        QCOMPARE(projectsNamed(t, QStringLiteral("by viewer")), 0);
        r = m_fx.call("GET", tenantPath(t, "/projects"), u2Token);
        QVERIFY2(r.status == 200, r.describe().constData());
        r = m_fx.call("GET", tenantPath(t, "/members"), u2Token);
        QVERIFY2(r.status == 200, r.describe().constData());
        r = m_fx.call("POST", tenantPath(t, "/events"), u2Token, R"({"action":"viewer.emit"})");
        QVERIFY2(r.status == 403 && r.code() == u"forbidden", r.describe().constData());
        r = m_fx.call("GET", tenantPath(t, "/usage"), u2Token);
        QVERIFY2(r.status == 403 && r.code() == u"forbidden", r.describe().constData());
        r = patchRole(t, u2Token, u3, QStringLiteral("viewer"));
        QVERIFY2(r.status == 403 && r.code() == u"forbidden", r.describe().constData());
        // Denials are audited.
        const qlonglong deniedAfter =
            m_fx.scalar(
                    QStringLiteral(
                        "SELECT count(*) FROM tenantry_shared.events WHERE tenant_id = ?::uuid AND "
                        "action = 'authz.denied'"),
                    {t.id})
                .toLongLong();
        QCOMPARE(deniedAfter, deniedBefore + 4);
        // /config lists the viewer's effective permissions.
        r = m_fx.call("GET", tenantPath(t, "/config"), u2Token);
        QVERIFY2(r.status == 200, r.describe().constData());
        const QJsonArray perms = r.json().value(QStringLiteral("permissions")).toArray();
        QVERIFY(perms.contains(QStringLiteral("project:read")));
        QVERIFY(!perms.contains(QStringLiteral("project:create")));

        // u3 becomes an admin.
        r = patchRole(t, t.token, u3, QStringLiteral("admin"));
        QVERIFY2(r.status == 200, r.describe().constData());
        // An admin cannot demote the last owner...
        r = patchRole(t, u3Token, t.ownerId, QStringLiteral("admin"));
        QVERIFY2(r.status == 409 && isProblem(r) && r.code() == u"conflict",
                 r.describe().constData());
        QCOMPARE(roleOf(t, t.ownerId), QStringLiteral("owner"));
        // ... nor make an owner (only an owner can) ...
        r = patchRole(t, u3Token, u2, QStringLiteral("owner"));
        QVERIFY2(r.status == 403 && r.code() == u"forbidden", r.describe().constData());
        QCOMPARE(roleOf(t, u2), QStringLiteral("viewer"));
        // ... nor remove the owner.
        r = m_fx.call("DELETE", tenantPath(t, "/members/" + t.ownerId.toLatin1()), u3Token);
        QVERIFY2(r.status == 403 || r.status == 409, r.describe().constData());
        QCOMPARE(roleOf(t, t.ownerId), QStringLiteral("owner"));
        // The last owner can neither remove nor demote themselves.
        r = m_fx.call("DELETE", tenantPath(t, "/members/" + t.ownerId.toLatin1()), t.token);
        QVERIFY2(r.status == 409 && r.code() == u"conflict", r.describe().constData());
        r = patchRole(t, t.token, t.ownerId, QStringLiteral("admin"));
        QVERIFY2(r.status == 409 && r.code() == u"conflict", r.describe().constData());
        QCOMPARE(roleOf(t, t.ownerId), QStringLiteral("owner"));
        // Roles that do not exist or are reserved.
        r = patchRole(t, t.token, u2, QStringLiteral("superuser"));
        QVERIFY2(r.status == 422 && r.code() == u"validation_failed", r.describe().constData());
        r = patchRole(t, t.token, u2, QStringLiteral("support"));
        QVERIFY2(r.status == 422 && r.code() == u"validation_failed", r.describe().constData());
        // The owner makes u2 an owner; with two owners one may step down.
        r = patchRole(t, t.token, u2, QStringLiteral("owner"));
        QVERIFY2(r.status == 200 && r.str("role") == u"owner", r.describe().constData());
        r = patchRole(t, u2Token, t.ownerId, QStringLiteral("admin"));
        QVERIFY2(r.status == 200, r.describe().constData());
        // Now u2 is the last owner: the former owner (admin now) cannot demote u2.
        r = patchRole(t, t.token, u2, QStringLiteral("admin"));
        QVERIFY2(r.status == 409 && r.code() == u"conflict", r.describe().constData());
        // u2 restores the original owner; the member can be removed by an owner.
        r = patchRole(t, u2Token, t.ownerId, QStringLiteral("owner"));
        QVERIFY2(r.status == 200, r.describe().constData());
        r = m_fx.call("DELETE", tenantPath(t, "/members/" + u3.toLatin1()), t.token);
        QVERIFY2(r.status == 204 && r.body.isEmpty(), r.describe().constData());
        // A removed member's token stops working at once.
        r = m_fx.call("GET", tenantPath(t, "/projects"), u3Token);
        QVERIFY2(r.status == 401, r.describe().constData());
    }

    void rateLimit() {
        // The registry change applies to the running server without a restart, once the
        // worker's tenant cache (5 s) expires.
        QVERIFY(m_fx.execSql(
            QStringLiteral(
                "UPDATE tenantry_control.tenants SET rate_limit_rps = 2, rate_limit_burst = 3 "
                "WHERE id = ?::uuid"),
            {m_limited.id}));
        QTest::qWait(5500);
        Reply limited;
        int ok = 0;
        for (int i = 0; i < 12 && limited.status != 429; ++i) {
            const Reply r = m_fx.call("GET", tenantPath(m_limited, "/projects"), m_limited.token);
            if (r.status == 200) {
                ++ok;
                QVERIFY(!r.header("RateLimit").isEmpty());
                QVERIFY(!r.header("RateLimit-Policy").isEmpty());
            } else {
                limited = r;
            }
        }
        QVERIFY2(limited.status == 429, limited.describe().constData());
        QVERIFY(ok >= 1);
        QVERIFY(isProblem(limited));
        QCOMPARE(limited.code(), QStringLiteral("rate_limited"));
        bool numeric = false;
        QVERIFY(limited.header("Retry-After").toInt(&numeric) >= 1 && numeric);
        const QByteArray policy = limited.header("RateLimit-Policy");
        QVERIFY2(policy.contains(";q=") && policy.contains(";w="), policy.constData());
        const QByteArray state = limited.header("RateLimit");
        QVERIFY2(state.contains(";r=0") && state.contains(";t="), state.constData());
        // A write is refused too, and executes nothing.
        const Reply w = m_fx.call("POST", tenantPath(m_limited, "/projects"), m_limited.token,
                                  R"({"name":"over limit"})");
        QCOMPARE(w.status, 429);
        QCOMPARE(projectsNamed(m_limited, QStringLiteral("over limit")), 0);
        // Another tenant is unaffected.
        const Reply other = m_fx.call("GET", tenantPath(m_free, "/projects"), m_free.token);
        QVERIFY2(other.status == 200, other.describe().constData());
        QVERIFY2(other.header("RateLimit-Policy").contains("q=100") ||
                     other.header("RateLimit-Policy").contains("q=200"),
                 other.header("RateLimit-Policy").constData());
        // Every tenant route is limited, /users/me included.
        const Reply me = m_fx.call("GET", tenantPath(m_limited, "/users/me"), m_limited.token);
        QCOMPARE(me.status, 429);
        // Raising the limit again takes effect without a restart either.
        QVERIFY(m_fx.execSql(
            QStringLiteral("UPDATE tenantry_control.tenants SET rate_limit_rps = 1000, "
                           "rate_limit_burst = 2000 WHERE id = ?::uuid"),
            {m_limited.id}));
        QTest::qWait(5500); // servers cache a tenant's limits for up to 5 s
        const Reply after = m_fx.call("GET", tenantPath(m_limited, "/config"), m_limited.token);
        QVERIFY2(after.status == 200, after.describe().constData());
        QCOMPARE(after.json()
                     .value(QStringLiteral("limits"))
                     .toObject()
                     .value(QStringLiteral("rate_limit_rps"))
                     .toInt(),
                 1000);
        // Refusals are counted per tenant.
        const Reply metrics = http(m_fx.port(), "GET", "/metrics");
        QVERIFY(metrics.body.contains("tenantry_rate_limited_total"));
        QVERIFY(metrics.body.contains(m_limited.id.toLatin1()));
    }

    void strictBodies_data() {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QByteArray json = "application/json";
        QTest::newRow("duplicate keys")
            << json << QByteArray("{\"name\":\"dup a\",\"name\":\"dup b\"}") << 400
            << QStringLiteral("malformed_json");
        QTest::newRow("duplicate keys escaped")
            << json << QByteArray("{\"name\":\"dup c\",\"n\\u0061me\":\"dup d\"}") << 400
            << QStringLiteral("malformed_json");
        QTest::newRow("unknown field")
            << json << QByteArray("{\"name\":\"unk\",\"colour\":\"red\"}") << 422
            << QStringLiteral("validation_failed");
        QTest::newRow("wrong type number")
            << json << QByteArray("{\"name\":5}") << 422 << QStringLiteral("validation_failed");
        QTest::newRow("wrong type null")
            << json << QByteArray("{\"name\":null}") << 422 << QStringLiteral("validation_failed");
        QTest::newRow("missing field")
            << json << QByteArray("{}") << 422 << QStringLiteral("validation_failed");
        QTest::newRow("empty name") << json << QByteArray("{\"name\":\"   \"}") << 422
                                    << QStringLiteral("validation_failed");
        QTest::newRow("name too long")
            << json << QByteArray("{\"name\":\"" + QByteArray(101, 'x') + "\"}") << 422
            << QStringLiteral("validation_failed");
        QTest::newRow("escaped control") << json << QByteArray("{\"name\":\"bell\\u0007\"}") << 422
                                         << QStringLiteral("validation_failed");
        QTest::newRow("text/plain")
            << QByteArray("text/plain") << QByteArray("{\"name\":\"plain\"}") << 415
            << QStringLiteral("unsupported_media_type");
        QTest::newRow("no content type") << QByteArray() << QByteArray("{\"name\":\"untyped\"}")
                                         << 415 << QStringLiteral("unsupported_media_type");
        QTest::newRow("invalid UTF-8") << json << QByteArray("{\"name\":\"bad \xff\xfe\"}") << 400
                                       << QStringLiteral("malformed_json");
        QTest::newRow("overlong UTF-8") << json << QByteArray("{\"name\":\"\xc0\xaf\"}") << 400
                                        << QStringLiteral("malformed_json");
        QTest::newRow("escaped NUL") << json << QByteArray("{\"name\":\"nul\\u0000\"}") << 400
                                     << QStringLiteral("malformed_json");
        QTest::newRow("raw control") << json << QByteArray("{\"name\":\"tab\x01\"}") << 400
                                     << QStringLiteral("malformed_json");
        QTest::newRow("lone surrogate") << json << QByteArray("{\"name\":\"\\ud800\"}") << 400
                                        << QStringLiteral("malformed_json");
        QTest::newRow("BOM") << json << QByteArray("\xef\xbb\xbf{\"name\":\"bom\"}") << 400
                             << QStringLiteral("malformed_json");
        QTest::newRow("array") << json << QByteArray("[{\"name\":\"arr\"}]") << 400
                               << QStringLiteral("malformed_json");
        QTest::newRow("trailing data") << json << QByteArray("{\"name\":\"trail\"} x") << 400
                                       << QStringLiteral("malformed_json");
        QTest::newRow("truncated")
            << json << QByteArray("{\"name\":\"trunc") << 400 << QStringLiteral("malformed_json");
        QTest::newRow("empty body")
            << json << QByteArray() << 400 << QStringLiteral("malformed_json");
        QByteArray deep = "{\"name\":\"deep\",\"x\":";
        for (int i = 0; i < 40; ++i)
            deep += "{\"a\":";
        deep += "1" + QByteArray(40, '}') + "}";
        QTest::newRow("deep nesting") << json << deep << 400 << QStringLiteral("malformed_json");
        QTest::newRow("2 MiB body")
            << json << QByteArray("{\"name\":\"" + QByteArray(2 * 1024 * 1024, 'x') + "\"}") << 413
            << QStringLiteral("payload_too_large");
    }

    void strictBodies() {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, code);
        const qlonglong before =
            m_fx.scalar(QStringLiteral("SELECT count(*) FROM \"%1\".projects").arg(m_misc.schema))
                .toLongLong();
        Headers h{{"Authorization", "Bearer " + m_misc.token.toLatin1()}};
        if (!contentType.isEmpty())
            h.append({"Content-Type", contentType});
        const Reply r = http(m_fx.port(), "POST", tenantPath(m_misc, "/projects"), h, body);
        QVERIFY2(r.status == status, r.describe().constData());
        QVERIFY2(r.header("Content-Type").startsWith("application/problem+json"),
                 r.describe().constData());
        QCOMPARE(r.code(), code);
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), status);
        QVERIFY(!r.json().value(QStringLiteral("type")).toString().isEmpty());
        QVERIFY(!r.json().value(QStringLiteral("title")).toString().isEmpty());
        // Nothing internal leaks.
        for (const char *internal : {"SQL", "QPSQL", "ERROR:", ".cpp", "/work/", "tenant_"})
            QVERIFY2(!r.body.contains(internal), r.describe().constData());
        QCOMPARE(
            m_fx.scalar(QStringLiteral("SELECT count(*) FROM \"%1\".projects").arg(m_misc.schema))
                .toLongLong(),
            before);
    }

    void strictBodiesOnPatch() {
        const Reply p = m_fx.call("POST", tenantPath(m_misc, "/projects"), m_misc.token,
                                  R"({"name":"patch target"})");
        QCOMPARE(p.status, 201);
        const QByteArray target = tenantPath(m_misc, "/projects/" + p.str("id").toLatin1());
        Reply r = m_fx.call("PATCH", target, m_misc.token, R"({"name":"a","name":"b"})");
        QVERIFY2(r.status == 400 && r.code() == u"malformed_json", r.describe().constData());
        r = m_fx.call("PATCH", target, m_misc.token, R"({"name":"x","owner_id":null})");
        QVERIFY2(r.status == 422 && r.code() == u"validation_failed", r.describe().constData());
        r = m_fx.call("PATCH", tenantPath(m_misc, "/members/" + m_misc.ownerId.toLatin1()),
                      m_misc.token, R"({"role":7})");
        QVERIFY2(r.status == 422 && r.code() == u"validation_failed", r.describe().constData());
        r = m_fx.call("POST", tenantPath(m_misc, "/events"), m_misc.token,
                      R"({"action":"Bad Action"})");
        QVERIFY2(r.status == 422 && r.code() == u"validation_failed", r.describe().constData());
        r = m_fx.call("POST", tenantPath(m_misc, "/events"), m_misc.token,
                      R"({"action":"ok.action","data":[1]})");
        QVERIFY2(r.status == 422 && r.code() == u"validation_failed", r.describe().constData());
        // Malformed ids in the path: 404, never 500.
        for (const QByteArray &id :
             {QByteArray("not-a-uuid"), QByteArray("1"), QByteArray("%27%20OR%201=1--")}) {
            r = m_fx.call("GET", tenantPath(m_misc, "/projects/" + id), m_misc.token);
            QVERIFY2(r.status == 404 && r.code() == u"not_found", r.describe().constData());
        }
        QCOMPARE(m_fx.scalar(QStringLiteral("SELECT name FROM \"%1\".projects WHERE id = ?::uuid")
                                 .arg(m_misc.schema),
                             {p.str("id")})
                     .toString(),
                 QStringLiteral("patch target"));
    }

    void pagination() {
        const ApiTenant &t = m_pager;
        QStringList created;
        for (int i = 0; i < 7; ++i) {
            const Reply r = m_fx.call(
                "POST", tenantPath(t, "/projects"), t.token,
                compact({{QStringLiteral("name"), QStringLiteral("page item %1").arg(i)}}));
            QVERIFY2(r.status == 201, r.describe().constData());
            created << r.str("id");
        }
        QList<int> sizes;
        QStringList seen;
        QString cursor;
        for (int page = 0; page < 10; ++page) {
            QByteArray target = tenantPath(t, "/projects?limit=3");
            if (!cursor.isEmpty())
                target += "&cursor=" + QUrl::toPercentEncoding(cursor);
            const Reply r = m_fx.call("GET", target, t.token);
            QVERIFY2(r.status == 200, r.describe().constData());
            const QJsonArray items = r.json().value(QStringLiteral("items")).toArray();
            sizes << int(items.size());
            for (const QJsonValue &v : items)
                seen << v.toObject().value(QStringLiteral("id")).toString();
            const QJsonValue next = r.json().value(QStringLiteral("next_cursor"));
            if (next.isNull() || next.toString().isEmpty())
                break;
            cursor = next.toString();
        }
        const qsizetype distinct = QSet<QString>(seen.begin(), seen.end()).size();
        QStringList sizeText;
        for (int n : std::as_const(sizes))
            sizeText << QString::number(n);
        qInfo("pages of 3 over 7 projects: %s (%lld ids, %lld distinct)",
              qPrintable(sizeText.join(u'+')), qlonglong(seen.size()), qlonglong(distinct));
        QCOMPARE(seen.size(), distinct);
        QCOMPARE(sizes, (QList<int>{3, 3, 1}));
        QCOMPARE(QSet<QString>(seen.begin(), seen.end()),
                 QSet<QString>(created.begin(), created.end()));

        for (const QByteArray &bad :
             {QByteArray("cursor=zzz"), QByteArray("cursor=bm90IGEgY3Vyc29y"),
              QByteArray("limit=0"), QByteArray("limit=101"), QByteArray("limit=abc"),
              QByteArray("limit=-1")}) {
            const Reply r = m_fx.call("GET", tenantPath(t, "/projects?" + bad), t.token);
            QVERIFY2(r.status == 422 && isProblem(r) && r.code() == u"validation_failed",
                     QByteArray(bad + " -> " + r.describe()).constData());
        }
    }

    void configEtag() {
        const QByteArray target = tenantPath(m_misc, "/config");
        const Reply first = m_fx.call("GET", target, m_misc.token);
        QVERIFY2(first.status == 200, first.describe().constData());
        const QByteArray etag = first.header("ETag");
        QVERIFY2(etag.startsWith('"') && etag.endsWith('"') && etag.size() > 2, etag.constData());
        QCOMPARE(first.json()
                     .value(QStringLiteral("tenant"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
                 m_misc.id);
        // Same representation, same tag.
        QCOMPARE(m_fx.call("GET", target, m_misc.token).header("ETag"), etag);
        // If-None-Match: 304, no body (checked on the raw bytes), the same ETag.
        const QByteArray raw = rawExchange(
            m_fx.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                             m_misc.token.toLatin1() + "\r\nIf-None-Match: " + etag +
                             "\r\nConnection: close\r\n\r\n");
        QVERIFY2(raw.startsWith("HTTP/1.1 304"), raw.left(300).constData());
        const qsizetype end = raw.indexOf("\r\n\r\n");
        QVERIFY(end > 0);
        QCOMPARE(raw.mid(end + 4), QByteArray());
        QVERIFY2(raw.left(end).contains(QByteArray("ETag: " + etag)), raw.left(end).constData());
        QVERIFY(!raw.left(end).toLower().contains("content-type:"));
        // A list with the tag, and "*", match too; another tag does not.
        Reply r =
            m_fx.call("GET", target, m_misc.token, {}, {{"If-None-Match", "\"nope\", " + etag}});
        QCOMPARE(r.status, 304);
        r = m_fx.call("GET", target, m_misc.token, {}, {{"If-None-Match", "*"}});
        QCOMPARE(r.status, 304);
        r = m_fx.call("GET", target, m_misc.token, {}, {{"If-None-Match", "\"nope\""}});
        QCOMPARE(r.status, 200);
        // The tag is per caller's view: another tenant's /config has another tag.
        QVERIFY(m_fx.call("GET", tenantPath(m_free, "/config"), m_free.token).header("ETag") !=
                etag);
        // HEAD: headers, no body.
        const QByteArray head = rawExchange(
            m_fx.port(), "HEAD " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                             m_misc.token.toLatin1() + "\r\nConnection: close\r\n\r\n");
        QVERIFY2(head.startsWith("HTTP/1.1 200"), head.left(300).constData());
        QCOMPARE(head.mid(head.indexOf("\r\n\r\n") + 4), QByteArray());
    }

    void metricsLabels() {
        // Something on a route with an id, and an unmatched path with a UUID in it.
        const Reply p = m_fx.call("POST", tenantPath(m_misc, "/projects"), m_misc.token,
                                  R"({"name":"metrics"})");
        QCOMPARE(p.status, 201);
        QCOMPARE(m_fx.call("GET", tenantPath(m_misc, "/projects/" + p.str("id").toLatin1()),
                           m_misc.token)
                     .status,
                 200);
        QCOMPARE(
            m_fx.call("GET", tenantPath(m_misc, "/nope/" + p.str("id").toLatin1()), m_misc.token)
                .status,
            404);
        const Reply r = http(m_fx.port(), "GET", "/metrics");
        QVERIFY2(r.status == 200, r.describe().constData());
        QVERIFY(r.header("Content-Type").startsWith("text/plain"));
        const QStringList templates = ServerRoutes::build()->templates();
        QSet<QString> known{QStringLiteral("(unmatched)")};
        for (const QString &t : templates)
            known.insert(t.section(u' ', 1));
        static const QRegularExpression routeLabel(QStringLiteral("route=\"([^\"]*)\""));
        bool sawTemplate = false;
        int requestLines = 0;
        for (const QByteArray &lineBytes : r.body.split('\n')) {
            const QString line = QString::fromUtf8(lineBytes);
            if (line.startsWith(u'#') || line.isEmpty())
                continue;
            const auto m = routeLabel.match(line);
            if (!m.hasMatch())
                continue;
            const QString route = m.captured(1);
            QVERIFY2(known.contains(route),
                     qPrintable(QStringLiteral("route label is not a template: ") + line));
            QVERIFY2(!kUuid.match(route).hasMatch(), qPrintable(line));
            if (line.startsWith(u"tenantry_http_requests_total{")) {
                ++requestLines;
                if (route == u"/v1/{tenantId}/projects/{id}" && line.contains(u"method=\"GET\"") &&
                    line.contains(QStringLiteral("tenant=\"%1\"").arg(m_misc.id)))
                    sawTemplate = true;
            }
        }
        QVERIFY(requestLines > 0);
        QVERIFY2(sawTemplate, r.body.left(3000).constData());
        QVERIFY(!r.body.contains(p.str("id").toLatin1()));
        QVERIFY(r.body.contains("tenantry_http_request_duration_seconds"));
    }

    void traceparent() {
        const QByteArray traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const Reply r = m_fx.call("GET", tenantPath(m_misc, "/projects"), m_misc.token, {},
                                  {{"traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"}});
        QCOMPARE(r.status, 200);
        static const QRegularExpression format(
            QStringLiteral("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$"));
        auto m = format.match(QString::fromLatin1(r.header("traceparent")));
        QVERIFY2(m.hasMatch(), r.header("traceparent").constData());
        QCOMPARE(m.captured(1).toLatin1(), traceId);
        QVERIFY(m.captured(2) != u"00f067aa0ba902b7"); // the server's own span
        // Errors carry it too, and the audit event of a write records the trace id.
        const Reply w =
            m_fx.call("POST", tenantPath(m_misc, "/projects"), m_misc.token, R"({"name":"traced"})",
                      {{"traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"}});
        QCOMPARE(w.status, 201);
        QVERIFY(w.header("traceparent").contains(traceId));
        QCOMPARE(
            m_fx.scalar(
                    QStringLiteral(
                        "SELECT trace_id FROM tenantry_shared.events WHERE tenant_id = ?::uuid AND "
                        "resource = ?"),
                    {m_misc.id, QString(QStringLiteral("project/") + w.str("id"))})
                .toString()
                .toLatin1(),
            traceId);
        const Reply e = m_fx.call("GET", tenantPath(m_misc, "/projects"), QStringLiteral("garbage"),
                                  {}, {{"traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"}});
        QCOMPARE(e.status, 401);
        QVERIFY(e.header("traceparent").contains(traceId));
        // Invalid or absent: a fresh, valid one.
        for (const QByteArray &bad :
             {QByteArray("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
              QByteArray("garbage"), QByteArray()}) {
            const Reply n = m_fx.call("GET", "/healthz", {}, {},
                                      bad.isEmpty() ? Headers{} : Headers{{"traceparent", bad}});
            m = format.match(QString::fromLatin1(n.header("traceparent")));
            QVERIFY2(m.hasMatch(), n.header("traceparent").constData());
            QVERIFY(m.captured(1) != QString(32, u'0'));
        }
    }

    void methodNotAllowed() {
        const Reply r =
            m_fx.call("PUT", tenantPath(m_misc, "/projects"), m_misc.token, R"({"name":"x"})");
        QVERIFY2(r.status == 405 && r.code() == u"method_not_allowed", r.describe().constData());
        const QByteArray allow = r.header("Allow");
        QVERIFY2(allow.contains("GET") && allow.contains("POST"), allow.constData());
        const Reply d = m_fx.call("DELETE", tenantPath(m_misc, "/config"), m_misc.token);
        QVERIFY2(d.status == 405 && d.header("Allow").contains("GET"), d.describe().constData());
        // No token at all on a tenant route: 401 with a challenge.
        const Reply u = m_fx.call("GET", tenantPath(m_misc, "/projects"), {});
        QVERIFY2(u.status == 401 && u.code() == u"unauthorized", u.describe().constData());
        QVERIFY(u.header("WWW-Authenticate").startsWith("Bearer"));
        // A token in the query string is refused.
        const Reply q = m_fx.call(
            "GET", tenantPath(m_misc, "/projects?access_token=" + m_misc.token.toLatin1()), {});
        QCOMPARE(q.status, 401);
    }
};

QTEST_GUILESS_MAIN(TestApiBehaviour)
#include "tst_api_behaviour.moc"
