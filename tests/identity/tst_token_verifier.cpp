// SPDX-License-Identifier: GPL-3.0-or-later
// Security checklist §1 (J01–J33) against the pure verifier. J23 (tenant vs URL), J28's refresh
// token store, J34–J38 need the HTTP layer and are tested there; here J28 is covered by `typ`.
#include "core/Base64Url.h"
#include "core/SigningKey.h"
#include "core/TokenIssuer.h"
#include "core/TokenVerifier.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QSet>
#include <QTcpServer>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using tenantry::Base64Url;
using tenantry::SigningKey;
using tenantry::TokenIssuer;
using tenantry::TokenVerifier;
using Failure = TokenVerifier::Failure;

Q_DECLARE_METATYPE(TokenVerifier::Failure)

namespace {

constexpr qint64 kNow = 1'700'000'000;
constexpr qint64 kLeeway = 30;
const QString kIssuer = QStringLiteral("https://id.tenantry.test");
const QString kAudience = QStringLiteral("tenantry-api");

QByteArray compact(const QJsonObject &object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray b64(const QByteArray &data) {
    return Base64Url::encode(data);
}

// header and payload are raw JSON text so rows can carry duplicates and malformed bytes.
QByteArray signedToken(const QByteArray &header, const QByteArray &payload, const SigningKey &key) {
    const QByteArray input = b64(header) + '.' + b64(payload);
    return input + '.' + b64(key.sign(input));
}

QByteArray hs256Token(const QByteArray &header, const QByteArray &payload,
                      const QByteArray &secret) {
    const QByteArray input = b64(header) + '.' + b64(payload);
    return input + '.' +
           b64(QMessageAuthenticationCode::hash(input, secret, QCryptographicHash::Sha256));
}

QByteArray withField(const QByteArray &json, const QByteArray &member) {
    QByteArray out = json;
    out.insert(out.size() - 1, QByteArray(',' + member));
    return out;
}

QByteArray spkiDer(const SigningKey &key) {
    const QByteArray pkcs8 = key.toPkcs8Der();
    const auto *cursor = reinterpret_cast<const unsigned char *>(pkcs8.constData());
    EVP_PKEY *pkey = d2i_AutoPrivateKey(nullptr, &cursor, long(pkcs8.size()));
    unsigned char *der = nullptr;
    const int length = i2d_PUBKEY(pkey, &der);
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
    return out;
}

QByteArray spkiPem(const SigningKey &key) {
    return "-----BEGIN PUBLIC KEY-----\n" + spkiDer(key).toBase64() +
           "\n-----END PUBLIC KEY-----\n";
}

// Re-spells the final character of a base64url segment with non-zero unused bits.
QByteArray dirtyTrailingBits(const QByteArray &segment) {
    static const QByteArray alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    QByteArray out = segment;
    const qsizetype index = alphabet.indexOf(out.back());
    out.back() = alphabet.at(index | 1);
    return out;
}

} // namespace

class TestTokenVerifier : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void checklist_data();
    void checklist();
    void returnsClaims();
    void jkuAndX5uAreNeverFetched();
    void maxTokenAge();
    void leewayIsCappedAt60Seconds();
    void oversizedTokenIsRejectedBeforeDecoding();
    void verifierDropsPrivateKeys();
    void issuerRoundTrip();
    void issuerOverridesRegisteredClaims();
    void failureNamesAreDistinct();

private:
    TokenVerifier makeVerifier(std::chrono::seconds leeway = std::chrono::seconds(kLeeway),
                               std::chrono::seconds maxAge = std::chrono::seconds(0)) const;
    QJsonObject header(const SigningKey &key) const;
    QJsonObject claims() const;
    QByteArray token(const QJsonObject &h, const QJsonObject &c, const SigningKey &key) const {
        return signedToken(compact(h), compact(c), key);
    }
    void addRow(const char *name, const QByteArray &token, Failure expected) {
        QTest::newRow(name) << token << expected;
    }

    SigningKey m_es;
    SigningKey m_ed;
    SigningKey m_attacker;
    SigningKey m_otherEnvironment;
};

void TestTokenVerifier::initTestCase() {
    m_es = SigningKey::generate(SigningKey::Type::Es256);
    m_ed = SigningKey::generate(SigningKey::Type::EdDsa);
    m_attacker = SigningKey::generate(SigningKey::Type::Es256);
    m_otherEnvironment = SigningKey::generate(SigningKey::Type::Es256);
    QVERIFY(!m_es.isNull() && !m_ed.isNull() && !m_attacker.isNull());
}

TokenVerifier TestTokenVerifier::makeVerifier(std::chrono::seconds leeway,
                                              std::chrono::seconds maxAge) const {
    TokenVerifier::Config config;
    config.keys.insert(m_es.kid(), m_es.publicKey());
    config.keys.insert(m_ed.kid(), m_ed.publicKey());
    config.issuer = kIssuer;
    config.audience = kAudience;
    config.leeway = leeway;
    config.maxTokenAge = maxAge;
    config.clock = [] { return kNow; };
    return TokenVerifier(config);
}

