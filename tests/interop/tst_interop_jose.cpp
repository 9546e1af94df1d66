// SPDX-License-Identifier: GPL-3.0-or-later
// Interoperability: tokens from the real tenantry-server checked by panva/jose (Node.js), a JOSE
// implementation we did not write, through discovery and the remote JWKS only; and tokens that
// jose signs with a key the server has never seen, which the server must refuse.
#include "harness/TestDatabase.h"
#include "interop/ServerHarness.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace tenantry::test;

namespace {

struct NodeRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out.trimmed()).object(); }
    QByteArray describe() const {
        return "exit " + QByteArray::number(exitCode) + "\nstdout: " + out.left(2000) +
               "\nstderr: " + err.left(2000);
    }
};

} // namespace

class TestInteropJose : public QObject {
    Q_OBJECT

    TestDatabase m_db;
    QTemporaryDir m_data;
    std::unique_ptr<ServerProcess> m_server;
    QString m_node;
    QString m_dir;
    QString m_tenantId;
    QString m_tenantSlug;
    QString m_otherTenantId;
    QString m_ownerId;
    const QString m_email = QStringLiteral("owner@interop.test");
    const QString m_password = QStringLiteral("interop-correct-horse");

    QStringList common() const {
        return {QStringLiteral("--database-url"), m_db.adminUrl(), QStringLiteral("--data-dir"),
                m_data.path()};
    }

