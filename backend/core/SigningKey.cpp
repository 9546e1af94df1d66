// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/SigningKey.h"

#include "core/Base64Url.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <cstring>

namespace tenantry {

namespace {

constexpr int kP256ScalarBytes = 32;
constexpr int kEd25519KeyBytes = 32;
constexpr int kSignatureBytes = 64;

// The order n of the P-256 base point (SEC 2 §2.4.2), big-endian. Scalars of a valid ECDSA
// signature lie in [1, n-1]; Java's CVE-2022-21449 accepted r = s = 0 for every message.
constexpr unsigned char kP256Order[kP256ScalarBytes] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

// Every failure path calls ERR_clear_error(): a failed OpenSSL call leaves entries on the thread's
// error queue, and unrelated code that inspects the queue later must not see them.

struct PkeyFree {
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX *p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX *p) const { EVP_MD_CTX_free(p); }
};
struct BnFree {
    void operator()(BIGNUM *p) const { BN_free(p); }
};
struct EcdsaSigFree {
    void operator()(ECDSA_SIG *p) const { ECDSA_SIG_free(p); }
};
struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD *p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM *p) const { OSSL_PARAM_free(p); }
};
struct P8Free {
    void operator()(PKCS8_PRIV_KEY_INFO *p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

std::shared_ptr<EVP_PKEY> share(PkeyPtr key) {
    return std::shared_ptr<EVP_PKEY>(key.release(), PkeyFree());
}

void setError(QString *error, const QString &text) {
    if (error)
        *error = text;
    ERR_clear_error();
}

const unsigned char *ucharData(QByteArrayView data) {
    return reinterpret_cast<const unsigned char *>(data.data());
}

// Which of our two key types an EVP_PKEY is, or Invalid for anything else (other curves, RSA).
SigningKey::Type classify(EVP_PKEY *key) {
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519)
        return SigningKey::Type::EdDsa;
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        char group[64] = {};
        size_t length = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &length) == 1 &&
            std::strcmp(group, SN_X9_62_prime256v1) == 0)
            return SigningKey::Type::Es256;
    }
    return SigningKey::Type::Invalid;
}

bool publicKeyIsValid(EVP_PKEY *key) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

PkeyPtr ecPublicFromCoordinates(const QByteArray &x, const QByteArray &y) {
    if (x.size() != kP256ScalarBytes || y.size() != kP256ScalarBytes)
        return nullptr;
    const QByteArray point = QByteArray(1, '\x04') + x + y; // SEC 1 uncompressed form
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                        SN_X9_62_prime256v1, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                         size_t(point.size())) != 1)
        return nullptr;
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(builder.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    PkeyPtr key(raw);
    // Off-curve or identity points would make every later verification meaningless.
    if (!publicKeyIsValid(key.get()))
        return nullptr;
    return key;
}

PkeyPtr edPublicFromRaw(const QByteArray &x) {
    if (x.size() != kEd25519KeyBytes)
        return nullptr;
    return PkeyPtr(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, ucharData(x), size_t(x.size())));
}

bool ecCoordinates(EVP_PKEY *key, QByteArray *x, QByteArray *y) {
    BIGNUM *rawX = nullptr;
    BIGNUM *rawY = nullptr;
    const bool ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &rawX) == 1 &&
                    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &rawY) == 1;
    BnPtr bx(rawX), by(rawY);
    if (!ok)
        return false;
    x->resize(kP256ScalarBytes);
    y->resize(kP256ScalarBytes);
    return BN_bn2binpad(bx.get(), reinterpret_cast<unsigned char *>(x->data()), kP256ScalarBytes) ==
               kP256ScalarBytes &&
           BN_bn2binpad(by.get(), reinterpret_cast<unsigned char *>(y->data()), kP256ScalarBytes) ==
               kP256ScalarBytes;
}