QJsonObject TestTokenVerifier::header(const SigningKey &key) const {
    return QJsonObject{{QStringLiteral("alg"), key.alg()},
                       {QStringLiteral("typ"), QStringLiteral("at+jwt")},
                       {QStringLiteral("kid"), key.kid()}};
}

QJsonObject TestTokenVerifier::claims() const {
    return QJsonObject{{QStringLiteral("iss"), kIssuer},
                       {QStringLiteral("aud"), kAudience},
                       {QStringLiteral("sub"), QStringLiteral("user-1")},
                       {QStringLiteral("tid"), QStringLiteral("tenant-1")},
                       {QStringLiteral("iat"), kNow - 10},
                       {QStringLiteral("exp"), kNow + 300},
                       {QStringLiteral("jti"), QStringLiteral("abc")}};
}

void TestTokenVerifier::checklist_data() {
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<Failure>("expected");

    const QJsonObject h = header(m_es);
    const QJsonObject c = claims();
    auto hWith = [&h](const char *name, const QJsonValue &value) {
        QJsonObject out = h;
        out.insert(QLatin1String(name), value);
        return out;
    };
    auto hWithout = [&h](const char *name) {
        QJsonObject out = h;
        out.remove(QLatin1String(name));
        return out;
    };
    auto cWith = [&c](const char *name, const QJsonValue &value) {
        QJsonObject out = c;
        out.insert(QLatin1String(name), value);
        return out;
    };
    auto cWithout = [&c](const char *name) {
        QJsonObject out = c;
        out.remove(QLatin1String(name));
        return out;
    };
    const QByteArray valid = token(h, c, m_es);
    const QList<QByteArray> parts = valid.split('.');

    // J01
    addRow("J01 valid ES256", valid, Failure::None);
    addRow("J01 valid EdDSA", token(header(m_ed), c, m_ed), Failure::None);
    addRow("J01 typ application/at+jwt",
           token(hWith("typ", QStringLiteral("application/at+jwt")), c, m_es), Failure::None);
    addRow("J01 typ AT+JWT", token(hWith("typ", QStringLiteral("AT+JWT")), c, m_es), Failure::None);
    addRow("J01 aud array with ours",
           token(h, cWith("aud", QJsonArray{QStringLiteral("other"), kAudience}), m_es),
           Failure::None);
    addRow("J01 nbf in the past", token(h, cWith("nbf", kNow - 100), m_es), Failure::None);
    addRow("J01 JSON whitespace in header",
           signedToken("{ \"alg\" : \"ES256\" ,\n \"typ\":\"at+jwt\", \"kid\": \"" +
                           m_es.kid().toLatin1() + "\" }",
                       compact(c), m_es),
           Failure::None);

    // J02–J04: alg none in every spelling, with and without a signature.
    for (const char *none : {"none", "None", "NONE", "nOnE"}) {
        const QJsonObject noneHeader = hWith("alg", QString::fromLatin1(none));
        const QByteArray unsigned_ = b64(compact(noneHeader)) + '.' + b64(compact(c)) + '.';
        addRow(
            qPrintable(
                QStringLiteral("J02/J03 alg %1, empty signature").arg(QString::fromLatin1(none))),
            unsigned_, Failure::AlgorithmMismatch);
        addRow(qPrintable(QStringLiteral("J04 alg %1, original signature kept")
                              .arg(QString::fromLatin1(none))),
               unsigned_ + parts[2], Failure::AlgorithmMismatch);
    }
    addRow("J02 alg none without kid",
           b64(compact(QJsonObject{{QStringLiteral("alg"), QStringLiteral("none")},
                                   {QStringLiteral("typ"), QStringLiteral("at+jwt")}})) +
               '.' + b64(compact(c)) + '.',
           Failure::MissingKeyId);

    // J05: HMAC keyed with public key material (CVE-2016-10555).
    const QByteArray hsHeader = compact(hWith("alg", QStringLiteral("HS256")));
    addRow("J05 HS256 keyed with SPKI PEM", hs256Token(hsHeader, compact(c), spkiPem(m_es)),
           Failure::AlgorithmMismatch);
    addRow("J05 HS256 keyed with SPKI DER", hs256Token(hsHeader, compact(c), spkiDer(m_es)),
           Failure::AlgorithmMismatch);
    addRow("J05 HS256 keyed with PEM plus whitespace",
           hs256Token(hsHeader, compact(c), spkiPem(m_es) + "\n\n"), Failure::AlgorithmMismatch);
    addRow("J05 HS256 keyed with the JWK",
           hs256Token(hsHeader, compact(c), compact(m_es.publicJwk())), Failure::AlgorithmMismatch);
    addRow("J05 HS512",
           hs256Token(compact(hWith("alg", QStringLiteral("HS512"))), compact(c), spkiPem(m_es)),
           Failure::AlgorithmMismatch);

    // J06: the right key, an algorithm the key does not have.
    for (const char *alg : {"ES384", "ES512", "RS256", "PS256", "EdDSA", "es256", "ES256 "}) {
        addRow(qPrintable(
                   QStringLiteral("J06 alg %1 with the ES256 key").arg(QString::fromLatin1(alg))),
               token(hWith("alg", QString::fromLatin1(alg)), c, m_es), Failure::AlgorithmMismatch);
    }
    {
        // Header claims ES256 but names the Ed25519 key; signed by the ES256 key.
        QJsonObject crossed = h;
        crossed.insert(QLatin1String("kid"), m_ed.kid());
        addRow("J06 ES256 header naming the EdDSA key", token(crossed, c, m_es),
               Failure::AlgorithmMismatch);
        QJsonObject crossed2 = header(m_es);
        crossed2.insert(QLatin1String("alg"), QStringLiteral("EdDSA"));
        addRow("J06 EdDSA header naming the ES256 key, signed by EdDSA key",
               token(crossed2, c, m_ed), Failure::AlgorithmMismatch);
        addRow("J06 alg is a number", token(hWith("alg", 256), c, m_es), Failure::BadHeader);
        addRow("J06 alg missing", token(hWithout("alg"), c, m_es), Failure::BadHeader);
    }

    // J07 / J31: segment structure.
    addRow("J07 empty signature", parts[0] + '.' + parts[1] + '.', Failure::BadSignature);
    addRow("J07 two segments", parts[0] + '.' + parts[1], Failure::Malformed);
    addRow("J31 four segments", valid + '.' + parts[2], Failure::Malformed);
    addRow("J31 four segments, empty last", valid + '.', Failure::Malformed);
    addRow("J31 five segments", valid + "..", Failure::Malformed);
    addRow("J31 empty string", QByteArray(), Failure::Malformed);
    addRow("J31 one segment", parts[0], Failure::Malformed);
    addRow("J31 JSON serialization",
           compact(QJsonObject{{QStringLiteral("payload"), QString::fromLatin1(parts[1])},
                               {QStringLiteral("protected"), QString::fromLatin1(parts[0])},
                               {QStringLiteral("signature"), QString::fromLatin1(parts[2])}}),
           Failure::Malformed);

    // J08–J10: key material named in the header is ignored.
    addRow("J08 embedded jwk, attacker-signed, our kid",
           token(hWith("jwk", m_attacker.publicJwk()), c, m_attacker), Failure::BadSignature);
    {
        QJsonObject attackerHeader = header(m_attacker);
        attackerHeader.insert(QLatin1String("jwk"), m_attacker.jwksEntry());
        addRow("J08 embedded jwk, attacker-signed, attacker kid",
               token(attackerHeader, c, m_attacker), Failure::UnknownKeyId);
    }
    addRow("J08 embedded jwk on our own token is ignored",
           token(hWith("jwk", m_attacker.publicJwk()), c, m_es), Failure::None);
    addRow("J09 jku to loopback, attacker-signed",
           token(hWith("jku", QStringLiteral("http://127.0.0.1:9/jwks.json")), c, m_attacker),
           Failure::BadSignature);
    addRow("J09 x5u file://, attacker-signed",
           token(hWith("x5u", QStringLiteral("file:///etc/passwd")), c, m_attacker),
           Failure::BadSignature);
    addRow("J09 jku on our own token is ignored",
           token(hWith("jku", QStringLiteral("http://127.0.0.1:9/jwks.json")), c, m_es),
           Failure::None);
    addRow("J10 x5c, attacker-signed",
           token(hWith("x5c", QJsonArray{QString::fromLatin1(spkiDer(m_attacker).toBase64())}), c,
                 m_attacker),
           Failure::BadSignature);

    // J11–J14: kid.
    for (const char *kid :
         {"../../../../dev/null", "x' UNION SELECT 'k'--", "/dev/null", "", "unknown-kid"}) {
        QJsonObject hsKid = hWith("alg", QStringLiteral("HS256"));
        hsKid.insert(QLatin1String("kid"), QString::fromLatin1(kid));
        addRow(qPrintable(QStringLiteral("J11/J12 kid '%1' HS256").arg(QString::fromLatin1(kid))),
               hs256Token(compact(hsKid), compact(c), QByteArray(kid[0] == 'x' ? "k" : "")),
               Failure::UnknownKeyId);
        addRow(qPrintable(QStringLiteral("J13 kid '%1' ES256").arg(QString::fromLatin1(kid))),
               token(hWith("kid", QString::fromLatin1(kid)), c, m_es), Failure::UnknownKeyId);
    }
    addRow("J13 kid missing", token(hWithout("kid"), c, m_es), Failure::MissingKeyId);
    addRow("J13 kid is a number", token(hWith("kid", 1), c, m_es), Failure::BadHeader);
    addRow("J13 kid is null", token(hWith("kid", QJsonValue::Null), c, m_es), Failure::BadHeader);
    addRow("J14 other environment's key, correct iss",
           token(header(m_otherEnvironment), c, m_otherEnvironment), Failure::UnknownKeyId);
    addRow("J14 other environment's key under our kid", token(h, c, m_otherEnvironment),
           Failure::BadSignature);

    // J15–J19: time claims (leeway 30 s).
    addRow("J15 exp = now - (leeway + 1)", token(h, cWith("exp", kNow - kLeeway - 1), m_es),
           Failure::Expired);
    addRow("J15 exp = now - leeway", token(h, cWith("exp", kNow - kLeeway), m_es),
           Failure::Expired);
    addRow("J16 exp = now - (leeway - 1)", token(h, cWith("exp", kNow - kLeeway + 1), m_es),
           Failure::None);
    addRow("J17 nbf = now + leeway + 5", token(h, cWith("nbf", kNow + kLeeway + 5), m_es),
           Failure::NotYetValid);
    addRow("J17 nbf = now + leeway - 1", token(h, cWith("nbf", kNow + kLeeway - 1), m_es),
           Failure::None);
    addRow("J17 nbf as string", token(h, cWith("nbf", QStringLiteral("0")), m_es),
           Failure::InvalidTimeClaim);
    addRow("J18 iat = now + leeway + 5", token(h, cWith("iat", kNow + kLeeway + 5), m_es),
           Failure::IssuedInFuture);
    addRow("J18 iat = now + leeway", token(h, cWith("iat", kNow + kLeeway), m_es), Failure::None);
    addRow("J18 iat missing", token(h, cWithout("iat"), m_es), Failure::InvalidTimeClaim);
    addRow("J18 iat as string", token(h, cWith("iat", QStringLiteral("1700000000")), m_es),
           Failure::InvalidTimeClaim);
    addRow("J19 exp as string", token(h, cWith("exp", QStringLiteral("9999999999")), m_es),
           Failure::InvalidTimeClaim);
    addRow("J19 exp null", token(h, cWith("exp", QJsonValue::Null), m_es),
           Failure::InvalidTimeClaim);
    addRow("J19 exp missing", token(h, cWithout("exp"), m_es), Failure::InvalidTimeClaim);
    addRow("J19 exp -1", token(h, cWith("exp", -1), m_es), Failure::Expired);
    addRow("J19 exp true", token(h, cWith("exp", true), m_es), Failure::InvalidTimeClaim);
    addRow("J19 exp 1e400",
           signedToken(compact(h), withField(compact(cWithout("exp")), "\"exp\":1e400"), m_es),
           Failure::BadPayload);

    // J20: issuer.
    addRow("J20 wrong iss", token(h, cWith("iss", QStringLiteral("https://evil.test")), m_es),
           Failure::WrongIssuer);
    addRow("J20 iss differs in case", token(h, cWith("iss", kIssuer.toUpper()), m_es),
           Failure::WrongIssuer);
    addRow("J20 iss host case",
           token(h, cWith("iss", QStringLiteral("https://ID.tenantry.test")), m_es),
           Failure::WrongIssuer);
    addRow("J20 iss trailing slash", token(h, cWith("iss", QString(kIssuer + u'/')), m_es),
           Failure::WrongIssuer);
    addRow("J20 iss missing", token(h, cWithout("iss"), m_es), Failure::WrongIssuer);
    addRow("J20 iss as array", token(h, cWith("iss", QJsonArray{kIssuer}), m_es),
           Failure::WrongIssuer);

    // J21: audience.
    addRow("J21 wrong aud", token(h, cWith("aud", QStringLiteral("other-api")), m_es),
           Failure::WrongAudience);
    addRow("J21 aud array without ours",
           token(h, cWith("aud", QJsonArray{QStringLiteral("a"), QStringLiteral("b")}), m_es),
           Failure::WrongAudience);
    addRow("J21 aud empty array", token(h, cWith("aud", QJsonArray{}), m_es),
           Failure::WrongAudience);
    addRow("J21 aud missing", token(h, cWithout("aud"), m_es), Failure::WrongAudience);
    addRow("J21 aud with non-string member", token(h, cWith("aud", QJsonArray{kAudience, 1}), m_es),
           Failure::WrongAudience);
    addRow("J21 aud differs in case", token(h, cWith("aud", kAudience.toUpper()), m_es),
           Failure::WrongAudience);

    // J22: tenant and subject.
    addRow("J22 tid missing", token(h, cWithout("tid"), m_es), Failure::InvalidTenant);
    addRow("J22 tid empty", token(h, cWith("tid", QString()), m_es), Failure::InvalidTenant);
    addRow("J22 tid number", token(h, cWith("tid", 1), m_es), Failure::InvalidTenant);
    addRow("J22 tid null", token(h, cWith("tid", QJsonValue::Null), m_es), Failure::InvalidTenant);
    addRow("J22 tid array", token(h, cWith("tid", QJsonArray{QStringLiteral("t")}), m_es),
           Failure::InvalidTenant);
    addRow("sub missing", token(h, cWithout("sub"), m_es), Failure::InvalidSubject);
    addRow("sub empty", token(h, cWith("sub", QString()), m_es), Failure::InvalidSubject);
    addRow("sub number", token(h, cWith("sub", 7), m_es), Failure::InvalidSubject);

    // J24/J25: duplicates.
    addRow("J24 duplicate tid",
           signedToken(compact(h), withField(compact(c), "\"tid\":\"t2\""), m_es),
           Failure::BadPayload);
    addRow("J24 duplicate tid, escaped",
           signedToken(compact(h), withField(compact(c), "\"\\u0074id\":\"t2\""), m_es),
           Failure::BadPayload);
    addRow("J24 duplicate exp",
           signedToken(compact(h), withField(compact(c), "\"exp\":9999999999"), m_es),
           Failure::BadPayload);
    addRow("J25 duplicate alg",
           signedToken(withField(compact(h), "\"alg\":\"none\""), compact(c), m_es),
           Failure::BadHeader);
    addRow("J25 duplicate kid",
           signedToken(withField(compact(h), "\"kid\":\"x\""), compact(c), m_es),
           Failure::BadHeader);

    // J26: crit in any form.
    addRow("J26 crit [exp]", token(hWith("crit", QJsonArray{QStringLiteral("exp")}), c, m_es),
           Failure::CriticalHeader);
    addRow("J26 crit []", token(hWith("crit", QJsonArray{}), c, m_es), Failure::CriticalHeader);
    addRow("J26 crit [x-unknown]",
           token(hWith("crit", QJsonArray{QStringLiteral("x-unknown")}), c, m_es),
           Failure::CriticalHeader);
    addRow("J26 crit string", token(hWith("crit", QStringLiteral("exp")), c, m_es),
           Failure::CriticalHeader);
    addRow("J26 crit null", token(hWith("crit", QJsonValue::Null), c, m_es),
           Failure::CriticalHeader);

    // J27/J28: explicit typing.
    for (const char *typ : {"JWT", "jwt", "application/jwt", "rt+jwt", "id_token+jwt", "at+jwt ",
                            "application/at+jwt; x=1", "", "at+jwt/application"}) {
        addRow(qPrintable(QStringLiteral("J27 typ '%1'").arg(QString::fromLatin1(typ))),
               token(hWith("typ", QString::fromLatin1(typ)), c, m_es), Failure::WrongType);
    }
    addRow("J27 typ missing", token(hWithout("typ"), c, m_es), Failure::WrongType);
    addRow("J27 typ number", token(hWith("typ", 1), c, m_es), Failure::WrongType);
    {
        QJsonObject idToken = c;
        idToken.insert(QLatin1String("nonce"), QStringLiteral("n"));
        idToken.insert(QLatin1String("azp"), QStringLiteral("client"));
        addRow("J28 ID token (typ JWT)", token(hWith("typ", QStringLiteral("JWT")), idToken, m_es),
               Failure::WrongType);
    }

    // J29: size and nesting.
    addRow("J29 1 MiB token", QByteArray(1024 * 1024, 'A'), Failure::TooLong);
    addRow("J29 1 MiB of dots", QByteArray(1024 * 1024, '.'), Failure::TooLong);
    addRow("J29 8 KiB + 1", QByteArray(8 * 1024 + 1, 'A'), Failure::TooLong);
    {
        QJsonObject many = c;
        for (int i = 0; i < 10000; ++i)
            many.insert(QString::number(i), i);
        addRow("J29 10000 claims", token(h, many, m_es), Failure::TooLong);
    }
    addRow("J29 1024-deep payload",
           signedToken(compact(h), "{\"x\":" + QByteArray(1023, '[') + QByteArray(1023, ']') + "}",
                       m_es),
           Failure::BadPayload);
    addRow("J29 deep header",
           signedToken(withField(compact(h), "\"x\":[[[[[[[[]]]]]]]]"), compact(c), m_es),
           Failure::BadHeader);

    // J30: non-canonical base64url, on each segment (the signature covers the text, so the
    // re-spelled header or payload must fail before any signature work).
    addRow("J30 header padded", parts[0] + "=." + parts[1] + '.' + parts[2], Failure::BadEncoding);
    addRow("J30 payload padded",
           parts[0] + '.' + parts[1] + QByteArray(4 - parts[1].size() % 4, '=') + '.' + parts[2],
           Failure::BadEncoding);
    addRow("J30 signature padded", valid + "==", Failure::BadEncoding);
    addRow("J30 plus in header",
           QByteArray(parts[0]).replace(5, 1, "+") + '.' + parts[1] + '.' + parts[2],
           Failure::BadEncoding);
    addRow("J30 slash in signature",
           parts[0] + '.' + parts[1] + '.' + QByteArray(parts[2]).replace(3, 1, "/"),
           Failure::BadEncoding);
    addRow("J30 space in payload",
           parts[0] + '.' + QByteArray(parts[1]).insert(4, ' ') + '.' + parts[2],
           Failure::BadEncoding);
    addRow("J30 newline in signature", valid + '\n', Failure::BadEncoding);
    addRow("J30 leading space", ' ' + valid, Failure::BadEncoding);
    addRow("J30 signature trailing bits",
           parts[0] + '.' + parts[1] + '.' + dirtyTrailingBits(parts[2]), Failure::BadEncoding);
    {
        // A payload whose encoding ends in a partial group, so it has spare bits to abuse.
        QJsonObject odd = c;
        odd.insert(QLatin1String("p"), QStringLiteral("x"));
        QByteArray oddToken = token(h, odd, m_es);
        QList<QByteArray> oddParts = oddToken.split('.');
        if (oddParts[1].size() % 4 == 0) {
            odd.insert(QLatin1String("p"), QStringLiteral("xx"));
            oddToken = token(h, odd, m_es);
            oddParts = oddToken.split('.');
        }
        QVERIFY(oddParts[1].size() % 4 != 0);
        addRow("J30 payload trailing bits",
               oddParts[0] + '.' + dirtyTrailingBits(oddParts[1]) + '.' + oddParts[2],
               Failure::BadEncoding);
        QByteArray oneMod4 = oddParts[1];
        while (oneMod4.size() % 4 != 1)
            oneMod4.append('A');
        addRow("J30 payload length 1 mod 4", oddParts[0] + '.' + oneMod4 + '.' + oddParts[2],
               Failure::BadEncoding);
    }
    addRow("J30 non-ASCII byte", parts[0] + '.' + parts[1] + ".\xc3\xa9", Failure::BadEncoding);

    // J32: structure and text of header and payload.
    addRow("J32 header is an array", signedToken("[\"ES256\"]", compact(c), m_es),
           Failure::BadHeader);
    addRow("J32 header is a string", signedToken("\"ES256\"", compact(c), m_es),
           Failure::BadHeader);
    addRow("J32 header not JSON", signedToken("ES256", compact(c), m_es), Failure::BadHeader);
    addRow("J32 header empty", signedToken("", compact(c), m_es), Failure::BadHeader);
    addRow("J32 payload is an array", signedToken(compact(h), "[1]", m_es), Failure::BadPayload);
    addRow("J32 payload is a string", signedToken(compact(h), "\"claims\"", m_es),
           Failure::BadPayload);
    addRow("J32 payload empty", signedToken(compact(h), "", m_es), Failure::BadPayload);
    addRow("J32 payload with BOM", signedToken(compact(h), "\xef\xbb\xbf" + compact(c), m_es),
           Failure::BadPayload);
    addRow("J32 invalid UTF-8 in a claim",
           signedToken(compact(h), withField(compact(c), "\"name\":\"\xc3\x28\""), m_es),
           Failure::BadPayload);
    addRow("J32 lone surrogate in a claim",
           signedToken(compact(h), withField(compact(c), "\"name\":\"\\ud800\""), m_es),
           Failure::BadPayload);
    addRow("J32 \\u0000 in a claim",
           signedToken(compact(h), withField(compact(c), "\"name\":\"a\\u0000\""), m_es),
           Failure::BadPayload);
    addRow("J32 invalid UTF-8 in header",
           signedToken(withField(compact(h), "\"x\":\"\xff\""), compact(c), m_es),
           Failure::BadHeader);
    addRow("J32 trailing data after payload", signedToken(compact(h), compact(c) + "{}", m_es),
           Failure::BadPayload);

    // J33: ECDSA signature forms (CVE-2022-21449).
    const QByteArray input = parts[0] + '.' + parts[1] + '.';
    const QByteArray order =
        QByteArray::fromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const QByteArray sig = *Base64Url::decode(parts[2]);
    addRow("J33 r = s = 0", input + b64(QByteArray(64, '\0')), Failure::BadSignature);
    addRow("J33 r = s = n", input + b64(order + order), Failure::BadSignature);
    addRow("J33 r = 1, s = 1",
           input + b64(QByteArray(31, '\0') + '\1' + QByteArray(31, '\0') + '\1'),
           Failure::BadSignature);
    addRow("J33 r = 0, real s", input + b64(QByteArray(32, '\0') + sig.mid(32)),
           Failure::BadSignature);
    addRow("J33 trailing zero byte", input + b64(sig + '\0'), Failure::BadSignature);
    addRow("J33 63 bytes", input + b64(sig.left(63)), Failure::BadSignature);
    {
        ECDSA_SIG *ecdsa = ECDSA_SIG_new();
        ECDSA_SIG_set0(
            ecdsa, BN_bin2bn(reinterpret_cast<const unsigned char *>(sig.constData()), 32, nullptr),
            BN_bin2bn(reinterpret_cast<const unsigned char *>(sig.constData()) + 32, 32, nullptr));
        unsigned char *der = nullptr;
        const int length = i2d_ECDSA_SIG(ecdsa, &der);
        const QByteArray derSig(reinterpret_cast<const char *>(der), length);
        OPENSSL_free(der);
        ECDSA_SIG_free(ecdsa);
        addRow("J33 DER instead of P1363", input + b64(derSig), Failure::BadSignature);
    }
    addRow("J33 signature from a different payload",
           input + token(h, cWith("sub", QStringLiteral("x")), m_es).split('.')[2],
           Failure::BadSignature);
}

