// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Base64Url.h"

#include <QRandomGenerator>
#include <QTest>

using tenantry::Base64Url;

class TestBase64Url : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void knownAnswers_data();
    void knownAnswers();
    void roundTripsEveryLength();
    void rejects_data();
    void rejects();
    void everyCanonicalTwoCharSpellingIsUnique();
};

void TestBase64Url::knownAnswers_data() {
    QTest::addColumn<QByteArray>("plain");
    QTest::addColumn<QByteArray>("encoded");
    // RFC 4648 §10 vectors, unpadded, plus the two characters that differ from base64.
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("f") << QByteArray("f") << QByteArray("Zg");
    QTest::newRow("fo") << QByteArray("fo") << QByteArray("Zm8");
    QTest::newRow("foo") << QByteArray("foo") << QByteArray("Zm9v");
    QTest::newRow("foob") << QByteArray("foob") << QByteArray("Zm9vYg");
    QTest::newRow("fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE");
    QTest::newRow("foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy");
    QTest::newRow("url alphabet") << QByteArray("\xfb\xff\xbf", 3) << QByteArray("-_-_");
    QTest::newRow("A") << QByteArray("A") << QByteArray("QQ");
    QTest::newRow("RFC 7515 header") << QByteArray("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}")
                                     << QByteArray("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9");
}

void TestBase64Url::knownAnswers() {
    QFETCH(QByteArray, plain);
    QFETCH(QByteArray, encoded);
    QCOMPARE(Base64Url::encode(plain), encoded);
    const auto decoded = Base64Url::decode(encoded);
    QVERIFY(decoded.has_value());
    QCOMPARE(*decoded, plain);
}

void TestBase64Url::roundTripsEveryLength() {
    auto *rng = QRandomGenerator::global();
    for (int length = 0; length < 200; ++length) {
        QByteArray data(length, Qt::Uninitialized);
        for (char &c : data)
            c = char(rng->bounded(256));
        const QByteArray encoded = Base64Url::encode(data);
        QVERIFY(!encoded.contains('='));
        QVERIFY(!encoded.contains('+'));
        QVERIFY(!encoded.contains('/'));
        QCOMPARE(encoded,
                 data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        const auto decoded = Base64Url::decode(encoded);
        QVERIFY(decoded.has_value());
        QCOMPARE(*decoded, data);
    }
}

void TestBase64Url::rejects_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("padding 1") << QByteArray("Zm8=");
    QTest::newRow("padding 2") << QByteArray("Zg==");
    QTest::newRow("padding alone") << QByteArray("====");
    QTest::newRow("plus") << QByteArray("+_-_");
    QTest::newRow("slash") << QByteArray("-_-/");
    QTest::newRow("space inside") << QByteArray("Zm9v YmFy");
    QTest::newRow("trailing newline") << QByteArray("Zm9v\n");
    QTest::newRow("leading space") << QByteArray(" Zm9v");
    QTest::newRow("tab") << QByteArray("Zm\t9v");
    QTest::newRow("CR") << QByteArray("Zm9v\r");
    QTest::newRow("question mark") << QByteArray("Zm9?");
    QTest::newRow("dot") << QByteArray("Zm.v");
    QTest::newRow("NUL") << QByteArray("Zm\0v", 4);
    QTest::newRow("high byte") << QByteArray("Zm9\xc3\xa9");
    QTest::newRow("length 1 mod 4") << QByteArray("Zm9vY");
    QTest::newRow("single char") << QByteArray("Q");
    QTest::newRow("trailing bits QR") << QByteArray("QR");
    QTest::newRow("trailing bits QB") << QByteArray("QB");
    QTest::newRow("trailing bits QUF") << QByteArray("QUF");
    QTest::newRow("trailing bits Zm9") << QByteArray("Zm9");
    QTest::newRow("trailing bits Zh") << QByteArray("Zh");
}

void TestBase64Url::rejects() {
    QFETCH(QByteArray, text);
    QVERIFY2(!Base64Url::decode(text).has_value(), text.toHex().constData());
}

void TestBase64Url::everyCanonicalTwoCharSpellingIsUnique() {
    // For one-byte inputs exactly 256 of the 4096 two-character strings may decode: one per
    // byte value, and it must be the one encode() produces.
    const QByteArray alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int accepted = 0;
    for (char a : alphabet) {
        for (char b : alphabet) {
            QByteArray text;
            text.append(a).append(b);
            const auto decoded = Base64Url::decode(text);
            if (!decoded)
                continue;
            ++accepted;
            QCOMPARE(decoded->size(), 1);
            QCOMPARE(Base64Url::encode(*decoded), text);
        }
    }
    QCOMPARE(accepted, 256);
}

QTEST_APPLESS_MAIN(TestBase64Url)
#include "tst_base64url.moc"
