// SPDX-License-Identifier: GPL-3.0-or-later
// Identity end to end: the real tenantry-server binary against the suite's PostgreSQL, tenants
// provisioned with its CLI, every request over a real socket. Covers discovery/JWKS, the token
// endpoint (password and refresh grants), throttling, revocation, bearer authentication with
// tenant binding, TOTP and recovery codes, tenant-required MFA, key rotation while serving and
// the Argon2 parameter upgrade.
#include "core/LoginThrottle.h"
#include "core/PasswordHasher.h"
#include "core/Totp.h"
#include "harness/TestDatabase.h"
#include "interop/ServerHarness.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace tenantry;
using namespace tenantry::test;

namespace {

struct TestTenant {
    QString id;
    QString slug;
    QString schema;
    QString ownerId;
    QString ownerEmail;
    QString ownerPassword;
};

QByteArray base32Decode(const QString &text) {
    static const QByteArray alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    QByteArray out;
    quint32 buffer = 0;
    int bits = 0;
    for (const QChar c : text) {
        if (c == u'=')
            break;
        const qsizetype v = alphabet.indexOf(char(c.toUpper().toLatin1()));
        if (v < 0)
            return {};
        buffer = (buffer << 5) | quint32(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.append(char((buffer >> bits) & 0xff));
        }
    }
    return out;
}

QStringList toStrings(const QJsonValue &v) {
    QStringList out;
    const QJsonArray a = v.toArray();
    for (const QJsonValue &e : a)
        out << e.toString();
    return out;
}

} // namespace

class TestIdentityFlow : public QObject {
    Q_OBJECT

    TestDatabase m_db;
    QTemporaryDir m_data;
    std::unique_ptr<ServerProcess> m_server;
    // Two more servers on the same database and KEK with one public URL (one issuer), for
    // tokens minted by one process and verified by another across a key rotation.
    std::unique_ptr<ServerProcess> m_peer1;
    std::unique_ptr<ServerProcess> m_peer2;
    QElapsedTimer m_peer2Started;
    TestTenant m_a;
    TestTenant m_b;
    TestTenant m_c; // tenant whose security setting requires MFA
    QSqlDatabase m_sql;

    static constexpr const char *kPeerIssuer = "http://idp.tenantry.test";

    QStringList common() const {
        return {QStringLiteral("--database-url"), m_db.adminUrl(), QStringLiteral("--data-dir"),
                m_data.path()};
    }

    bool createTenant(const QString &name, const QString &email, TestTenant *out) {
        const QString password = QStringLiteral("pw-") + name.toLower().replace(u' ', u'-') +
                                 QStringLiteral("-correct-horse");
        const CliRun r =
            runCli(QStringList{QStringLiteral("tenant"), QStringLiteral("create"),
                               QStringLiteral("--name"), name, QStringLiteral("--owner-email"),
                               email, QStringLiteral("--owner-password"), password} +
                   common());
        if (r.exitCode != 0) {
            qWarning("tenant create failed: %s", r.err.constData());
            return false;
        }
        const QJsonObject t = r.json();
        out->id = t.value(QStringLiteral("id")).toString();
        out->slug = t.value(QStringLiteral("slug")).toString();
        out->schema = t.value(QStringLiteral("schema")).toString();
        out->ownerId = t.value(QStringLiteral("owner_user_id")).toString();
        out->ownerEmail = email;
        out->ownerPassword = password;
        return !out->id.isEmpty() && !out->schema.isEmpty() && !out->ownerId.isEmpty();
    }

    // A member added directly in SQL (as the superuser): the test's own fixture data.
    QString addUser(const TestTenant &t, const QString &email, const QString &password,
                    const QString &role = QStringLiteral("member")) {
        QSqlQuery q(m_sql);
        q.prepare(QStringLiteral("INSERT INTO \"%1\".users (email, name, password_hash, role) "
                                 "VALUES (?, ?, ?, ?) RETURNING id::text")
                      .arg(t.schema));
        q.addBindValue(email);
        q.addBindValue(email.section(u'@', 0, 0));
        q.addBindValue(PasswordHasher().hash(password));
        q.addBindValue(role);
        if (!q.exec() || !q.next()) {
            qWarning("insert user failed: %s", qPrintable(q.lastError().text()));
            return {};
        }
        return q.value(0).toString();
    }

    bool execSql(const QString &statement, const QVariantList &binds = {}) {
        QSqlQuery q(m_sql);
        q.prepare(statement);
        for (const QVariant &b : binds)
            q.addBindValue(b);
        if (!q.exec()) {
            qWarning("SQL failed: %s", qPrintable(q.lastError().text()));
            return false;
        }
        return true;
    }

    QString queryString(const QString &statement, const QVariantList &binds = {}) {
        QSqlQuery q(m_sql);
        q.prepare(statement);
        for (const QVariant &b : binds)
            q.addBindValue(b);
        if (!q.exec() || !q.next())
            return {};
        return q.value(0).toString();
    }

