// SPDX-License-Identifier: GPL-3.0-or-later
// TOTP through liboath against the RFC 6238 Appendix B test vectors, plus our verification rules
// (window of one step, digits only) and recovery codes.
#include "core/KeyEncryption.h"
#include "core/Totp.h"

#include <QTest>

using namespace tenantry;

class TestTotp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rfc6238Vectors_data() {
        QTest::addColumn<qint64>("time");
        QTest::addColumn<int>("flags");
        QTest::addColumn<QString>("expected");
        // RFC 6238 Appendix B: 8 digits; seeds are the ASCII strings "1234567890" repeated to the
        // hash's block length (20, 32 and 64 bytes).
        const struct {
            qint64 t;
            const char *sha1;
            const char *sha256;
            const char *sha512;
        } rows[] = {{59, "94287082", "46119246", "90693936"},
                    {1111111109, "07081804", "68084774", "25091201"},
                    {1111111111, "14050471", "67062674", "99943326"},
                    {1234567890, "89005924", "91819424", "93441116"},
                    {2000000000, "69279037", "90698825", "38618901"},
                    {20000000000, "65353130", "77737706", "47863826"}};
        for (const auto &r : rows) {
            QTest::addRow("sha1@%lld", r.t) << r.t << 0 << QString::fromLatin1(r.sha1);
            QTest::addRow("sha256@%lld", r.t) << r.t << 1 << QString::fromLatin1(r.sha256);
            QTest::addRow("sha512@%lld", r.t) << r.t << 2 << QString::fromLatin1(r.sha512);
        }
    }
    void rfc6238Vectors() {
        QFETCH(qint64, time);
        QFETCH(int, flags);
        QFETCH(QString, expected);
        const int length = flags == 0 ? 20 : flags == 1 ? 32 : 64;
        const QByteArray seed =
            QByteArray("12345678901234567890123456789012345678901234567890123456789012345678")
                .left(length);
        QCOMPARE(Totp::generate(seed, time, 8, flags), expected);
    }

    void verifyAcceptsTheWindowAndNothingElse() {
        const QByteArray secret = Totp::newSecret();
        QCOMPARE(secret.size(), 20);
        const qint64 now = 1796000000;
        const QString code = Totp::generate(secret, now);
        QCOMPARE(code.size(), 6);
        const auto step = Totp::verify(secret, code, now);
        QVERIFY(step.has_value());
        QCOMPARE(*step, now / 30);
        QVERIFY(Totp::verify(secret, code, now + 30).has_value());  // one step late: accepted
        QVERIFY(!Totp::verify(secret, code, now + 95).has_value()); // three steps: refused
        QVERIFY(!Totp::verify(secret, QStringLiteral("12345a"), now).has_value());
        QVERIFY(!Totp::verify(secret, code + u'0', now).has_value());
        QVERIFY(!Totp::verify(Totp::newSecret(), code, now).has_value() ||
                Totp::generate(secret, now) == code); // another secret (1e-6 chance to collide)
    }

    void provisioningUri() {
        const QByteArray secret("12345678901234567890");
        QCOMPARE(Totp::base32(secret), QStringLiteral("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
        const QString uri = Totp::provisioningUri(secret, QStringLiteral("Tenantry Acme"),
                                                  QStringLiteral("ann@acme.example"));
        QVERIFY(uri.startsWith(
            QStringLiteral("otpauth://totp/Tenantry%20Acme:ann%40acme.example?secret=")));
        QVERIFY(uri.contains(u"issuer=Tenantry%20Acme"));
        QVERIFY(uri.contains(u"period=30"));
    }

    void recoveryCodes() {
        const QStringList codes = Totp::newRecoveryCodes();
        QCOMPARE(codes.size(), 10);
        QCOMPARE(QSet<QString>(codes.begin(), codes.end()).size(), 10);
        for (const QString &c : codes) {
            QCOMPARE(c.size(), 14);
            QVERIFY(!c.contains(u'0') && !c.contains(u'o') && !c.contains(u'1') &&
                    !c.contains(u'l'));
        }
        // Typing variations hash the same; a different code does not.
        QCOMPARE(Totp::recoveryCodeHash(codes.first().toUpper()),
                 Totp::recoveryCodeHash(codes.first()));
        QCOMPARE(Totp::recoveryCodeHash(QString(codes.first()).remove(u'-')),
                 Totp::recoveryCodeHash(codes.first()));
        QVERIFY(Totp::recoveryCodeHash(codes.at(0)) != Totp::recoveryCodeHash(codes.at(1)));
    }

    void keyEncryptionBindsToItsLabel() {
        const KeyEncryption kek(QByteArray(32, 'k'));
        const QByteArray sealed = kek.encrypt("secret seed", "tenantry.totp:user-a");
        QCOMPARE(kek.decrypt(sealed, "tenantry.totp:user-a").value_or(QByteArray()),
                 QByteArray("secret seed"));
        QVERIFY(!kek.decrypt(sealed, "tenantry.totp:user-b")); // copied to another row: useless
        QByteArray tampered = sealed;
        tampered[tampered.size() - 1] = char(tampered.at(tampered.size() - 1) ^ 1);
        QVERIFY(!kek.decrypt(tampered, "tenantry.totp:user-a"));
        QVERIFY(!KeyEncryption(QByteArray(32, 'x')).decrypt(sealed, "tenantry.totp:user-a"));
        QVERIFY(kek.encrypt("same", "l") != kek.encrypt("same", "l")); // fresh nonce each time
    }
};

QTEST_GUILESS_MAIN(TestTotp)
#include "tst_totp.moc"