void TestTokenVerifier::checklist() {
    QFETCH(QByteArray, token);
    QFETCH(Failure, expected);
    const TokenVerifier verifier = makeVerifier();
    Failure failure = Failure::TooLong; // anything but the expected value for None
    const auto result = verifier.verify(token, &failure);
    QCOMPARE(TokenVerifier::failureName(failure), TokenVerifier::failureName(expected));
    QCOMPARE(result.has_value(), expected == Failure::None);
}

void TestTokenVerifier::returnsClaims() {
    const TokenVerifier verifier = makeVerifier();
    const auto result = verifier.verify(token(header(m_es), claims(), m_es));
    QVERIFY(result.has_value());
    QCOMPARE(*result, claims());
}

void TestTokenVerifier::jkuAndX5uAreNeverFetched() {
    // J09: the header URL points at a live loopback listener; verification must not touch it.
    QTcpServer listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost));
    const QString url = QStringLiteral("http://127.0.0.1:%1/jwks.json").arg(listener.serverPort());
    QJsonObject h = header(m_attacker);
    h.insert(QLatin1String("kid"), m_es.kid());
    h.insert(QLatin1String("jku"), url);
    h.insert(QLatin1String("x5u"), url);
    const TokenVerifier verifier = makeVerifier();
    Failure failure = Failure::None;
    QVERIFY(!verifier.verify(token(h, claims(), m_attacker), &failure));
    QCOMPARE(failure, Failure::BadSignature);
    QJsonObject ours = header(m_es);
    ours.insert(QLatin1String("jku"), url);
    QVERIFY(verifier.verify(token(ours, claims(), m_es)).has_value());
    // Give any stray asynchronous fetch time to connect.
    QTest::qWait(200);
    QVERIFY(!listener.hasPendingConnections());
    QVERIFY(!listener.waitForNewConnection(0));
}