    quint16 port() const { return m_server->port(); }

    Reply passwordGrant(const QString &tenant, const QString &user, const QString &password,
                        const QString &totp = {}, quint16 onPort = 0) {
        Params p{{QStringLiteral("grant_type"), QStringLiteral("password")},
                 {QStringLiteral("tenant"), tenant},
                 {QStringLiteral("username"), user},
                 {QStringLiteral("password"), password}};
        if (!totp.isEmpty())
            p.append({QStringLiteral("totp"), totp});
        return postForm(onPort ? onPort : port(), "/v1/auth/token", p);
    }
    Reply ownerGrant(const TestTenant &t, quint16 onPort = 0) {
        return passwordGrant(t.slug, t.ownerEmail, t.ownerPassword, {}, onPort);
    }
    Reply refreshGrant(const QString &refreshToken) {
        return postForm(port(), "/v1/auth/token",
                        {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                         {QStringLiteral("refresh_token"), refreshToken}});
    }
    Reply me(const TestTenant &t, const Headers &headers, quint16 onPort = 0) {
        return http(onPort ? onPort : port(), "GET", "/v1/" + t.id.toLatin1() + "/users/me",
                    headers);
    }
    QStringList jwksKids(quint16 onPort) {
        QStringList kids;
        const Reply r = http(onPort, "GET", "/.well-known/jwks.json");
        const QJsonArray keys = r.json().value(QStringLiteral("keys")).toArray();
        for (const QJsonValue &k : keys)
            kids << k.toObject().value(QStringLiteral("kid")).toString();
        return kids;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(m_db.ok(), qPrintable(m_db.error()));
        QVERIFY2(QFileInfo::exists(serverBinary()), qPrintable(serverBinary()));
        QVERIFY(m_data.isValid());
        m_sql = m_db.open(QStringLiteral("identity-flow-admin"));
        QVERIFY(m_sql.isOpen());
        QVERIFY(
            createTenant(QStringLiteral("Acme Identity"), QStringLiteral("owner@acme.test"), &m_a));
        QVERIFY(
            createTenant(QStringLiteral("Beta Identity"), QStringLiteral("owner@beta.test"), &m_b));
        QVERIFY(createTenant(QStringLiteral("Gamma Identity"), QStringLiteral("owner@gamma.test"),
                             &m_c));
        // The KEK lands in our temporary data dir, never in the user's.
        m_server =
            std::make_unique<ServerProcess>(common(), m_data.filePath(QStringLiteral("main.log")));
        QVERIFY2(m_server->port() > 0, m_server->log().constData());
        QVERIFY(QFileInfo::exists(m_data.filePath(QStringLiteral("kek"))));
        const QStringList peer = common() + QStringList{QStringLiteral("--public-url"),
                                                        QString::fromLatin1(kPeerIssuer)};
        m_peer1 =
            std::make_unique<ServerProcess>(peer, m_data.filePath(QStringLiteral("peer1.log")));
        m_peer2 =
            std::make_unique<ServerProcess>(peer, m_data.filePath(QStringLiteral("peer2.log")));
        m_peer2Started.start();
        QVERIFY2(m_peer1->port() > 0, m_peer1->log().constData());
        QVERIFY2(m_peer2->port() > 0, m_peer2->log().constData());
    }

    void cleanupTestCase() {
        m_server.reset();
        m_peer1.reset();
        m_peer2.reset();
        m_sql.close();
    }

    void discoveryAndJwks() {
        const Reply d = http(port(), "GET", "/.well-known/openid-configuration");
        QVERIFY2(d.status == 200, d.describe().constData());
        const QJsonObject doc = d.json();
        const QString issuer = m_server->url();
        QCOMPARE(doc.value(QStringLiteral("issuer")).toString(), issuer);
        QCOMPARE(doc.value(QStringLiteral("jwks_uri")).toString(),
                 QString(issuer + QStringLiteral("/.well-known/jwks.json")));
        QCOMPARE(doc.value(QStringLiteral("token_endpoint")).toString(),
                 QString(issuer + QStringLiteral("/v1/auth/token")));
        QVERIFY(toStrings(doc.value(QStringLiteral("grant_types_supported")))
                    .contains(QStringLiteral("refresh_token")));

        // --public-url decides the issuer when given.
        const Reply pd = http(m_peer1->port(), "GET", "/.well-known/openid-configuration");
        QCOMPARE(pd.str("issuer"), QString::fromLatin1(kPeerIssuer));

        const QByteArray jwksPath =
            QUrl(doc.value(QStringLiteral("jwks_uri")).toString()).path().toLatin1();
        const Reply j = http(port(), "GET", jwksPath);
        QVERIFY2(j.status == 200, j.describe().constData());
        QVERIFY(j.header("content-type").contains("json"));
        const QJsonArray keys = j.json().value(QStringLiteral("keys")).toArray();
        QVERIFY(!keys.isEmpty());
        for (const QJsonValue &v : keys) {
            const QJsonObject k = v.toObject();
            for (const char *member : {"kid", "alg", "use", "kty"})
                QVERIFY2(!k.value(QLatin1String(member)).toString().isEmpty(), member);
            QCOMPARE(k.value(QStringLiteral("use")).toString(), QStringLiteral("sig"));
            for (const char *secret : {"d", "p", "q", "dp", "dq", "qi", "k"})
                QVERIFY2(!k.contains(QLatin1String(secret)), secret);
        }
    }

