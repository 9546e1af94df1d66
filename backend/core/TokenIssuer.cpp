// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/TokenIssuer.h"

#include "core/Base64Url.h"

#include <QDateTime>
#include <QJsonDocument>

#include <openssl/err.h>
#include <openssl/rand.h>

namespace tenantry {

TokenIssuer::TokenIssuer(SigningKey key, QString issuer, QString audience,
                         std::chrono::seconds lifetime, std::function<qint64()> clock)
    : m_key(std::move(key))
    , m_issuer(std::move(issuer))
    , m_audience(std::move(audience))
    , m_lifetime(lifetime)
    , m_clock(std::move(clock)) {}

QByteArray TokenIssuer::issue(const QJsonObject &claims) const {
    if (m_key.isNull() || !m_key.hasPrivateKey())
        return {};

    // jti must be unguessable and unique across restarts and instances (RFC 7519 §4.1.7).
    unsigned char random[16];
    if (RAND_bytes(random, sizeof random) != 1) {
        ERR_clear_error();
        return {};
    }

    const qint64 now = m_clock ? m_clock() : QDateTime::currentSecsSinceEpoch();
    QJsonObject body = claims;
    body.insert(QLatin1String("iss"), m_issuer);
    body.insert(QLatin1String("aud"), m_audience);
    body.insert(QLatin1String("iat"), now);
    body.insert(QLatin1String("exp"), now + qint64(m_lifetime.count()));
    body.insert(QLatin1String("jti"), QString::fromLatin1(Base64Url::encode(QByteArrayView(
                                          reinterpret_cast<const char *>(random), sizeof random))));

    QJsonObject header;
    header.insert(QLatin1String("alg"), m_key.alg());
    header.insert(QLatin1String("typ"), QStringLiteral("at+jwt"));
    header.insert(QLatin1String("kid"), m_key.kid());

    const QByteArray signingInput =
        Base64Url::encode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
        Base64Url::encode(QJsonDocument(body).toJson(QJsonDocument::Compact));
    const QByteArray signature = m_key.sign(signingInput);
    if (signature.isEmpty())
        return {};
    return signingInput + '.' + Base64Url::encode(signature);
}

} // namespace tenantry