    NodeRun verifyWithJose(const QString &token, const QString &tenantId) {
        QProcess p;
        p.setWorkingDirectory(m_dir);
        p.start(m_node,
                {m_dir + QStringLiteral("/verify-token.mjs"), m_server->url(), token, tenantId});
        NodeRun r;
        if (!p.waitForStarted(10000))
            return r;
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    Reply grant() {
        return postForm(m_server->port(), "/v1/auth/token",
                        {{QStringLiteral("grant_type"), QStringLiteral("password")},
                         {QStringLiteral("tenant"), m_tenantSlug},
                         {QStringLiteral("username"), m_email},
                         {QStringLiteral("password"), m_password}});
    }

    Reply me(const QString &token) {
        return http(m_server->port(), "GET", "/v1/" + m_tenantId.toLatin1() + "/users/me",
                    bearer(token));
    }

private Q_SLOTS:
    void initTestCase() {
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (m_node.isEmpty())
            QSKIP(
                "Node.js (node) is not installed: the jose interop test needs node >= 20 and npm");
        m_dir = qEnvironmentVariable("TENANTRY_INTEROP_DIR");
        if (m_dir.isEmpty())
            m_dir = qEnvironmentVariable("TENANTRY_SOURCE_DIR") + QStringLiteral("/tests/interop");
        if (!QFileInfo::exists(m_dir + QStringLiteral("/node_modules/jose/package.json")))
            QSKIP(qPrintable(
                QStringLiteral("jose is not installed in %1: run `npm ci --no-audit --no-fund` "
                               "there (the CTest fixture interop.npm does; is npm installed?)")
                    .arg(m_dir)));
        QVERIFY2(m_db.ok(), qPrintable(m_db.error()));
        QVERIFY2(QFileInfo::exists(serverBinary()), qPrintable(serverBinary()));
        QVERIFY(m_data.isValid());

        CliRun r = runCli(QStringList{QStringLiteral("tenant"), QStringLiteral("create"),
                                      QStringLiteral("--name"), QStringLiteral("Interop Co"),
                                      QStringLiteral("--owner-email"), m_email,
                                      QStringLiteral("--owner-password"), m_password} +
                          common());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        m_tenantId = r.json().value(QStringLiteral("id")).toString();
        m_tenantSlug = r.json().value(QStringLiteral("slug")).toString();
        m_ownerId = r.json().value(QStringLiteral("owner_user_id")).toString();
        r = runCli(QStringList{QStringLiteral("tenant"), QStringLiteral("create"),
                               QStringLiteral("--name"), QStringLiteral("Other Co")} +
                   common());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        m_otherTenantId = r.json().value(QStringLiteral("id")).toString();
        QVERIFY(!m_tenantId.isEmpty() && !m_otherTenantId.isEmpty() && !m_ownerId.isEmpty());

        m_server = std::make_unique<ServerProcess>(common(),
                                                   m_data.filePath(QStringLiteral("server.log")));
        QVERIFY2(m_server->port() > 0, m_server->log().constData());
    }

    void cleanupTestCase() { m_server.reset(); }

    void joseVerifiesOurTokenAndWeRefuseItsForeignOnes() {
        const Reply g = grant();
        QVERIFY2(g.status == 200, g.describe().constData());
        const QString token = g.str("access_token");

        const NodeRun run = verifyWithJose(token, m_tenantId);
        QVERIFY2(run.exitCode == 0, run.describe().constData());
        const QJsonObject out = run.json();
        QCOMPARE(out.value(QStringLiteral("verified")).toBool(), true);
        QCOMPARE(out.value(QStringLiteral("jwks_uri")).toString(),
                 QString(m_server->url() + QStringLiteral("/.well-known/jwks.json")));
        const QJsonObject header = out.value(QStringLiteral("header")).toObject();
        QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
        QCOMPARE(header.value(QStringLiteral("typ")).toString(), QStringLiteral("at+jwt"));
        QCOMPARE(header.value(QStringLiteral("kid")).toString(),
                 jwtPart(token, 0).value(QStringLiteral("kid")).toString());
        const QJsonObject claims = out.value(QStringLiteral("claims")).toObject();
        QCOMPARE(claims.value(QStringLiteral("iss")).toString(), m_server->url());
        QCOMPARE(claims.value(QStringLiteral("aud")).toString(), QStringLiteral("tenantry-api"));
        QCOMPARE(claims.value(QStringLiteral("sub")).toString(), m_ownerId);
        QCOMPARE(claims.value(QStringLiteral("tid")).toString(), m_tenantId);
        QCOMPARE(claims.value(QStringLiteral("exp")).toInteger() -
                     claims.value(QStringLiteral("iat")).toInteger(),
                 900);

        // The server's own answer for a token it cannot verify, for comparison.
        const Reply garbage = me(QStringLiteral("not.a.token"));
        QCOMPARE(garbage.status, 401);

        // jose-minted, right iss/aud/typ/tid, a key and kid the server has never seen.
        const QString foreign = out.value(QStringLiteral("foreign_token")).toString();
        QCOMPARE(foreign.split(u'.').size(), 3);
        QCOMPARE(jwtPart(foreign, 0).value(QStringLiteral("kid")).toString(),
                 out.value(QStringLiteral("foreign_kid")).toString());
        QCOMPARE(jwtPart(foreign, 1).value(QStringLiteral("tid")).toString(), m_tenantId);
        const Reply refused = me(foreign);
        QVERIFY2(refused.status == 401, refused.describe().constData());
        QVERIFY(refused.header("www-authenticate").startsWith("Bearer"));
        QCOMPARE(refused.body, garbage.body);
        // The same, but claiming the server's current kid: the signature must not verify.
        const QString impostor = out.value(QStringLiteral("impostor_token")).toString();
        QCOMPARE(jwtPart(impostor, 0).value(QStringLiteral("kid")).toString(),
                 header.value(QStringLiteral("kid")).toString());
        const Reply impostorReply = me(impostor);
        QVERIFY2(impostorReply.status == 401, impostorReply.describe().constData());
        QCOMPARE(impostorReply.body, garbage.body);

        // And the genuine token is accepted by the server itself.
        QCOMPARE(me(token).status, 200);
    }

    void joseRefusesWrongTenantAndTamperedTokens() {
        const Reply g = grant();
        QVERIFY2(g.status == 200, g.describe().constData());
        const QString token = g.str("access_token");

        const NodeRun wrongTenant = verifyWithJose(token, m_otherTenantId);
        QVERIFY2(wrongTenant.exitCode == 1, wrongTenant.describe().constData());
        QCOMPARE(wrongTenant.json().value(QStringLiteral("verified")).toBool(true), false);
        QCOMPARE(wrongTenant.json().value(QStringLiteral("code")).toString(),
                 QStringLiteral("TENANT"));

        QStringList parts = token.split(u'.');
        QJsonObject claims = jwtPart(token, 1);
        claims.insert(QStringLiteral("tid"), m_otherTenantId);
        parts[1] = QString::fromLatin1(
            QJsonDocument(claims)
                .toJson(QJsonDocument::Compact)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        const NodeRun tampered = verifyWithJose(parts.join(u'.'), m_otherTenantId);
        QVERIFY2(tampered.exitCode == 1, tampered.describe().constData());
        QCOMPARE(tampered.json().value(QStringLiteral("code")).toString(),
                 QStringLiteral("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"));
    }

    // EdDSA keys (OKP/Ed25519 in the JWKS) work for jose too, and a rotation keeps the previous
    // key's tokens verifiable through the remote JWKS.
    void joseAfterRotationToEdDsa() {
        const Reply before = grant();
        QVERIFY2(before.status == 200, before.describe().constData());
        const CliRun rotate = runCli(QStringList{QStringLiteral("keys"), QStringLiteral("rotate"),
                                                 QStringLiteral("--alg"), QStringLiteral("EdDSA")} +
                                     common());
        QVERIFY2(rotate.exitCode == 0, rotate.err.constData());
        QCOMPARE(rotate.json().value(QStringLiteral("alg")).toString(), QStringLiteral("EdDSA"));

        const Reply after = grant();
        QVERIFY2(after.status == 200, after.describe().constData());
        const QString token = after.str("access_token");
        QCOMPARE(jwtPart(token, 0).value(QStringLiteral("alg")).toString(),
                 QStringLiteral("EdDSA"));
        QCOMPARE(jwtPart(token, 0).value(QStringLiteral("kid")).toString(),
                 rotate.json().value(QStringLiteral("kid")).toString());

        const NodeRun eddsa = verifyWithJose(token, m_tenantId);
        QVERIFY2(eddsa.exitCode == 0, eddsa.describe().constData());
        QCOMPARE(eddsa.json()
                     .value(QStringLiteral("header"))
                     .toObject()
                     .value(QStringLiteral("alg"))
                     .toString(),
                 QStringLiteral("EdDSA"));
        const NodeRun old = verifyWithJose(before.str("access_token"), m_tenantId);
        QVERIFY2(old.exitCode == 0, old.describe().constData());
        QCOMPARE(me(token).status, 200);
        QCOMPARE(me(before.str("access_token")).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestInteropJose)
#include "tst_interop_jose.moc"