    void passwordGrantBySlugAndById() {
        const QStringList kids = jwksKids(port());
        for (const QString &tenantRef : {m_a.slug, m_a.id}) {
            const Reply r = passwordGrant(tenantRef, m_a.ownerEmail, m_a.ownerPassword);
            QVERIFY2(r.status == 200, r.describe().constData());
            QVERIFY(r.header("cache-control").contains("no-store"));
            const QJsonObject o = r.json();
            QCOMPARE(o.value(QStringLiteral("expires_in")).toInt(), 900);
            QCOMPARE(o.value(QStringLiteral("token_type")).toString(), QStringLiteral("Bearer"));
            QVERIFY(!o.value(QStringLiteral("refresh_token")).toString().isEmpty());
            const QString at = o.value(QStringLiteral("access_token")).toString();
            QCOMPARE(at.split(u'.').size(), 3);
            const QJsonObject header = jwtPart(at, 0);
            QCOMPARE(header.value(QStringLiteral("typ")).toString(), QStringLiteral("at+jwt"));
            QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
            QVERIFY2(kids.contains(header.value(QStringLiteral("kid")).toString()),
                     qPrintable(header.value(QStringLiteral("kid")).toString()));
            const QJsonObject c = jwtPart(at, 1);
            QCOMPARE(c.value(QStringLiteral("iss")).toString(), m_server->url());
            QCOMPARE(c.value(QStringLiteral("sub")).toString(), m_a.ownerId);
            QCOMPARE(c.value(QStringLiteral("aud")).toString(), QStringLiteral("tenantry-api"));
            QCOMPARE(c.value(QStringLiteral("tid")).toString(), m_a.id);
            const qint64 iat = c.value(QStringLiteral("iat")).toInteger();
            QCOMPARE(c.value(QStringLiteral("exp")).toInteger() - iat, 900);
            QVERIFY(qAbs(iat - QDateTime::currentSecsSinceEpoch()) < 60);
            QVERIFY(c.value(QStringLiteral("jti")).toString().size() >= 16);
            QCOMPARE(toStrings(c.value(QStringLiteral("roles"))),
                     QStringList{QStringLiteral("owner")});
            QCOMPARE(toStrings(c.value(QStringLiteral("amr"))), QStringList{QStringLiteral("pwd")});
        }
    }

    void failedSignInsLookAlike() {
        const Reply wrongPassword =
            passwordGrant(m_b.slug, m_b.ownerEmail, QStringLiteral("not-it"));
        const Reply unknownUser =
            passwordGrant(m_b.slug, QStringLiteral("nobody@beta.test"), m_b.ownerPassword);
        const Reply unknownTenant =
            passwordGrant(QStringLiteral("no-such-tenant"), m_b.ownerEmail, m_b.ownerPassword);
        for (const Reply *r : {&wrongPassword, &unknownUser, &unknownTenant}) {
            QVERIFY2(r->status == 400, r->describe().constData());
            QCOMPARE(r->code(), QStringLiteral("invalid_grant"));
            QCOMPARE(r->str("error"), QStringLiteral("invalid_grant"));
            QVERIFY(r->header("content-type").startsWith("application/problem+json"));
        }
        QCOMPARE(unknownUser.body, wrongPassword.body);
        QCOMPARE(unknownTenant.body, wrongPassword.body);
        // The owner is still fine afterwards.
        QCOMPARE(ownerGrant(m_b).status, 200);
    }

