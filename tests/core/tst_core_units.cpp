// SPDX-License-Identifier: GPL-3.0-or-later
// Pure units of the core: input validation, URL parsing, script splitting, password hashing.
#include "core/ConnectionSettings.h"
#include "core/PasswordHasher.h"
#include "core/SqlSupport.h"
#include "core/TenantSpec.h"

#include <QTest>

using namespace tenantry;

class TestCoreUnits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void slugValidation_data() {
        QTest::addColumn<QString>("slug");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << QStringLiteral("acme") << true;
        QTest::newRow("digits-hyphen") << QStringLiteral("acme-2") << true;
        QTest::newRow("one char") << QStringLiteral("a") << true;
        QTest::newRow("40 chars") << QString(40, u'a') << true;
        QTest::newRow("41 chars") << QString(41, u'a') << false;
        QTest::newRow("uppercase") << QStringLiteral("Acme") << false;
        QTest::newRow("sql injection") << QStringLiteral("t1; DROP SCHEMA t2 CASCADE --") << false;
        QTest::newRow("search_path trick") << QStringLiteral("t1, public") << false;
        QTest::newRow("quoted") << QStringLiteral("\"x\"") << false;
        QTest::newRow("leading hyphen") << QStringLiteral("-acme") << false;
        QTest::newRow("trailing hyphen") << QStringLiteral("acme-") << false;
        QTest::newRow("unicode") << QStringLiteral("café") << false;
        QTest::newRow("space") << QStringLiteral("a b") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("underscore") << QStringLiteral("a_b") << false;
    }
    void slugValidation() {
        QFETCH(QString, slug);
        QFETCH(bool, valid);
        QCOMPARE(TenantSpec::isValidSlug(slug), valid);
    }

    void slugFromName() {
        QCOMPARE(TenantSpec::slugFromName(QStringLiteral("Acme Corp")),
                 QStringLiteral("acme-corp"));
        QCOMPARE(TenantSpec::slugFromName(QStringLiteral("Café Müller & Söhne")),
                 QStringLiteral("cafe-muller-sohne"));
        QCOMPARE(TenantSpec::slugFromName(QStringLiteral("  --Hello--  ")),
                 QStringLiteral("hello"));
        QCOMPARE(TenantSpec::slugFromName(QStringLiteral("日本")), QString());
    }

    void specNormalise() {
        TenantSpec ok;
        ok.name = QStringLiteral("  Acme Corp ");
        QVERIFY(!ok.normalise().has_value());
        QCOMPARE(ok.name, QStringLiteral("Acme Corp"));
        QCOMPARE(ok.slug, QStringLiteral("acme-corp"));

        auto problem = [](auto mutate) {
            TenantSpec s;
            s.name = QStringLiteral("Acme");
            mutate(s);
            return s.normalise().value_or(QString());
        };
        QVERIFY(problem([](TenantSpec &s) { s.name.clear(); }).contains(u"empty"));
        QVERIFY(problem([](TenantSpec &s) { s.name = QString(101, u'x'); }).contains(u"100"));
        QVERIFY(problem([](TenantSpec &s) {
                    s.name = QStringLiteral("a\u0007b");
                }).contains(u"control"));
        QVERIFY(problem([](TenantSpec &s) { s.tier = QStringLiteral("gold"); }).contains(u"tier"));
        QVERIFY(
            problem([](TenantSpec &s) { s.region = QStringLiteral("EU"); }).contains(u"region"));
        QVERIFY(
            problem([](TenantSpec &s) { s.slug = QStringLiteral("Bad Slug"); }).contains(u"slug"));
        QVERIFY(problem([](TenantSpec &s) {
                    s.ownerEmail = QStringLiteral("a@b.c");
                }).contains(u"together"));
        QVERIFY(problem([](TenantSpec &s) {
                    s.ownerEmail = QStringLiteral("not-an-email");
                    s.ownerPassword = QStringLiteral("long enough password");
                }).contains(u"e-mail"));
        QVERIFY(problem([](TenantSpec &s) {
                    s.ownerEmail = QStringLiteral("a@b.co");
                    s.ownerPassword = QStringLiteral("short");
                }).contains(u"12"));
        QVERIFY(problem([](TenantSpec &s) { s.name = QStringLiteral("日本"); }).contains(u"slug"));
    }

    void schemaName() {
        const QUuid id = QUuid::fromString(QStringLiteral("0692c378-8108-4253-b6e4-79fb7243d491"));
        QCOMPARE(Tenant::schemaFor(id), QStringLiteral("tenant_0692c37881084253b6e479fb7243d491"));
    }

    void connectionUrls() {
        QString error;
        auto s = ConnectionSettings::fromUrl(
            QStringLiteral("postgresql://alice:s%40cret@db.example:6543/tenantry?sslmode=require"),
            &error);
        QVERIFY2(s, qPrintable(error));
        QCOMPARE(s->host, QStringLiteral("db.example"));
        QCOMPARE(s->port, 6543);
        QCOMPARE(s->user, QStringLiteral("alice"));
        QCOMPARE(s->password, QStringLiteral("s@cret"));
        QCOMPARE(s->database, QStringLiteral("tenantry"));
        QCOMPARE(s->options, QStringLiteral("sslmode=require"));

        auto sock = ConnectionSettings::fromUrl(
            QStringLiteral("postgresql://tenantry@/postgres?host=/tmp/x/run&port=5432"), &error);
        QVERIFY2(sock, qPrintable(error));
        QCOMPARE(sock->host, QStringLiteral("/tmp/x/run"));
        const auto again = ConnectionSettings::fromUrl(sock->toUrl(), &error);
        QVERIFY(again);
        QCOMPARE(again->host, sock->host);
        QCOMPARE(again->database, QStringLiteral("postgres"));

        QVERIFY(!ConnectionSettings::fromUrl(QStringLiteral("mysql://x/y"), &error));
        QVERIFY(!ConnectionSettings::fromUrl(QStringLiteral("postgresql://h/db?evil=1"), &error));
        QVERIFY(error.contains(u"evil"));
        QVERIFY(!ConnectionSettings::fromUrl(QStringLiteral("postgresql://h/db?sslmode=a;b=c"),
                                             &error));
        QVERIFY(!ConnectionSettings::fromUrl(QStringLiteral("postgresql://h:99999/db"), &error));
        // The password never appears unless asked for.
        QVERIFY(!s->toUrl().contains(u"cret"));
        QVERIFY(s->toUrl(true).contains(u"cret"));
    }

    void scriptSplitting() {
        const QStringList parts = sql::splitScript(
            QStringLiteral("-- comment; with semicolon\nCREATE TABLE a (x text DEFAULT ';');\n"
                           "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
                           "CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN 2; END $body$ "
                           "LANGUAGE plpgsql;\n"
                           "SELECT 'it''s';\n\n"));
        QCOMPARE(parts.size(), 4);
        QVERIFY(parts.at(0).contains(u"';'"));
        QVERIFY(parts.at(1).contains(u"SELECT 1; $$"));
        QVERIFY(parts.at(2).contains(u"RETURN 2; END"));
        QCOMPARE(parts.at(3), QStringLiteral("SELECT 'it''s'"));
    }

    void quoting() {
        QCOMPARE(sql::quoteIdent(QStringLiteral("a\"b")), QStringLiteral("\"a\"\"b\""));
        QCOMPARE(sql::quoteLiteral(QStringLiteral("o'k")), QStringLiteral("'o''k'"));
    }

    void passwordHashing() {
        // Small parameters keep the test fast; the defaults are checked separately.
        PasswordHasher fast(PasswordHasher::Params{1024, 1, 1});
        const QString h = fast.hash(QStringLiteral("correct horse battery staple"));
        QVERIFY(h.startsWith(QStringLiteral("$argon2id$v=19$m=1024,t=1,p=1$")));
        QVERIFY(fast.verify(QStringLiteral("correct horse battery staple"), h));
        QVERIFY(!fast.verify(QStringLiteral("correct horse battery stapl"), h));
        QVERIFY(!fast.verify(QStringLiteral("x"), QStringLiteral("$2y$10$notargon")));
        QVERIFY(fast.hash(QStringLiteral("same")) != fast.hash(QStringLiteral("same"))); // salted
        QVERIFY(!fast.needsRehash(h));
        PasswordHasher owasp;
        QVERIFY(owasp.needsRehash(h));
        const QString strong = owasp.hash(QStringLiteral("pw"));
        QVERIFY(strong.startsWith(QStringLiteral("$argon2id$v=19$m=19456,t=2,p=1$")));
        QVERIFY(owasp.verify(QStringLiteral("pw"), strong));
    }

    void emailValidation() {
        QVERIFY(TenantSpec::isValidEmail(QStringLiteral("a@b.example")));
        QVERIFY(!TenantSpec::isValidEmail(QStringLiteral("a@b")));
        QVERIFY(!TenantSpec::isValidEmail(QStringLiteral("a b@c.de")));
        QVERIFY(!TenantSpec::isValidEmail(QStringLiteral("a@b.de\r\nBcc: x@y.z")));
        QVERIFY(!TenantSpec::isValidEmail(QString(250, u'a') + QStringLiteral("@b.de")));
    }
};

QTEST_GUILESS_MAIN(TestCoreUnits)
#include "tst_core_units.moc"
