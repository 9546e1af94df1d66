// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/TokenVerifier.h"

#include "core/Base64Url.h"
#include "core/StrictJson.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>

namespace tenantry {

namespace {

// A JOSE header has a handful of flat members; deep nesting can only be an attack.
constexpr int kHeaderMaxDepth = 4;
constexpr int kPayloadMaxDepth = 16;

std::nullopt_t fail(TokenVerifier::Failure *out, TokenVerifier::Failure failure) {
    if (out)
        *out = failure;
    return std::nullopt;
}

bool typeMatches(const QString &typ, const QString &required) {
    // RFC 7515 §4.1.9: MIME type names are case-insensitive and "application/" may be omitted.
    static const QString prefix = QStringLiteral("application/");
    QStringView value(typ);
    if (value.startsWith(prefix, Qt::CaseInsensitive))
        value = value.mid(prefix.size());
    return value.compare(required, Qt::CaseInsensitive) == 0;
}

} // namespace

TokenVerifier::TokenVerifier(Config config)
    : m_config(std::move(config)) {
    m_config.leeway = std::clamp(m_config.leeway, std::chrono::seconds(0), kMaxLeeway);
    m_config.maxTokenAge = std::max(m_config.maxTokenAge, std::chrono::seconds(0));
    m_config.maxTokenLength = std::clamp(m_config.maxTokenLength, qsizetype(1), kMaxTokenLength);
    // A private key has no business in a verifier's memory; keep only the public halves.
    for (auto it = m_config.keys.begin(); it != m_config.keys.end(); ++it)
        it.value() = it.value().publicKey();
}

qint64 TokenVerifier::now() const {
    return m_config.clock ? m_config.clock() : QDateTime::currentSecsSinceEpoch();
}

std::optional<TokenVerifier::VerifiedJws> TokenVerifier::verifyJws(const QByteArray &token,
                                                                   Failure *failure) const {
    // Before any decoding work, so an oversized token costs nothing (J29).
    if (token.size() > m_config.maxTokenLength)
        return fail(failure, Failure::TooLong);
    if (token.count('.') != 2)
        return fail(failure, Failure::Malformed);
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = token.indexOf('.', firstDot + 1);
    const QByteArrayView view(token);
    const QByteArrayView signingInput = view.first(secondDot);

    const auto header = Base64Url::decode(view.first(firstDot));
    const auto payload = Base64Url::decode(view.sliced(firstDot + 1, secondDot - firstDot - 1));
    const auto signature = Base64Url::decode(view.sliced(secondDot + 1));
    if (!header || !payload || !signature)
        return fail(failure, Failure::BadEncoding);

    const auto headerObject = StrictJson::parseObject(*header, nullptr, kHeaderMaxDepth);
    if (!headerObject)
        return fail(failure, Failure::BadHeader);
    // RFC 7515 §4.1.11: extensions listed in crit must be understood; we implement none, and an
    // empty or malformed crit is invalid anyway.
    if (headerObject->contains(QLatin1String("crit")))
        return fail(failure, Failure::CriticalHeader);

    const QJsonValue kid = headerObject->value(QLatin1String("kid"));
    if (kid.isUndefined())
        return fail(failure, Failure::MissingKeyId);
    if (!kid.isString())
        return fail(failure, Failure::BadHeader);
    // A plain in-memory lookup: the kid is never a path, a query parameter or a URL (J11/J12).
    const auto key = m_config.keys.constFind(kid.toString());
    if (key == m_config.keys.cend() || key->isNull())
        return fail(failure, Failure::UnknownKeyId);

    const QJsonValue alg = headerObject->value(QLatin1String("alg"));
    if (!alg.isString())
        return fail(failure, Failure::BadHeader);
    // Exact and case-sensitive (RFC 7515 §4.1.1): "none", "NONE", HS256 with a public key as
    // the secret, RS/PS/ES384 all fail here, because the key, not the header, picks the algorithm.
    if (alg.toString() != key->alg())
        return fail(failure, Failure::AlgorithmMismatch);

    if (!key->verify(signingInput, *signature))
        return fail(failure, Failure::BadSignature);
    return VerifiedJws{*headerObject, *payload};
}

std::optional<QJsonObject> TokenVerifier::verify(const QByteArray &token, Failure *failure) const {
    const auto jws = verifyJws(token, failure);
    if (!jws)
        return std::nullopt;

    // RFC 8725 §3.11 / RFC 9068 §4: explicit typing keeps ID tokens, refresh tokens and other
    // JWTs signed by the same key from being accepted as access tokens.
    const QJsonValue typ = jws->header.value(QLatin1String("typ"));
    if (!typ.isString() || !typeMatches(typ.toString(), m_config.requiredType))
        return fail(failure, Failure::WrongType);

    const auto claims = StrictJson::parseObject(jws->payload, nullptr, kPayloadMaxDepth);
    if (!claims)
        return fail(failure, Failure::BadPayload);
    return checkClaims(*claims, failure);
}

std::optional<QJsonObject> TokenVerifier::checkClaims(const QJsonObject &claims,
                                                      Failure *failure) const {
    const double current = double(now());
    const double leeway = double(m_config.leeway.count());

    // NumericDate is a JSON number (RFC 7519 §2); "9999999999" as a string is not one, and
    // StrictJson has already refused numbers that overflow a double.
    const QJsonValue exp = claims.value(QLatin1String("exp"));
    const QJsonValue iat = claims.value(QLatin1String("iat"));
    const QJsonValue nbf = claims.value(QLatin1String("nbf"));
    if (!exp.isDouble() || !iat.isDouble() || (!nbf.isUndefined() && !nbf.isDouble()))
        return fail(failure, Failure::InvalidTimeClaim);
    // RFC 7519 §4.1.4: the current time must be before exp.
    if (current >= exp.toDouble() + leeway)
        return fail(failure, Failure::Expired);
    if (!nbf.isUndefined() && current + leeway < nbf.toDouble())
        return fail(failure, Failure::NotYetValid);
    if (iat.toDouble() > current + leeway)
        return fail(failure, Failure::IssuedInFuture);
    if (m_config.maxTokenAge.count() > 0 &&
        current - iat.toDouble() > double(m_config.maxTokenAge.count()) + leeway)
        return fail(failure, Failure::TooOld);

    // Exact comparison (RFC 8725 §3.8): no case folding, no URL normalisation.
    const QJsonValue iss = claims.value(QLatin1String("iss"));
    if (!iss.isString() || iss.toString() != m_config.issuer)
        return fail(failure, Failure::WrongIssuer);

    // RFC 7519 §4.1.3: a string or an array of strings, one of which must be ours.
    const QJsonValue aud = claims.value(QLatin1String("aud"));
    bool audienceOk = false;
    if (aud.isString()) {
        audienceOk = aud.toString() == m_config.audience;
    } else if (aud.isArray()) {
        const QJsonArray audiences = aud.toArray();
        for (const QJsonValue &entry : audiences) {
            if (!entry.isString()) {
                audienceOk = false;
                break;
            }
            if (entry.toString() == m_config.audience)
                audienceOk = true;
        }
    }
    if (!audienceOk || m_config.audience.isEmpty())
        return fail(failure, Failure::WrongAudience);

    const QJsonValue sub = claims.value(QLatin1String("sub"));
    if (!sub.isString() || sub.toString().isEmpty())
        return fail(failure, Failure::InvalidSubject);
    const QJsonValue tid = claims.value(QLatin1String("tid"));
    if (!tid.isString() || tid.toString().isEmpty())
        return fail(failure, Failure::InvalidTenant);

    if (failure)
        *failure = Failure::None;
    return claims;
}

QString TokenVerifier::failureName(Failure failure) {
    switch (failure) {
    case Failure::None:
        return QStringLiteral("none");
    case Failure::TooLong:
        return QStringLiteral("too_long");
    case Failure::Malformed:
        return QStringLiteral("malformed");
    case Failure::BadEncoding:
        return QStringLiteral("bad_encoding");
    case Failure::BadHeader:
        return QStringLiteral("bad_header");
    case Failure::CriticalHeader:
        return QStringLiteral("critical_header");
    case Failure::MissingKeyId:
        return QStringLiteral("missing_kid");
    case Failure::UnknownKeyId:
        return QStringLiteral("unknown_kid");
    case Failure::AlgorithmMismatch:
        return QStringLiteral("alg_mismatch");
    case Failure::WrongType:
        return QStringLiteral("wrong_typ");
    case Failure::BadSignature:
        return QStringLiteral("bad_signature");
    case Failure::BadPayload:
        return QStringLiteral("bad_payload");
    case Failure::InvalidTimeClaim:
        return QStringLiteral("invalid_time_claim");
    case Failure::Expired:
        return QStringLiteral("expired");
    case Failure::NotYetValid:
        return QStringLiteral("not_yet_valid");
    case Failure::IssuedInFuture:
        return QStringLiteral("issued_in_future");
    case Failure::TooOld:
        return QStringLiteral("too_old");
    case Failure::WrongIssuer:
        return QStringLiteral("wrong_issuer");
    case Failure::WrongAudience:
        return QStringLiteral("wrong_audience");
    case Failure::InvalidSubject:
        return QStringLiteral("invalid_subject");
    case Failure::InvalidTenant:
        return QStringLiteral("invalid_tenant");
    }
    return QStringLiteral("unknown");
}

} // namespace tenantry