    void requestFormats() {
        // JSON body.
        const Reply json = postJson(port(), "/v1/auth/token",
                                    {{QStringLiteral("grant_type"), QStringLiteral("password")},
                                     {QStringLiteral("tenant"), m_a.id},
                                     {QStringLiteral("username"), m_a.ownerEmail},
                                     {QStringLiteral("password"), m_a.ownerPassword}});
        QVERIFY2(json.status == 200, json.describe().constData());
        QVERIFY(!json.str("access_token").isEmpty());

        // A parameter sent twice.
        const QByteArray dup = form({{QStringLiteral("grant_type"), QStringLiteral("password")},
                                     {QStringLiteral("tenant"), m_a.slug},
                                     {QStringLiteral("username"), m_a.ownerEmail},
                                     {QStringLiteral("password"), m_a.ownerPassword},
                                     {QStringLiteral("tenant"), m_b.slug}});
        const Reply d = http(port(), "POST", "/v1/auth/token",
                             {{"Content-Type", "application/x-www-form-urlencoded"}}, dup);
        QVERIFY2(d.status == 400, d.describe().constData());
        QCOMPARE(d.code(), QStringLiteral("invalid_request"));

        const Reply text = http(port(), "POST", "/v1/auth/token", {{"Content-Type", "text/plain"}},
                                form({{QStringLiteral("grant_type"), QStringLiteral("password")}}));
        QVERIFY2(text.status == 415, text.describe().constData());
        QCOMPARE(text.code(), QStringLiteral("unsupported_media_type"));
        const Reply none = http(port(), "POST", "/v1/auth/token", {}, "grant_type=password");
        QCOMPARE(none.status, 415);
        const Reply latin1 =
            http(port(), "POST", "/v1/auth/token",
                 {{"Content-Type", "application/x-www-form-urlencoded; charset=latin1"}},
                 form({{QStringLiteral("grant_type"), QStringLiteral("password")}}));
        QVERIFY2(latin1.status == 415, latin1.describe().constData());
        const Reply utf8 =
            http(port(), "POST", "/v1/auth/token",
                 {{"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"}},
                 form({{QStringLiteral("grant_type"), QStringLiteral("password")},
                       {QStringLiteral("tenant"), m_a.slug},
                       {QStringLiteral("username"), m_a.ownerEmail},
                       {QStringLiteral("password"), m_a.ownerPassword}}));
        QVERIFY2(utf8.status == 200, utf8.describe().constData());

        const Reply grant =
            postForm(port(), "/v1/auth/token",
                     {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}});
        QVERIFY2(grant.status == 400, grant.describe().constData());
        QCOMPARE(grant.code(), QStringLiteral("unsupported_grant_type"));
        QCOMPARE(grant.str("error"), QStringLiteral("unsupported_grant_type"));

