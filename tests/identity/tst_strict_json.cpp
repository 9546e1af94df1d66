// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/StrictJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using tenantry::StrictJson;

namespace {

QByteArray nested(int depth) {
    // depth 1 is the top-level object itself.
    QByteArray text = "{\"a\":";
    for (int i = 1; i < depth; ++i)
        text += (i % 2) ? "[" : "{\"b\":";
    text += "0";
    for (int i = depth - 1; i >= 1; --i)
        text += (i % 2) ? "]" : "}";
    text += "}";
    return text;
}

} // namespace

class TestStrictJson : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void rejects_data();
    void rejects();
    void qjsonDocumentWouldHaveAcceptedTheseAmbiguities();
    void decodedKeysAndValues();
    void depthLimitIsExact();
    void maxBytes();
    void errorTextIsSet();
};

void TestStrictJson::accepts_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("whitespace around") << QByteArray(" \t\r\n{ \"a\" : 1 }\n");
    QTest::newRow("claims") << QByteArray(
        R"({"iss":"https://id.example","aud":["a","b"],"exp":1700000000,"tid":"t1",)"
        R"("x":null,"y":true,"z":false,"n":-0.5e-3,"o":{"p":[]}})");
    QTest::newRow("same key in sibling objects") << QByteArray(R"({"a":{"k":1},"b":{"k":2}})");
    QTest::newRow("same key at two levels") << QByteArray(R"({"k":{"k":1}})");
    QTest::newRow("escapes") << QByteArray(R"({"s":"\"\\\/\b\f\n\r\t\u00e9\u20ac"})");
    QTest::newRow("surrogate pair") << QByteArray(R"({"s":"\ud83d\ude00"})");
    QTest::newRow("raw UTF-8") << QByteArray("{\"s\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
    QTest::newRow("big finite number") << QByteArray(R"({"n":1.7976931348623157e308})");
    QTest::newRow("integer beyond 2^53") << QByteArray(R"({"n":123456789012345678901234567890})");
    QTest::newRow("DEL is not a control char for JSON") << QByteArray("{\"s\":\"\x7f\"}");
    QTest::newRow("depth 32") << nested(32);
}

void TestStrictJson::accepts() {
    QFETCH(QByteArray, text);
    QString error;
    const auto object = StrictJson::parseObject(text, &error);
    QVERIFY2(object.has_value(), qPrintable(error));
    QCOMPARE(*object, QJsonDocument::fromJson(text).object());
}

void TestStrictJson::rejects_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("duplicate key") << QByteArray(R"({"tid":"t1","tid":"t2"})");
    QTest::newRow("duplicate, escaped equal") << QByteArray(R"({"a":1,"\u0061":2})");
    QTest::newRow("duplicate, escaped slash") << QByteArray(R"({"a/b":1,"a\/b":2})");
    QTest::newRow("duplicate, UTF-8 vs escape") << QByteArray("{\"\xc3\xa9\":1,\"\\u00e9\":2}");
    QTest::newRow("duplicate in nested object") << QByteArray(R"({"o":{"k":1,"k":1}})");
    QTest::newRow("duplicate in array element") << QByteArray(R"({"a":[{"k":1,"k":2}]})");
    QTest::newRow("duplicate header alg") << QByteArray(R"({"alg":"ES256","alg":"none"})");
    QTest::newRow("depth 33") << nested(33);
    QTest::newRow("depth 2000") << nested(2000);
    QTest::newRow("lone high surrogate") << QByteArray(R"({"s":"\ud800"})");
    QTest::newRow("lone high surrogate then char") << QByteArray(R"({"s":"\ud800x"})");
    QTest::newRow("lone low surrogate") << QByteArray(R"({"s":"\udc00"})");
    QTest::newRow("reversed pair") << QByteArray(R"({"s":"\ude00\ud83d"})");
    QTest::newRow("high + high") << QByteArray(R"({"s":"\ud800\ud800"})");
    QTest::newRow("lone surrogate in key") << QByteArray(R"({"\ud800":1})");
    QTest::newRow("escaped NUL") << QByteArray(R"({"s":"a\u0000b"})");
    QTest::newRow("raw NUL") << QByteArray("{\"s\":\"a\0b\"}", 11);
    QTest::newRow("raw newline") << QByteArray("{\"s\":\"a\nb\"}");
    QTest::newRow("raw tab") << QByteArray("{\"s\":\"a\tb\"}");
    QTest::newRow("raw 0x1f") << QByteArray("{\"s\":\"\x1f\"}");
    QTest::newRow("BOM") << QByteArray("\xef\xbb\xbf{}");
    QTest::newRow("1e400") << QByteArray(R"({"exp":1e400})");
    QTest::newRow("-1e400") << QByteArray(R"({"exp":-1e400})");
    QTest::newRow("huge mantissa") << QByteArray("{\"n\":" + QByteArray(400, '9') + "}");
    QTest::newRow("NaN") << QByteArray(R"({"n":NaN})");
    QTest::newRow("Infinity") << QByteArray(R"({"n":Infinity})");
    QTest::newRow("leading zero") << QByteArray(R"({"n":01})");
    QTest::newRow("plus sign") << QByteArray(R"({"n":+1})");
    QTest::newRow("bare dot") << QByteArray(R"({"n":1.})");
    QTest::newRow("hex") << QByteArray(R"({"n":0x10})");
    QTest::newRow("top-level array") << QByteArray("[]");
    QTest::newRow("top-level string") << QByteArray("\"x\"");
    QTest::newRow("top-level number") << QByteArray("1");
    QTest::newRow("empty input") << QByteArray();
    QTest::newRow("two objects") << QByteArray("{}{}");
    QTest::newRow("trailing garbage") << QByteArray("{} x");
    QTest::newRow("trailing comma") << QByteArray(R"({"a":1,})");
    QTest::newRow("unquoted key") << QByteArray("{a:1}");
    QTest::newRow("single quotes") << QByteArray("{'a':1}");
    QTest::newRow("comment") << QByteArray("{/*x*/}");
    QTest::newRow("unterminated") << QByteArray(R"({"a":"b)");
    QTest::newRow("bad escape") << QByteArray(R"({"a":"\x41"})");
    QTest::newRow("short \\u") << QByteArray(R"({"a":"\u12"})");
    QTest::newRow("overlong UTF-8") << QByteArray("{\"a\":\"\xc0\xaf\"}");
    QTest::newRow("overlong 3-byte") << QByteArray("{\"a\":\"\xe0\x80\xaf\"}");
    QTest::newRow("UTF-8 surrogate") << QByteArray("{\"a\":\"\xed\xa0\x80\"}");
    QTest::newRow("above U+10FFFF") << QByteArray("{\"a\":\"\xf4\x90\x80\x80\"}");
    QTest::newRow("lone continuation") << QByteArray("{\"a\":\"\x80\"}");
    QTest::newRow("truncated sequence") << QByteArray("{\"a\":\"\xe2\x82\"}");
    QTest::newRow("0xff byte") << QByteArray("{\"a\":\"\xff\"}");
    QTest::newRow("invalid UTF-8 in key") << QByteArray("{\"\xc3\":1}");
    QTest::newRow("NBSP as whitespace") << QByteArray("{\xc2\xa0}");
}

