// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Base64Url.h"
#include "core/SigningKey.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

using tenantry::Base64Url;
using tenantry::SigningKey;

Q_DECLARE_METATYPE(SigningKey::Type)

namespace {

// The P-256 group order n, big-endian.
const QByteArray kOrder =
    QByteArray::fromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

// Loads our PKCS#8 export straight into OpenSSL, so the test reads the key without going
// through the code under test.
std::shared_ptr<EVP_PKEY> loadWithOpenSsl(const QByteArray &der) {
    const auto *cursor = reinterpret_cast<const unsigned char *>(der.constData());
    return std::shared_ptr<EVP_PKEY>(d2i_AutoPrivateKey(nullptr, &cursor, long(der.size())),
                                     EVP_PKEY_free);
}

QByteArray bnParam(EVP_PKEY *key, const char *name) {
    BIGNUM *bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1)
        return {};
    QByteArray out(32, '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(out.data()), 32);
    BN_free(bn);
    return out;
}

QByteArray derFromJose(const QByteArray &jose) {
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(reinterpret_cast<const unsigned char *>(jose.constData()), 32, nullptr);
    BIGNUM *s =
        BN_bin2bn(reinterpret_cast<const unsigned char *>(jose.constData()) + 32, 32, nullptr);
    ECDSA_SIG_set0(sig, r, s);
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

} // namespace

class TestSigningKey : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void signVerifyRoundTrip_data();
    void signVerifyRoundTrip();
    void pkcs8RoundTrip_data();
    void pkcs8RoundTrip();
    void pkcs8RejectsGarbage();
    void publicJwkRoundTrip_data();
    void publicJwkRoundTrip();
    void thumbprintRfc7638Example();
    void thumbprintEcKnownAnswer();
    void thumbprintComputedIndependently();
    void jwkLoaderRefusesWrongUse();
    void ecdsaRejectsOutOfRangeScalars();
    void ecdsaRejectsDerAndWrongLength();
    void ed25519RejectsWrongLength();
    void nullKeyDoesNothing();
};

void TestSigningKey::signVerifyRoundTrip_data() {
    QTest::addColumn<SigningKey::Type>("type");
    QTest::addColumn<QString>("alg");
    QTest::newRow("ES256") << SigningKey::Type::Es256 << QStringLiteral("ES256");
    QTest::newRow("EdDSA") << SigningKey::Type::EdDsa << QStringLiteral("EdDSA");
}

void TestSigningKey::signVerifyRoundTrip() {
    QFETCH(SigningKey::Type, type);
    QFETCH(QString, alg);
    const SigningKey key = SigningKey::generate(type);
    QVERIFY(!key.isNull());
    QVERIFY(key.hasPrivateKey());
    QCOMPARE(key.alg(), alg);

    const QByteArray message = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0";
    const QByteArray signature = key.sign(message);
    QCOMPARE(signature.size(), 64);
    QVERIFY(key.verify(message, signature));
    const SigningKey pub = key.publicKey();
    QVERIFY(!pub.hasPrivateKey());
    QVERIFY(pub.sign(message).isEmpty());
    QVERIFY(pub.verify(message, signature));
    QCOMPARE(pub.kid(), key.kid());

    QByteArray tampered = message;
    tampered[0] = 'f';
    QVERIFY(!pub.verify(tampered, signature));
    QByteArray badSignature = signature;
    badSignature[10] = char(badSignature[10] ^ 0x01);
    QVERIFY(!pub.verify(message, badSignature));
    // Another key of the same type must not verify it.
    QVERIFY(!SigningKey::generate(type).verify(message, signature));
}

void TestSigningKey::pkcs8RoundTrip_data() {
    signVerifyRoundTrip_data();
}

void TestSigningKey::pkcs8RoundTrip() {
    QFETCH(SigningKey::Type, type);
    const SigningKey key = SigningKey::generate(type);
    const QByteArray der = key.toPkcs8Der();
    QVERIFY(!der.isEmpty());
    QString error;
    const SigningKey loaded = SigningKey::fromPkcs8Der(der, &error);
    QVERIFY2(!loaded.isNull(), qPrintable(error));
    QCOMPARE(loaded.type(), type);
    QCOMPARE(loaded.kid(), key.kid());
    QCOMPARE(loaded.toPkcs8Der(), der);
    // The reloaded private key signs for the original public key.
    QVERIFY(key.publicKey().verify("abc", loaded.sign("abc")));
    // A public key has nothing to export.
    QVERIFY(key.publicKey().toPkcs8Der().isEmpty());
}