        const Reply missing =
            postForm(port(), "/v1/auth/token", {{QStringLiteral("tenant"), m_a.slug}});
        QCOMPARE(missing.status, 400);
        QCOMPARE(missing.code(), QStringLiteral("invalid_request"));
    }

    void throttlingPerAccount() {
        const QString victim = QStringLiteral("throttle-victim@acme.test");
        const QString other = QStringLiteral("throttle-other@acme.test");
        const QString password = QStringLiteral("victim-password-1");
        QVERIFY(!addUser(m_a, victim, password).isEmpty());
        QVERIFY(!addUser(m_a, other, password).isEmpty());
        // Ten failures, half by slug and half by id and in another case: one account.
        for (int i = 0; i < 10; ++i) {
            const QString ref = i % 2 ? m_a.id : m_a.slug;
            const QString user = i % 3 ? victim : victim.toUpper();
            const Reply r = passwordGrant(ref, user, QStringLiteral("guess-%1").arg(i));
            QVERIFY2(r.status == 400, r.describe().constData());
            QCOMPARE(r.code(), QStringLiteral("invalid_grant"));
        }
        // Eleventh attempt: throttled, even with the right password, by either reference.
        for (const QString &ref : {m_a.slug, m_a.id}) {
            const Reply r = passwordGrant(ref, victim, password);
            QVERIFY2(r.status == 429, r.describe().constData());
            QCOMPARE(r.code(), QStringLiteral("rate_limited"));
            const int retryAfter = r.header("retry-after").toInt();
            QVERIFY2(retryAfter > 0 && retryAfter <= 900, r.header("retry-after").constData());
        }
        // Another account of the same tenant is not affected.
        const Reply ok = passwordGrant(m_a.slug, other, password);
        QVERIFY2(ok.status == 200, ok.describe().constData());
    }

    // The throttle behind the token endpoint, directly: a spray of distinct account names from
    // many addresses must not grow it without bound, and throttling still works afterwards.
    void loginThrottleStaysBounded() {
        LoginThrottle throttle;
        qsizetype largest = 0;
        for (int i = 0; i < 120000; ++i) {
            throttle.recordFailure(QStringLiteral("spray/%1").arg(i),
                                   QStringLiteral("10.%1.%2.1").arg(i / 256 % 256).arg(i % 256));
            if (i % 500 == 0)
                largest = std::max(largest, throttle.entryCount());
        }
        largest = std::max(largest, throttle.entryCount());
        QVERIFY2(largest <= LoginThrottle::kMaxEntries, qPrintable(QString::number(largest)));
        const QString account = QStringLiteral("tenant/victim@example.test");
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(throttle.retryAfter(account, QStringLiteral("192.0.2.1")), 0);
            throttle.recordFailure(account, QStringLiteral("192.0.2.1"));
        }
        QVERIFY(throttle.retryAfter(account, QStringLiteral("192.0.2.7")) > 0);
        throttle.recordSuccess(account);
        QCOMPARE(throttle.retryAfter(account, QStringLiteral("192.0.2.7")), 0);
    }

    void refreshRotationAndReuseDetection() {
        const Reply first = ownerGrant(m_a);
        QVERIFY2(first.status == 200, first.describe().constData());
        const QString r1 = first.str("refresh_token");

        const Reply second = refreshGrant(r1);
        QVERIFY2(second.status == 200, second.describe().constData());
        QVERIFY(second.header("cache-control").contains("no-store"));
        const QString r2 = second.str("refresh_token");
        QVERIFY(r2 != r1);
        QVERIFY(second.str("access_token") != first.str("access_token"));
        QCOMPARE(second.json().value(QStringLiteral("expires_in")).toInt(), 900);
        const QJsonObject claims = jwtPart(second.str("access_token"), 1);
        QCOMPARE(claims.value(QStringLiteral("sub")).toString(), m_a.ownerId);
        QCOMPARE(claims.value(QStringLiteral("tid")).toString(), m_a.id);
        QCOMPARE(me(m_a, bearer(second.str("access_token"))).status, 200);

        const Reply third = refreshGrant(r2);
        QVERIFY2(third.status == 200, third.describe().constData());
        const QString r3 = third.str("refresh_token");

        // r1 was rotated: presenting it again means it leaked. The whole family ends.
        const Reply reuse = refreshGrant(r1);
        QVERIFY2(reuse.status == 400, reuse.describe().constData());
        QCOMPARE(reuse.code(), QStringLiteral("invalid_grant"));
        const Reply newest = refreshGrant(r3);
        QVERIFY2(newest.status == 400, newest.describe().constData());
        QCOMPARE(newest.code(), QStringLiteral("invalid_grant"));

        // Garbage and well-shaped unknown tokens look the same.
        const Reply garbage = refreshGrant(QStringLiteral("not-a-token"));
        QCOMPARE(garbage.status, 400);
        QCOMPARE(garbage.body, reuse.body);
    }

    void revocation() {
        const Reply first = ownerGrant(m_a);
        QVERIFY2(first.status == 200, first.describe().constData());
        const Reply second = refreshGrant(first.str("refresh_token"));
        QVERIFY2(second.status == 200, second.describe().constData());
        const QString latest = second.str("refresh_token");

        // Revoking the first (already rotated) token ends the family: the latest one fails too.
        const Reply revoked = postForm(port(), "/v1/auth/revoke",
                                       {{QStringLiteral("token"), first.str("refresh_token")}});
        QVERIFY2(revoked.status == 200, revoked.describe().constData());
        const Reply after = refreshGrant(latest);
        QVERIFY2(after.status == 400, after.describe().constData());
        QCOMPARE(after.code(), QStringLiteral("invalid_grant"));

        // Revoking the current token works the same way, also as JSON.
        const Reply other = ownerGrant(m_a);
        QVERIFY2(other.status == 200, other.describe().constData());
        const Reply json =
            postJson(port(), "/v1/auth/revoke",
                     {{QStringLiteral("token"), other.str("refresh_token")},
                      {QStringLiteral("token_type_hint"), QStringLiteral("refresh_token")}});
        QVERIFY2(json.status == 200, json.describe().constData());
        QCOMPARE(refreshGrant(other.str("refresh_token")).status, 400);

        // RFC 7009 §2.2: unknown tokens are not an error.
        const Reply garbage = postForm(port(), "/v1/auth/revoke",
                                       {{QStringLiteral("token"), QStringLiteral("garbage")}});
        QVERIFY2(garbage.status == 200, garbage.describe().constData());
        const QString shaped =
            QStringLiteral("rt_") + QString(m_a.id).remove(u'-') + u'_' + QString(43, u'A');
        const Reply unknown =
            postForm(port(), "/v1/auth/revoke", {{QStringLiteral("token"), shaped}});
        QVERIFY2(unknown.status == 200, unknown.describe().constData());
    }

    void bearerAuthenticationAndTenantBinding() {
        const Reply grant = ownerGrant(m_a);
        QVERIFY2(grant.status == 200, grant.describe().constData());
        const QString token = grant.str("access_token");

        const Reply ok = me(m_a, bearer(token));
        QVERIFY2(ok.status == 200, ok.describe().constData());
        const QJsonObject profile = ok.json();
        QCOMPARE(profile.value(QStringLiteral("id")).toString(), m_a.ownerId);
        QCOMPARE(profile.value(QStringLiteral("email")).toString(), m_a.ownerEmail);
        QCOMPARE(toStrings(profile.value(QStringLiteral("roles"))),
                 QStringList{QStringLiteral("owner")});
        QCOMPARE(profile.value(QStringLiteral("tenant"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
                 m_a.id);
        QCOMPARE(profile.value(QStringLiteral("mfa_enrollment_required")).toBool(), false);

        // Every authentication failure: 401, WWW-Authenticate: Bearer, one constant body.
        QList<Reply> unauthorized;
        unauthorized << me(m_a, {});
        unauthorized << http(port(), "GET",
                             "/v1/" + m_a.id.toLatin1() +
                                 "/users/me?access_token=" + token.toLatin1());
        QString tampered = token;
        const qsizetype sigStart = token.lastIndexOf(u'.') + 1;
        const qsizetype mid = sigStart + (token.size() - sigStart) / 2;
        tampered[mid] = tampered[mid] == u'A' ? u'B' : u'A';
        unauthorized << me(m_a, bearer(tampered));
        unauthorized << me(m_a, bearer(QStringLiteral("garbage")));
        unauthorized << me(m_a, {{"Authorization", "Basic b3duZXI6cHc="}});
        // A refresh token is not an access token (RFC 8725 §3.12).
        unauthorized << me(m_a, bearer(grant.str("refresh_token")));
        // A token whose payload was changed to name tenant B.
        {
            QStringList parts = token.split(u'.');
            QJsonObject claims = jwtPart(token, 1);
            claims.insert(QStringLiteral("tid"), m_b.id);
            parts[1] = QString::fromLatin1(
                QJsonDocument(claims)
                    .toJson(QJsonDocument::Compact)
                    .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
            unauthorized << me(m_b, bearer(parts.join(u'.')));
        }
        for (const Reply &r : std::as_const(unauthorized)) {
            QVERIFY2(r.status == 401, r.describe().constData());
            QCOMPARE(r.code(), QStringLiteral("unauthorized"));
            QVERIFY2(r.header("www-authenticate").startsWith("Bearer"),
                     r.header("www-authenticate").constData());
            QCOMPARE(r.body, unauthorized.first().body);
        }

        // A valid token of tenant A on tenant B's path.
        const Reply cross = me(m_b, bearer(token));
        QVERIFY2(cross.status == 403, cross.describe().constData());
        QCOMPARE(cross.code(), QStringLiteral("tenant_mismatch"));
        // X-Tenant-ID must agree with both.
        const Reply header = me(m_a, bearer(token) + Headers{{"X-Tenant-ID", m_b.id.toLatin1()}});
        QVERIFY2(header.status == 403, header.describe().constData());
        QCOMPARE(header.code(), QStringLiteral("tenant_mismatch"));
        const Reply agreeing = me(m_a, bearer(token) + Headers{{"X-Tenant-ID", m_a.id.toLatin1()}});
        QVERIFY2(agreeing.status == 200, agreeing.describe().constData());
        // B's own token works on B's path.
        const Reply bGrant = ownerGrant(m_b);
        QVERIFY2(bGrant.status == 200, bGrant.describe().constData());
        QCOMPARE(me(m_b, bearer(bGrant.str("access_token"))).status, 200);
        QCOMPARE(me(m_a, bearer(bGrant.str("access_token"))).code(),
                 QStringLiteral("tenant_mismatch"));
    }

    void totpEnrolmentAndSignIn() {
        const QString email = QStringLiteral("totp-user@acme.test");
        const QString password = QStringLiteral("totp-user-password");
        QVERIFY(!addUser(m_a, email, password).isEmpty());
        const Reply grant = passwordGrant(m_a.slug, email, password);
        QVERIFY2(grant.status == 200, grant.describe().constData());
        const Headers auth = bearer(grant.str("access_token"));
        const QByteArray base = "/v1/" + m_a.id.toLatin1() + "/users/me/mfa/totp";

        const Reply enrol = http(port(), "POST", base, auth);
        QVERIFY2(enrol.status == 201, enrol.describe().constData());
        QVERIFY(enrol.header("cache-control").contains("no-store"));
        const QString secretText = enrol.str("secret");
        const QString uri = enrol.str("otpauth_uri");
        QVERIFY2(uri.startsWith(QStringLiteral("otpauth://totp/")), qPrintable(uri));
        QVERIFY2(uri.contains(QStringLiteral("secret=") + secretText), qPrintable(uri));
        const QByteArray secret = base32Decode(secretText);
        QCOMPARE(secret.size(), 20);

        // A wrong code does not switch MFA on.
        const Reply wrong = postJson(port(), base + "/verify",
                                     {{QStringLiteral("code"), QStringLiteral("000000")}}, auth);
        const QString rightNow = Totp::generate(secret, QDateTime::currentSecsSinceEpoch());
        if (rightNow != u"000000")
            QVERIFY2(wrong.status == 422, wrong.describe().constData());

        const Reply verify = postJson(
            port(), base + "/verify",
            {{QStringLiteral("code"), Totp::generate(secret, QDateTime::currentSecsSinceEpoch())}},
            auth);
        QVERIFY2(verify.status == 200, verify.describe().constData());
        QCOMPARE(verify.json().value(QStringLiteral("mfa_enabled")).toBool(), true);
        const QStringList recovery =
            toStrings(verify.json().value(QStringLiteral("recovery_codes")));
        QCOMPARE(recovery.size(), 10);

        // Password alone is no longer enough.
        const Reply needed = passwordGrant(m_a.slug, email, password);
        QVERIFY2(needed.status == 401, needed.describe().constData());
        QCOMPARE(needed.code(), QStringLiteral("mfa_required"));
        QCOMPARE(needed.str("error"), QStringLiteral("mfa_required"));

        // The next step's code (the enrolment used this one): accepted once.
        const QString code =
            Totp::generate(secret, QDateTime::currentSecsSinceEpoch() + Totp::kStepSeconds);
        const Reply withCode = passwordGrant(m_a.slug, email, password, code);
        QVERIFY2(withCode.status == 200, withCode.describe().constData());
        const QStringList amr =
            toStrings(jwtPart(withCode.str("access_token"), 1).value(QStringLiteral("amr")));
        QVERIFY2(amr.contains(QStringLiteral("otp")) && amr.contains(QStringLiteral("pwd")),
                 qPrintable(amr.join(u',')));
        const Reply replay = passwordGrant(m_a.slug, email, password, code);
        QVERIFY2(replay.status == 400, replay.describe().constData());
        QCOMPARE(replay.code(), QStringLiteral("invalid_grant"));

        // The code is bound to the password: a right code with a wrong password fails.
        const Reply wrongPassword =
            passwordGrant(m_a.slug, email, QStringLiteral("nope"),
                          Totp::generate(secret, QDateTime::currentSecsSinceEpoch()));
        QCOMPARE(wrongPassword.status, 400);

        // A recovery code works once, and only once (also typed in upper case).
        const Reply rc = passwordGrant(m_a.slug, email, password, recovery.at(3).toUpper());
        QVERIFY2(rc.status == 200, rc.describe().constData());
        QVERIFY(toStrings(jwtPart(rc.str("access_token"), 1).value(QStringLiteral("amr")))
                    .contains(QStringLiteral("otp")));
        const Reply rcAgain = passwordGrant(m_a.slug, email, password, recovery.at(3));
        QVERIFY2(rcAgain.status == 400, rcAgain.describe().constData());
        QCOMPARE(rcAgain.code(), QStringLiteral("invalid_grant"));

        // The profile says so; enrolling again while enabled is refused.
        const Reply profile = me(m_a, bearer(rc.str("access_token")));
        QCOMPARE(profile.json().value(QStringLiteral("mfa_enabled")).toBool(), true);
        QCOMPARE(http(port(), "POST", base, bearer(rc.str("access_token"))).status, 409);
    }

    void tenantRequiringMfa() {
        QVERIFY(execSql(
            QStringLiteral("UPDATE \"%1\".settings SET value = jsonb_set(value, '{mfa_required}', "
                           "'true') WHERE key = 'security'")
                .arg(m_c.schema)));
        const Reply grant = ownerGrant(m_c);
        QVERIFY2(grant.status == 200, grant.describe().constData());
        const QString token = grant.str("access_token");
        QCOMPARE(jwtPart(token, 1).value(QStringLiteral("mfa_enrollment_required")).toBool(), true);
        const Reply profile = me(m_c, bearer(token));
        QVERIFY2(profile.status == 200, profile.describe().constData());
        QCOMPARE(profile.json().value(QStringLiteral("mfa_enrollment_required")).toBool(), true);
        QCOMPARE(profile.json().value(QStringLiteral("mfa_enabled")).toBool(), false);
        // A refreshed token keeps the restriction.
        const Reply refreshed = refreshGrant(grant.str("refresh_token"));
        QVERIFY2(refreshed.status == 200, refreshed.describe().constData());
        QCOMPARE(jwtPart(refreshed.str("access_token"), 1)
                     .value(QStringLiteral("mfa_enrollment_required"))
                     .toBool(),
                 true);

        // Enrolment works with the restricted token.
        const QByteArray base = "/v1/" + m_c.id.toLatin1() + "/users/me/mfa/totp";
        const Reply enrol = http(port(), "POST", base, bearer(token));
        QVERIFY2(enrol.status == 201, enrol.describe().constData());
        const QByteArray secret = base32Decode(enrol.str("secret"));
        const Reply verify = postJson(
            port(), base + "/verify",
            {{QStringLiteral("code"), Totp::generate(secret, QDateTime::currentSecsSinceEpoch())}},
            bearer(token));
        QVERIFY2(verify.status == 200, verify.describe().constData());

        // Enrolled: the second factor is required and the token is unrestricted.
        QCOMPARE(ownerGrant(m_c).code(), QStringLiteral("mfa_required"));
        const Reply full = passwordGrant(
            m_c.slug, m_c.ownerEmail, m_c.ownerPassword,
            Totp::generate(secret, QDateTime::currentSecsSinceEpoch() + Totp::kStepSeconds));
        QVERIFY2(full.status == 200, full.describe().constData());
        const QJsonObject claims = jwtPart(full.str("access_token"), 1);
        QVERIFY(!claims.contains(QStringLiteral("mfa_enrollment_required")));
        const Reply after = me(m_c, bearer(full.str("access_token")));
        QCOMPARE(after.json().value(QStringLiteral("mfa_enrollment_required")).toBool(), false);
        QCOMPARE(after.json().value(QStringLiteral("mfa_enabled")).toBool(), true);
    }

    void argon2ParametersUpgradedOnSignIn() {
        const QString email = QStringLiteral("legacy-hash@acme.test");
        const QString password = QStringLiteral("legacy-password");
        const QString id = addUser(m_a, email, password);
        QVERIFY(!id.isEmpty());
        const QString weak = PasswordHasher(PasswordHasher::Params{1024, 1, 1}).hash(password);
        QVERIFY(weak.startsWith(QStringLiteral("$argon2id$v=19$m=1024,t=1,p=1$")));
        QVERIFY(
            execSql(QStringLiteral("UPDATE \"%1\".users SET password_hash = ? WHERE id = ?::uuid")
                        .arg(m_a.schema),
                    {weak, id}));
        const Reply r = passwordGrant(m_a.slug, email, password);
        QVERIFY2(r.status == 200, r.describe().constData());
        const QString stored =
            queryString(QStringLiteral("SELECT password_hash FROM \"%1\".users WHERE id = ?::uuid")
                            .arg(m_a.schema),
                        {id});
        QVERIFY2(stored.startsWith(QStringLiteral("$argon2id$v=19$m=19456,t=2,p=1$")),
                 qPrintable(stored));
        QVERIFY(PasswordHasher().verify(password, stored));
        // And the upgraded hash still signs in.
        QCOMPARE(passwordGrant(m_a.slug, email, password).status, 200);
    }

    // Last: it changes the signing key of the whole database.
    void keyRotationWhileServing() {
        const Reply before = ownerGrant(m_a);
        QVERIFY2(before.status == 200, before.describe().constData());
        const QString oldToken = before.str("access_token");
        const QString oldKid = jwtPart(oldToken, 0).value(QStringLiteral("kid")).toString();
        const Reply peerBefore = ownerGrant(m_a, m_peer1->port());
        QVERIFY2(peerBefore.status == 200, peerBefore.describe().constData());
        QCOMPARE(jwtPart(peerBefore.str("access_token"), 0).value(QStringLiteral("kid")).toString(),
                 oldKid);

        const CliRun rotate =
            runCli(QStringList{QStringLiteral("keys"), QStringLiteral("rotate")} + common());
        QVERIFY2(rotate.exitCode == 0, rotate.err.constData());
        const QString newKid = rotate.json().value(QStringLiteral("kid")).toString();
        QCOMPARE(rotate.json().value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
        QVERIFY(!newKid.isEmpty() && newKid != oldKid);

        // A token issued before the rotation still verifies.
        QCOMPARE(me(m_a, bearer(oldToken)).status, 200);
        // New tokens carry the new kid at once, not after some cache expires.
        const Reply after = ownerGrant(m_a);
        QVERIFY2(after.status == 200, after.describe().constData());
        QCOMPARE(jwtPart(after.str("access_token"), 0).value(QStringLiteral("kid")).toString(),
                 newKid);
        QCOMPARE(me(m_a, bearer(after.str("access_token"))).status, 200);
        const QStringList kids = jwksKids(port());
        QVERIFY2(kids.contains(oldKid) && kids.contains(newKid), qPrintable(kids.join(u' ')));

        // Across processes: peer 1 signs with the new key; peer 2 has not looked at the keys
        // since it started and meets an unknown kid, reloads, and accepts it.
        const Reply peerAfter = ownerGrant(m_a, m_peer1->port());
        QVERIFY2(peerAfter.status == 200, peerAfter.describe().constData());
        QCOMPARE(jwtPart(peerAfter.str("access_token"), 0).value(QStringLiteral("kid")).toString(),
                 newKid);
        // (Forced reloads are rate-limited per process: KeyRing::kForcedReloadIntervalMs.)
        while (m_peer2Started.elapsed() < 2500)
            QTest::qWait(100);
        const Reply onPeer2 = me(m_a, bearer(peerAfter.str("access_token")), m_peer2->port());
        QVERIFY2(onPeer2.status == 200,
                 QByteArray(onPeer2.describe() + m_peer2->log().right(2000)).constData());
        QCOMPARE(me(m_a, bearer(peerBefore.str("access_token")), m_peer2->port()).status, 200);
        const QStringList peerKids = jwksKids(m_peer2->port());
        QVERIFY2(peerKids.contains(oldKid) && peerKids.contains(newKid),
                 qPrintable(peerKids.join(u' ')));
        // The issuers differ: the main server refuses the peers' tokens and vice versa.
        QCOMPARE(me(m_a, bearer(peerAfter.str("access_token"))).status, 401);
        QCOMPARE(me(m_a, bearer(after.str("access_token")), m_peer2->port()).status, 401);
    }
};

QTEST_GUILESS_MAIN(TestIdentityFlow)
#include "tst_identity_flow.moc"
