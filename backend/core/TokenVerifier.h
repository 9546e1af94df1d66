// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/SigningKey.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>

namespace tenantry {

// Verifies RFC 9068 access tokens (JWS compact, `typ` at+jwt) against a fixed, in-process set of
// our own public keys, following RFC 8725 and security checklist J01–J33. The key found by `kid`
// decides the algorithm; the header only has to agree with it. Nothing named in a token (`jku`,
// `x5u`, `jwk`, `x5c`) is ever fetched or trusted. Immutable after construction, so one instance
// can serve all threads.
class TokenVerifier {
public:
    // For logs and metrics only. Clients get one constant answer whatever the reason, so that
    // the verifier cannot be used as an oracle.
    enum class Failure {
        None,
        TooLong,
        Malformed,      // not three segments
        BadEncoding,    // a segment is not strict base64url
        BadHeader,      // header is not a strict JSON object, or alg/kid/typ not strings
        CriticalHeader, // `crit` present: we understand no extensions
        MissingKeyId,
        UnknownKeyId,
        AlgorithmMismatch, // header alg differs from the alg of the key found by kid
        WrongType,         // typ is not at+jwt
        BadSignature,
        BadPayload,       // payload is not a strict JSON object
        InvalidTimeClaim, // exp/iat missing or not numbers, nbf not a number
        Expired,
        NotYetValid,
        IssuedInFuture,
        TooOld,
        WrongIssuer,
        WrongAudience,
        InvalidSubject,
        InvalidTenant,
    };

    static constexpr std::chrono::seconds kMaxLeeway{60};
    static constexpr qsizetype kMaxTokenLength = 8 * 1024;

    struct Config {
        // kid -> public key. Only our own keys, loaded once (never from a URL, file or database
        // lookup keyed by the token).
        QHash<QString, SigningKey> keys;
        QString issuer;
        QString audience;
        // RFC 9068 §4; compared case-insensitively, with or without the "application/" prefix.
        QString requiredType = QStringLiteral("at+jwt");
        // Clamped to [0, kMaxLeeway].
        std::chrono::seconds leeway{30};
        // Rejects tokens whose iat is older than this; zero disables the check.
        std::chrono::seconds maxTokenAge{0};
        // Clamped to [1, kMaxTokenLength].
        qsizetype maxTokenLength = kMaxTokenLength;
        // Seconds since the Unix epoch; the system clock when empty. Injectable for tests.
        std::function<qint64()> clock;
    };

    // A JWS whose structure, header and signature are verified; the claims are not looked at.
    struct VerifiedJws {
        QJsonObject header;
        QByteArray payload;
    };

    explicit TokenVerifier(Config config);

    // The full access-token check: verifyJws(), then `typ`, then the claims.
    std::optional<QJsonObject> verify(const QByteArray &token, Failure *failure = nullptr) const;

    // The JWS layer alone: length, three segments, strict base64url, strict JSON header, no
    // `crit`, a known `kid`, `alg` equal to that key's alg, and the signature over the ASCII
    // `header.payload`. The payload may be any bytes. Exposed for the Wycheproof JWS vectors,
    // whose payloads are not claim sets.
    std::optional<VerifiedJws> verifyJws(const QByteArray &token, Failure *failure = nullptr) const;

    static QString failureName(Failure failure);

private:
    std::optional<QJsonObject> checkClaims(const QJsonObject &claims, Failure *failure) const;
    qint64 now() const;

    Config m_config;
};

} // namespace tenantry
