// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/SigningKey.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <chrono>
#include <functional>

namespace tenantry {

// Mints RFC 9068 access tokens that TokenVerifier accepts: header {alg, kid, typ:"at+jwt"} with
// alg and kid taken from the key, and the registered claims set here rather than by callers so a
// caller cannot mint a token for another audience or with an arbitrary lifetime.
class TokenIssuer {
public:
    TokenIssuer(SigningKey key, QString issuer, QString audience, std::chrono::seconds lifetime,
                std::function<qint64()> clock = {});

    // Adds iss, aud, iat, exp and a fresh jti (128 random bits) to `claims`, overriding any
    // caller-supplied values of those members. Returns an empty array if the key cannot sign.
    QByteArray issue(const QJsonObject &claims) const;

    const SigningKey &key() const { return m_key; }

private:
    SigningKey m_key;
    QString m_issuer;
    QString m_audience;
    std::chrono::seconds m_lifetime;
    std::function<qint64()> m_clock;
};

} // namespace tenantry