void TestSigningKey::pkcs8RejectsGarbage() {
    const QByteArray der = SigningKey::generate(SigningKey::Type::Es256).toPkcs8Der();
    QVERIFY(SigningKey::fromPkcs8Der({}).isNull());
    QVERIFY(SigningKey::fromPkcs8Der("not DER").isNull());
    QVERIFY(SigningKey::fromPkcs8Der(der.left(der.size() - 1)).isNull());
    QVERIFY(SigningKey::fromPkcs8Der(der + '\0').isNull());

    // Other curves and key types are refused even though OpenSSL parses them.
    EVP_PKEY *p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp384r1");
    QVERIFY(p384);
    unsigned char *buffer = nullptr;
    PKCS8_PRIV_KEY_INFO *info = EVP_PKEY2PKCS8(p384);
    const int length = i2d_PKCS8_PRIV_KEY_INFO(info, &buffer);
    const QByteArray p384Der(reinterpret_cast<const char *>(buffer), length);
    OPENSSL_free(buffer);
    PKCS8_PRIV_KEY_INFO_free(info);
    EVP_PKEY_free(p384);
    QString error;
    QVERIFY(SigningKey::fromPkcs8Der(p384Der, &error).isNull());
    QVERIFY(error.contains(QLatin1String("unsupported")));
}

void TestSigningKey::publicJwkRoundTrip_data() {
    signVerifyRoundTrip_data();
}

void TestSigningKey::publicJwkRoundTrip() {
    QFETCH(SigningKey::Type, type);
    const SigningKey key = SigningKey::generate(type);
    const QJsonObject jwk = key.publicJwk();
    if (type == SigningKey::Type::Es256) {
        QCOMPARE(jwk.keys(), (QStringList{QStringLiteral("crv"), QStringLiteral("kty"),
                                          QStringLiteral("x"), QStringLiteral("y")}));
        QCOMPARE(jwk.value(QLatin1String("kty")).toString(), QStringLiteral("EC"));
        QCOMPARE(jwk.value(QLatin1String("crv")).toString(), QStringLiteral("P-256"));
    } else {
        QCOMPARE(jwk.keys(),
                 (QStringList{QStringLiteral("crv"), QStringLiteral("kty"), QStringLiteral("x")}));
        QCOMPARE(jwk.value(QLatin1String("kty")).toString(), QStringLiteral("OKP"));
        QCOMPARE(jwk.value(QLatin1String("crv")).toString(), QStringLiteral("Ed25519"));
    }
    QString error;
    const SigningKey imported = SigningKey::fromPublicJwk(key.jwksEntry(), &error);
    QVERIFY2(!imported.isNull(), qPrintable(error));
    QVERIFY(!imported.hasPrivateKey());
    QCOMPARE(imported.kid(), key.kid());
    QVERIFY(imported.verify("msg", key.sign("msg")));

    const QJsonObject entry = key.jwksEntry();
    QCOMPARE(entry.value(QLatin1String("kid")).toString(), key.kid());
    QCOMPARE(entry.value(QLatin1String("alg")).toString(), key.alg());
    QCOMPARE(entry.value(QLatin1String("use")).toString(), QStringLiteral("sig"));
}