// 0 < scalar < n, compared as 32-byte big-endian numbers.
bool scalarInRange(const unsigned char *scalar) {
    static const unsigned char zero[kP256ScalarBytes] = {};
    if (std::memcmp(scalar, zero, kP256ScalarBytes) == 0)
        return false;
    return std::memcmp(scalar, kP256Order, kP256ScalarBytes) < 0;
}

} // namespace

SigningKey::SigningKey() = default;

SigningKey::SigningKey(std::shared_ptr<evp_pkey_st> key, Type type, bool hasPrivate)
    : m_key(std::move(key))
    , m_type(type)
    , m_hasPrivate(hasPrivate) {}

SigningKey SigningKey::generate(Type type) {
    EVP_PKEY *raw = nullptr;
    if (type == Type::Es256)
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", SN_X9_62_prime256v1);
    else if (type == Type::EdDsa)
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (!raw) {
        ERR_clear_error();
        return {};
    }
    return SigningKey(share(PkeyPtr(raw)), type, true);
}

SigningKey SigningKey::fromPkcs8Der(const QByteArray &der, QString *error) {
    const unsigned char *cursor = ucharData(der);
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free> info(
        d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, long(der.size())));
    if (!info) {
        setError(error, QStringLiteral("not a PKCS#8 PrivateKeyInfo"));
        return {};
    }
    if (cursor != ucharData(der) + der.size()) {
        setError(error, QStringLiteral("trailing bytes after the PKCS#8 structure"));
        return {};
    }
    PkeyPtr key(EVP_PKCS82PKEY(info.get()));
    if (!key) {
        setError(error, QStringLiteral("unreadable private key"));
        return {};
    }
    const Type type = classify(key.get());
    if (type == Type::Invalid) {
        setError(error, QStringLiteral("unsupported key type (only P-256 and Ed25519)"));
        return {};
    }
    if (type == Type::Es256) {
        // A stored key whose public half does not match its scalar would sign tokens that no
        // verifier accepts; find that at load time rather than in production traffic.
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
        if (!ctx || EVP_PKEY_check(ctx.get()) != 1) {
            setError(error, QStringLiteral("inconsistent EC private key"));
            return {};
        }
    }
    return SigningKey(share(std::move(key)), type, true);
}

SigningKey SigningKey::fromPublicJwk(const QJsonObject &jwk, QString *error) {
    const QJsonValue use = jwk.value(QLatin1String("use"));
    if (!use.isUndefined() && use != QJsonValue(QStringLiteral("sig"))) {
        setError(error, QStringLiteral("key is not for signatures (use)"));
        return {};
    }
    const QJsonValue keyOps = jwk.value(QLatin1String("key_ops"));
    if (!keyOps.isUndefined() &&
        (!keyOps.isArray() || !keyOps.toArray().contains(QJsonValue(QStringLiteral("verify"))))) {
        setError(error, QStringLiteral("key is not for verification (key_ops)"));
        return {};
    }
    if (jwk.contains(QLatin1String("d"))) {
        setError(error, QStringLiteral("private member in a public JWK"));
        return {};
    }

    const QString kty = jwk.value(QLatin1String("kty")).toString();
    const QString crv = jwk.value(QLatin1String("crv")).toString();
    auto member = [&jwk](const char *name) -> std::optional<QByteArray> {
        const QJsonValue value = jwk.value(QLatin1String(name));
        if (!value.isString())
            return std::nullopt;
        return Base64Url::decode(value.toString().toLatin1());
    };

    Type type = Type::Invalid;
    PkeyPtr key;
    if (kty == QLatin1String("EC") && crv == QLatin1String("P-256")) {
        type = Type::Es256;
        const auto x = member("x");
        const auto y = member("y");
        if (x && y)
            key = ecPublicFromCoordinates(*x, *y);
    } else if (kty == QLatin1String("OKP") && crv == QLatin1String("Ed25519")) {
        type = Type::EdDsa;
        if (const auto x = member("x"))
            key = edPublicFromRaw(*x);
    } else {
        setError(error, QStringLiteral("unsupported key type (only EC P-256 and OKP Ed25519)"));
        return {};
    }
    if (!key) {
        setError(error, QStringLiteral("invalid public key coordinates"));
        return {};
    }
    const QJsonValue alg = jwk.value(QLatin1String("alg"));
    if (!alg.isUndefined() && alg != QJsonValue(algForType(type))) {
        setError(error, QStringLiteral("alg does not match the key type"));
        return {};
    }
    return SigningKey(share(std::move(key)), type, false);
}