void TestTokenVerifier::maxTokenAge() {
    const TokenVerifier verifier =
        makeVerifier(std::chrono::seconds(kLeeway), std::chrono::seconds(3600));
    Failure failure = Failure::None;
    QJsonObject old = claims();
    old.insert(QLatin1String("iat"), kNow - 3600 - kLeeway - 1);
    QVERIFY(!verifier.verify(token(header(m_es), old, m_es), &failure));
    QCOMPARE(failure, Failure::TooOld);
    old.insert(QLatin1String("iat"), kNow - 3600);
    QVERIFY(verifier.verify(token(header(m_es), old, m_es), &failure));
    QCOMPARE(failure, Failure::None);
}

void TestTokenVerifier::leewayIsCappedAt60Seconds() {
    const TokenVerifier verifier = makeVerifier(std::chrono::seconds(3600));
    QJsonObject c = claims();
    c.insert(QLatin1String("exp"), kNow - 61);
    Failure failure = Failure::None;
    QVERIFY(!verifier.verify(token(header(m_es), c, m_es), &failure));
    QCOMPARE(failure, Failure::Expired);
    c.insert(QLatin1String("exp"), kNow - 59);
    QVERIFY(verifier.verify(token(header(m_es), c, m_es), &failure));
}

void TestTokenVerifier::oversizedTokenIsRejectedBeforeDecoding() {
    // A valid-looking but huge token must fail on length alone, and fast.
    const TokenVerifier verifier = makeVerifier();
    const QByteArray valid = token(header(m_es), claims(), m_es);
    QByteArray huge = valid;
    huge.insert(valid.indexOf('.') + 1, QByteArray(16 * 1024 * 1024, 'A'));
    QElapsedTimer timer;
    timer.start();
    Failure failure = Failure::None;
    for (int i = 0; i < 1000; ++i)
        QVERIFY(!verifier.verify(huge, &failure));
    QCOMPARE(failure, Failure::TooLong);
    QVERIFY2(timer.elapsed() < 1000, "length check is not the first check");

    TokenVerifier::Config config;
    config.keys.insert(m_es.kid(), m_es);
    config.issuer = kIssuer;
    config.audience = kAudience;
    config.clock = [] { return kNow; };
    config.maxTokenLength = valid.size() - 1;
    QVERIFY(!TokenVerifier(config).verify(valid, &failure));
    QCOMPARE(failure, Failure::TooLong);
    config.maxTokenLength = valid.size();
    QVERIFY(TokenVerifier(config).verify(valid, &failure));
    config.maxTokenLength = 1024 * 1024; // clamped to 8 KiB
    QVERIFY(!TokenVerifier(config).verify(QByteArray(8 * 1024 + 1, 'A'), &failure));
    QCOMPARE(failure, Failure::TooLong);
}