void TestSigningKey::thumbprintRfc7638Example() {
    // RFC 7638 §3.1: the RSA example cannot be a SigningKey, but the canonicalisation and
    // hashing helper is key-type independent and must reproduce the published value.
    QJsonObject rsa;
    rsa.insert(QLatin1String("e"), QStringLiteral("AQAB"));
    rsa.insert(QLatin1String("kty"), QStringLiteral("RSA"));
    rsa.insert(
        QLatin1String("n"),
        QStringLiteral(
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS"
            "oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65"
            "YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyr"
            "dkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzK"
            "nqDKgw"));
    QCOMPARE(SigningKey::jwkThumbprint(rsa),
             QStringLiteral("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
    // Member order in the input must not matter.
    rsa.insert(QLatin1String("alg"), QStringLiteral("RS256"));
    rsa.remove(QLatin1String("alg"));
    QCOMPARE(SigningKey::jwkThumbprint(rsa),
             QStringLiteral("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
}

void TestSigningKey::thumbprintEcKnownAnswer() {
    // The P-256 example from panva/jose's calculateJwkThumbprint documentation, loaded as a
    // real key so kid() (not just the helper) is checked against an outside value.
    const QJsonObject jwk{
        {QStringLiteral("kty"), QStringLiteral("EC")},
        {QStringLiteral("crv"), QStringLiteral("P-256")},
        {QStringLiteral("x"), QStringLiteral("jJ6Flys3zK9jUhnOHf6G49Dyp5hah6CNP84-gY-n9eo")},
        {QStringLiteral("y"), QStringLiteral("nhI6iD5eFXgBTLt_1p3aip-5VbZeMhxeFSpjfEAf7Ww")}};
    QString error;
    const SigningKey key = SigningKey::fromPublicJwk(jwk, &error);
    QVERIFY2(!key.isNull(), qPrintable(error));
    QCOMPARE(key.publicJwk(), jwk);
    QCOMPARE(key.kid(), QStringLiteral("w9eYdC6_s_tLQ8lH6PUpc0mddazaqtPgeC2IgWDiqY8"));
}

void TestSigningKey::thumbprintComputedIndependently() {
    // EC: read x and y with OpenSSL from the PKCS#8 export and build RFC 7638's canonical
    // string by hand, members in lexicographic order (crv, kty, x, y) and no whitespace.
    const SigningKey ec = SigningKey::generate(SigningKey::Type::Es256);
    const auto ecKey = loadWithOpenSsl(ec.toPkcs8Der());
    QVERIFY(ecKey);
    const QByteArray x = bnParam(ecKey.get(), OSSL_PKEY_PARAM_EC_PUB_X);
    const QByteArray y = bnParam(ecKey.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
    QCOMPARE(x.size(), 32);
    const QByteArray ecCanonical =
        "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" +
        x.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals) + "\",\"y\":\"" +
        y.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals) + "\"}";
    QCOMPARE(ec.kid(),
             QString::fromLatin1(
                 QCryptographicHash::hash(ecCanonical, QCryptographicHash::Sha256)
                     .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
    QCOMPARE(ec.kid().size(), 43);

    // OKP: crv, kty, x.
    const SigningKey ed = SigningKey::generate(SigningKey::Type::EdDsa);
    const auto edKey = loadWithOpenSsl(ed.toPkcs8Der());
    QVERIFY(edKey);
    unsigned char raw[32];
    size_t rawLength = sizeof raw;
    QCOMPARE(EVP_PKEY_get_raw_public_key(edKey.get(), raw, &rawLength), 1);
    const QByteArray edCanonical =
        "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" +
        QByteArray(reinterpret_cast<const char *>(raw), 32)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals) +
        "\"}";
    QCOMPARE(ed.kid(),
             QString::fromLatin1(
                 QCryptographicHash::hash(edCanonical, QCryptographicHash::Sha256)
                     .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
    QVERIFY(ec.kid() != ed.kid());
}

void TestSigningKey::jwkLoaderRefusesWrongUse() {
    const QJsonObject good = SigningKey::generate(SigningKey::Type::Es256).publicJwk();
    QVERIFY(!SigningKey::fromPublicJwk(good).isNull());

    auto with = [&good](const char *name, const QJsonValue &value) {
        QJsonObject jwk = good;
        jwk.insert(QLatin1String(name), value);
        return jwk;
    };
    QVERIFY(!SigningKey::fromPublicJwk(with("use", QStringLiteral("sig"))).isNull());
    QVERIFY(
        !SigningKey::fromPublicJwk(with("key_ops", QJsonArray{QStringLiteral("verify")})).isNull());
    QVERIFY(SigningKey::fromPublicJwk(with("use", QStringLiteral("enc"))).isNull());
    QVERIFY(
        SigningKey::fromPublicJwk(with("key_ops", QJsonArray{QStringLiteral("encrypt")})).isNull());
    QVERIFY(SigningKey::fromPublicJwk(with("key_ops", QStringLiteral("verify"))).isNull());
    QVERIFY(SigningKey::fromPublicJwk(with("alg", QStringLiteral("ES384"))).isNull());
    QVERIFY(SigningKey::fromPublicJwk(with("alg", QStringLiteral("HS256"))).isNull());
    QVERIFY(SigningKey::fromPublicJwk(with("d", QStringLiteral("AAAA"))).isNull());
    QVERIFY(SigningKey::fromPublicJwk(with("crv", QStringLiteral("P-384"))).isNull());
    QVERIFY(SigningKey::fromPublicJwk(with("kty", QStringLiteral("RSA"))).isNull());
    // Off-curve point: flip a bit of y.
    QByteArray y = *Base64Url::decode(good.value(QLatin1String("y")).toString().toLatin1());
    y[31] = char(y[31] ^ 1);
    QVERIFY(
        SigningKey::fromPublicJwk(with("y", QString::fromLatin1(Base64Url::encode(y)))).isNull());
    // Non-canonical base64url in a coordinate.
    QVERIFY(SigningKey::fromPublicJwk(
                with("x", QString(good.value(QLatin1String("x")).toString() + QLatin1Char('='))))
                .isNull());
}

void TestSigningKey::ecdsaRejectsOutOfRangeScalars() {
    const SigningKey key = SigningKey::generate(SigningKey::Type::Es256);
    const QByteArray message = "message";
    const QByteArray valid = key.sign(message);
    QVERIFY(key.verify(message, valid));
    const QByteArray r = valid.left(32);
    const QByteArray s = valid.mid(32);
    const QByteArray zero(32, '\0');
    const QByteArray allOnes(32, '\xff');

    QVERIFY(!key.verify(message, QByteArray(zero + zero))); // CVE-2022-21449
    QVERIFY(!key.verify(message, QByteArray(zero + s)));
    QVERIFY(!key.verify(message, QByteArray(r + zero)));
    QVERIFY(!key.verify(message, QByteArray(kOrder + s)));
    QVERIFY(!key.verify(message, QByteArray(r + kOrder)));
    QVERIFY(!key.verify(message, QByteArray(kOrder + kOrder)));
    QVERIFY(!key.verify(message, QByteArray(allOnes + s)));
    QVERIFY(!key.verify(message, QByteArray(r + allOnes)));

    // r + n and s + n reduce to the same values mod n; they must not pass as aliases. Only
    // possible while r + n still fits in 32 bytes, i.e. r < 2^256 - n.
    BIGNUM *n = BN_bin2bn(reinterpret_cast<const unsigned char *>(kOrder.constData()), 32, nullptr);
    BIGNUM *rb = BN_bin2bn(reinterpret_cast<const unsigned char *>(r.constData()), 32, nullptr);
    BN_add(rb, rb, n);
    if (BN_num_bytes(rb) <= 32) {
        QByteArray aliased(32, '\0');
        BN_bn2binpad(rb, reinterpret_cast<unsigned char *>(aliased.data()), 32);
        QVERIFY(!key.verify(message, QByteArray(aliased + s)));
    }
    BN_free(rb);
    BN_free(n);
}

void TestSigningKey::ecdsaRejectsDerAndWrongLength() {
    const SigningKey key = SigningKey::generate(SigningKey::Type::Es256);
    const QByteArray message = "message";
    const QByteArray jose = key.sign(message);
    const QByteArray der = derFromJose(jose);
    QVERIFY(der.startsWith('\x30'));
    // The DER form is a correct signature for OpenSSL, yet not a JOSE signature.
    QVERIFY(!key.verify(message, der));
    QVERIFY(!key.verify(message, QByteArray(jose + '\0')));
    QVERIFY(!key.verify(message, QByteArray(QByteArray(1, '\0') + jose)));
    QVERIFY(!key.verify(message, jose.left(63)));
    QVERIFY(!key.verify(message, {}));
    QVERIFY(key.verify(message, jose));
}

void TestSigningKey::ed25519RejectsWrongLength() {
    const SigningKey key = SigningKey::generate(SigningKey::Type::EdDsa);
    const QByteArray signature = key.sign("m");
    QVERIFY(key.verify("m", signature));
    QVERIFY(!key.verify("m", QByteArray(signature + '\0')));
    QVERIFY(!key.verify("m", signature.left(63)));
    // An ES256 signature from another key type must not cross over.
    QVERIFY(!key.verify("m", SigningKey::generate(SigningKey::Type::Es256).sign("m")));
}

void TestSigningKey::nullKeyDoesNothing() {
    const SigningKey key;
    QVERIFY(key.isNull());
    QVERIFY(key.alg().isEmpty());
    QVERIFY(key.kid().isEmpty());
    QVERIFY(key.sign("x").isEmpty());
    QVERIFY(!key.verify("x", QByteArray(64, '\1')));
    QVERIFY(key.toPkcs8Der().isEmpty());
    QVERIFY(key.publicJwk().isEmpty());
    QVERIFY(SigningKey::generate(SigningKey::Type::Invalid).isNull());
}

QTEST_APPLESS_MAIN(TestSigningKey)
#include "tst_signing_key.moc"