QString SigningKey::algForType(Type type) {
    switch (type) {
    case Type::Es256:
        return QStringLiteral("ES256");
    case Type::EdDsa:
        return QStringLiteral("EdDSA");
    case Type::Invalid:
        break;
    }
    return {};
}

QString SigningKey::alg() const {
    return algForType(m_type);
}

SigningKey SigningKey::publicKey() const {
    if (isNull() || !m_hasPrivate)
        return *this;
    PkeyPtr key;
    if (m_type == Type::Es256) {
        QByteArray x, y;
        if (ecCoordinates(m_key.get(), &x, &y))
            key = ecPublicFromCoordinates(x, y);
    } else {
        QByteArray raw(kEd25519KeyBytes, Qt::Uninitialized);
        size_t length = size_t(raw.size());
        if (EVP_PKEY_get_raw_public_key(m_key.get(), reinterpret_cast<unsigned char *>(raw.data()),
                                        &length) == 1 &&
            length == size_t(kEd25519KeyBytes))
            key = edPublicFromRaw(raw);
    }
    if (!key) {
        ERR_clear_error();
        return {};
    }
    return SigningKey(share(std::move(key)), m_type, false);
}

QByteArray SigningKey::toPkcs8Der() const {
    if (isNull() || !m_hasPrivate)
        return {};
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free> info(EVP_PKEY2PKCS8(m_key.get()));
    if (!info) {
        ERR_clear_error();
        return {};
    }
    const int length = i2d_PKCS8_PRIV_KEY_INFO(info.get(), nullptr);
    if (length <= 0) {
        ERR_clear_error();
        return {};
    }
    QByteArray der(length, Qt::Uninitialized);
    auto *cursor = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_PKCS8_PRIV_KEY_INFO(info.get(), &cursor) != length) {
        OPENSSL_cleanse(der.data(), size_t(der.size()));
        ERR_clear_error();
        return {};
    }
    return der;
}

QJsonObject SigningKey::publicJwk() const {
    QJsonObject jwk;
    if (m_type == Type::Es256) {
        QByteArray x, y;
        if (!ecCoordinates(m_key.get(), &x, &y)) {
            ERR_clear_error();
            return {};
        }
        jwk.insert(QLatin1String("kty"), QStringLiteral("EC"));
        jwk.insert(QLatin1String("crv"), QStringLiteral("P-256"));
        jwk.insert(QLatin1String("x"), QString::fromLatin1(Base64Url::encode(x)));
        jwk.insert(QLatin1String("y"), QString::fromLatin1(Base64Url::encode(y)));
    } else if (m_type == Type::EdDsa) {
        QByteArray raw(kEd25519KeyBytes, Qt::Uninitialized);
        size_t length = size_t(raw.size());
        if (EVP_PKEY_get_raw_public_key(m_key.get(), reinterpret_cast<unsigned char *>(raw.data()),
                                        &length) != 1 ||
            length != size_t(kEd25519KeyBytes)) {
            ERR_clear_error();
            return {};
        }
        jwk.insert(QLatin1String("kty"), QStringLiteral("OKP"));
        jwk.insert(QLatin1String("crv"), QStringLiteral("Ed25519"));
        jwk.insert(QLatin1String("x"), QString::fromLatin1(Base64Url::encode(raw)));
    }
    return jwk;
}