void TestStrictJson::rejects() {
    QFETCH(QByteArray, text);
    QString error;
    QVERIFY(!StrictJson::parseObject(text, &error).has_value());
    QVERIFY(!error.isEmpty());
    QVERIFY(!StrictJson::validate(text));
}

void TestStrictJson::qjsonDocumentWouldHaveAcceptedTheseAmbiguities() {
    // The reason this class exists (checklist H4): if Qt ever starts rejecting these, the
    // pre-pass stays harmless, but the test documents what it protects against today.
    QJsonParseError error;
    const QJsonDocument dup = QJsonDocument::fromJson(R"({"tid":"t1","tid":"t2"})", &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(dup.object().value(QLatin1String("tid")).toString(), QStringLiteral("t2"));
    QVERIFY(!StrictJson::parseObject(R"({"tid":"t1","tid":"t2"})").has_value());
}

void TestStrictJson::decodedKeysAndValues() {
    const auto object = StrictJson::parseObject(R"({"\u0061b":"\ud83d\ude00","n":1e3})");
    QVERIFY(object.has_value());
    QCOMPARE(object->value(QLatin1String("ab")).toString(), QString::fromUtf8("\xf0\x9f\x98\x80"));
    QCOMPARE(object->value(QLatin1String("n")).toDouble(), 1000.0);
}

void TestStrictJson::depthLimitIsExact() {
    QVERIFY(StrictJson::parseObject(nested(5), nullptr, 5).has_value());
    QVERIFY(!StrictJson::parseObject(nested(6), nullptr, 5).has_value());
    QVERIFY(StrictJson::parseObject("{}", nullptr, 1).has_value());
    QVERIFY(!StrictJson::parseObject(R"({"a":[]})", nullptr, 1).has_value());
}

void TestStrictJson::maxBytes() {
    const QByteArray text = R"({"a":"0123456789"})";
    QVERIFY(StrictJson::parseObject(text, nullptr, 32, text.size()).has_value());
    QVERIFY(!StrictJson::parseObject(text, nullptr, 32, text.size() - 1).has_value());
}

void TestStrictJson::errorTextIsSet() {
    QString error;
    QVERIFY(!StrictJson::parseObject(R"({"a":1,"a":2})", &error));
    QVERIFY2(error.contains(QLatin1String("duplicate")), qPrintable(error));
    QVERIFY(!StrictJson::parseObject(R"({"a":"\ud800"})", &error));
    QVERIFY2(error.contains(QLatin1String("surrogate")), qPrintable(error));
}

QTEST_APPLESS_MAIN(TestStrictJson)
#include "tst_strict_json.moc"
