// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <memory>

// OpenSSL stays out of this header: only the core library links it.
struct evp_pkey_st;

namespace tenantry {

// One asymmetric JWS key held as a parsed OpenSSL EVP_PKEY. The algorithm is a property of the
// key, never of a token (RFC 8725 §3.1): ES256 for P-256, EdDSA for Ed25519, nothing else. Keys
// are immutable and cheap to copy (the EVP_PKEY is shared), so a verifier can hold a map of them
// and use it from several threads.
class SigningKey {
public:
    enum class Type { Invalid, Es256, EdDsa };

    SigningKey();

    static SigningKey generate(Type type);
    // PKCS#8 PrivateKeyInfo, DER, exactly one structure with nothing after it.
    static SigningKey fromPkcs8Der(const QByteArray &der, QString *error = nullptr);
    // A public RFC 7517 JWK for P-256 or Ed25519. Refuses keys meant for anything but
    // signatures (`use` other than "sig", `key_ops` without "verify") and an `alg` member
    // that contradicts the key type, so a key is never used for a purpose it was not issued for.
    static SigningKey fromPublicJwk(const QJsonObject &jwk, QString *error = nullptr);

    bool isNull() const { return m_type == Type::Invalid; }
    bool hasPrivateKey() const { return m_hasPrivate; }
    Type type() const { return m_type; }
    // "ES256" or "EdDSA"; empty for a null key.
    QString alg() const;
    static QString algForType(Type type);

    // The same key without its private half, for handing to verifiers.
    SigningKey publicKey() const;

    // Empty when there is no private key.
    QByteArray toPkcs8Der() const;

    // RFC 7638 required members only: {kty, crv, x, y} or {kty:"OKP", crv:"Ed25519", x}.
    QJsonObject publicJwk() const;
    // publicJwk() plus kid, alg and use:"sig", as published in the JWKS.
    QJsonObject jwksEntry() const;
    // RFC 7638 thumbprint of publicJwk(): base64url(SHA-256(canonical JSON)).
    QString kid() const;
    // The thumbprint of any JWK given only its required members (which must be strings).
    static QString jwkThumbprint(const QJsonObject &requiredMembers);

    // ES256 signatures are the 64-byte JOSE form r||s (RFC 7518 §3.4), not DER. Returns an empty
    // array without a private key or on an OpenSSL failure.
    QByteArray sign(QByteArrayView data) const;
    // For ES256 only the 64-byte form with 0 < r, s < n is considered (CVE-2022-21449); a DER
    // signature, a wrong length or an out-of-range scalar is rejected before OpenSSL sees it.
    bool verify(QByteArrayView data, QByteArrayView signature) const;

private:
    SigningKey(std::shared_ptr<evp_pkey_st> key, Type type, bool hasPrivate);

    std::shared_ptr<evp_pkey_st> m_key;
    Type m_type = Type::Invalid;
    bool m_hasPrivate = false;
};

} // namespace tenantry