QJsonObject SigningKey::jwksEntry() const {
    QJsonObject jwk = publicJwk();
    if (jwk.isEmpty())
        return jwk;
    jwk.insert(QLatin1String("kid"), kid());
    jwk.insert(QLatin1String("alg"), alg());
    jwk.insert(QLatin1String("use"), QStringLiteral("sig"));
    return jwk;
}

QString SigningKey::jwkThumbprint(const QJsonObject &requiredMembers) {
    // RFC 7638 §3.3: members in lexicographic order, no whitespace. QJsonObject keeps its keys
    // sorted and compact QJsonDocument output adds no whitespace, which is exactly that form for
    // the ASCII member names and base64url values of EC and OKP keys.
    const QByteArray canonical = QJsonDocument(requiredMembers).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(
        Base64Url::encode(QCryptographicHash::hash(canonical, QCryptographicHash::Sha256)));
}

QString SigningKey::kid() const {
    if (isNull())
        return {};
    return jwkThumbprint(publicJwk());
}

QByteArray SigningKey::sign(QByteArrayView data) const {
    if (isNull() || !m_hasPrivate)
        return {};
    MdCtxPtr ctx(EVP_MD_CTX_new());
    // Ed25519 hashes internally (PureEdDSA), so it takes no digest.
    const EVP_MD *md = m_type == Type::Es256 ? EVP_sha256() : nullptr;
    size_t length = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, m_key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, ucharData(data), size_t(data.size())) != 1) {
        ERR_clear_error();
        return {};
    }
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       ucharData(data), size_t(data.size())) != 1) {
        ERR_clear_error();
        return {};
    }
    signature.truncate(qsizetype(length));
    if (m_type == Type::EdDsa)
        return signature;

    // OpenSSL produces DER (SEQUENCE of two INTEGERs); JOSE wants the fixed-width concatenation.
    const unsigned char *cursor = ucharData(signature);
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, long(signature.size())));
    if (!sig) {
        ERR_clear_error();
        return {};
    }
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    QByteArray jose(kSignatureBytes, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(jose.data());
    if (BN_bn2binpad(r, out, kP256ScalarBytes) != kP256ScalarBytes ||
        BN_bn2binpad(s, out + kP256ScalarBytes, kP256ScalarBytes) != kP256ScalarBytes) {
        ERR_clear_error();
        return {};
    }
    return jose;
}

bool SigningKey::verify(QByteArrayView data, QByteArrayView signature) const {
    if (isNull() || signature.size() != kSignatureBytes)
        return false;

    QByteArray der;
    const EVP_MD *md = nullptr;
    if (m_type == Type::Es256) {
        const unsigned char *bytes = ucharData(signature);
        if (!scalarInRange(bytes) || !scalarInRange(bytes + kP256ScalarBytes))
            return false;
        EcdsaSigPtr sig(ECDSA_SIG_new());
        BnPtr r(BN_bin2bn(bytes, kP256ScalarBytes, nullptr));
        BnPtr s(BN_bin2bn(bytes + kP256ScalarBytes, kP256ScalarBytes, nullptr));
        if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
            ERR_clear_error();
            return false;
        }
        r.release(); // now owned by sig
        s.release();
        const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
        if (length <= 0) {
            ERR_clear_error();
            return false;
        }
        der.resize(length);
        auto *cursor = reinterpret_cast<unsigned char *>(der.data());
        if (i2d_ECDSA_SIG(sig.get(), &cursor) != length) {
            ERR_clear_error();
            return false;
        }
        md = EVP_sha256();
    }
    const QByteArrayView toCheck = m_type == Type::Es256 ? QByteArrayView(der) : signature;

    MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok = ctx &&
                    EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, m_key.get()) == 1 &&
                    EVP_DigestVerify(ctx.get(), ucharData(toCheck), size_t(toCheck.size()),
                                     ucharData(data), size_t(data.size())) == 1;
    if (!ok)
        ERR_clear_error();
    return ok;
}

} // namespace tenantry