void TestTokenVerifier::verifierDropsPrivateKeys() {
    // Handing the verifier a private key still works, but it verifies with the public half.
    TokenVerifier::Config config;
    config.keys.insert(m_es.kid(), m_es);
    config.issuer = kIssuer;
    config.audience = kAudience;
    config.clock = [] { return kNow; };
    const TokenVerifier verifier(config);
    QVERIFY(verifier.verify(token(header(m_es), claims(), m_es)).has_value());
}

void TestTokenVerifier::issuerRoundTrip() {
    const TokenIssuer issuer(m_es, kIssuer, kAudience, std::chrono::seconds(300),
                             [] { return kNow; });
    const QByteArray first =
        issuer.issue(QJsonObject{{QStringLiteral("sub"), QStringLiteral("u")},
                                 {QStringLiteral("tid"), QStringLiteral("t")}});
    QVERIFY(!first.isEmpty());
    const TokenVerifier verifier = makeVerifier();
    Failure failure = Failure::TooLong;
    const auto claimsOut = verifier.verify(first, &failure);
    QVERIFY2(claimsOut.has_value(), qPrintable(TokenVerifier::failureName(failure)));
    QCOMPARE(claimsOut->value(QLatin1String("iss")).toString(), kIssuer);
    QCOMPARE(claimsOut->value(QLatin1String("aud")).toString(), kAudience);
    QCOMPARE(claimsOut->value(QLatin1String("iat")).toInteger(), kNow);
    QCOMPARE(claimsOut->value(QLatin1String("exp")).toInteger(), kNow + 300);
    const QString jti = claimsOut->value(QLatin1String("jti")).toString();
    QCOMPARE(jti.size(), 22); // 128 bits, unpadded base64url
    QCOMPARE(Base64Url::decode(jti.toLatin1())->size(), 16);

    const auto jws = verifier.verifyJws(first);
    QVERIFY(jws.has_value());
    QCOMPARE(jws->header, (QJsonObject{{QStringLiteral("alg"), QStringLiteral("ES256")},
                                       {QStringLiteral("typ"), QStringLiteral("at+jwt")},
                                       {QStringLiteral("kid"), m_es.kid()}}));

    const QByteArray second =
        issuer.issue(QJsonObject{{QStringLiteral("sub"), QStringLiteral("u")},
                                 {QStringLiteral("tid"), QStringLiteral("t")}});
    QVERIFY(verifier.verify(second)->value(QLatin1String("jti")).toString() != jti);

    // EdDSA, and an expired token once the clock moves past exp + leeway.
    const TokenIssuer edIssuer(m_ed, kIssuer, kAudience, std::chrono::seconds(60),
                               [] { return kNow - 60 - kLeeway; });
    const QByteArray edToken =
        edIssuer.issue(QJsonObject{{QStringLiteral("sub"), QStringLiteral("u")},
                                   {QStringLiteral("tid"), QStringLiteral("t")}});
    QVERIFY(!verifier.verify(edToken, &failure));
    QCOMPARE(failure, Failure::Expired);

    // A public-only key cannot issue.
    const TokenIssuer publicOnly(m_es.publicKey(), kIssuer, kAudience, std::chrono::seconds(60));
    QVERIFY(publicOnly.issue({}).isEmpty());
}

void TestTokenVerifier::issuerOverridesRegisteredClaims() {
    const TokenIssuer issuer(m_es, kIssuer, kAudience, std::chrono::seconds(300),
                             [] { return kNow; });
    const QByteArray issued =
        issuer.issue(QJsonObject{{QStringLiteral("sub"), QStringLiteral("u")},
                                 {QStringLiteral("tid"), QStringLiteral("t")},
                                 {QStringLiteral("iss"), QStringLiteral("https://evil.test")},
                                 {QStringLiteral("aud"), QStringLiteral("other")},
                                 {QStringLiteral("exp"), 9999999999LL}});
    const auto out = makeVerifier().verify(issued);
    QVERIFY(out.has_value());
    QCOMPARE(out->value(QLatin1String("iss")).toString(), kIssuer);
    QCOMPARE(out->value(QLatin1String("exp")).toInteger(), kNow + 300);
}

void TestTokenVerifier::failureNamesAreDistinct() {
    QSet<QString> names;
    for (int i = int(Failure::None); i <= int(Failure::InvalidTenant); ++i)
        names.insert(TokenVerifier::failureName(Failure(i)));
    QCOMPARE(names.size(), int(Failure::InvalidTenant) + 1);
    QVERIFY(!names.contains(QStringLiteral("unknown")));
}

QTEST_GUILESS_MAIN(TestTokenVerifier)
#include "tst_token_verifier.moc"
