// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/KeyRing.h"
#include "core/LoginThrottle.h"
#include "core/PasswordHasher.h"
#include "core/TenantSpec.h"

#include <QDateTime>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace tenantry {

Q_DECLARE_LOGGING_CATEGORY(lcAuth)

struct IdentityConfig {
    QString issuer; // exact `iss`; the public URL
    QString audience = QStringLiteral("tenantry-api");
    int accessTokenSeconds = 900;             // 15 min
    int refreshTokenSeconds = 14 * 24 * 3600; // idle lifetime of one refresh token
    int leewaySeconds = 30;
};

// The token issuer: password and refresh grants, revocation. Runs on the caller's
// (thread-owned) runtime connection; each grant is one transaction in the tenant's schema.
class TokenService {
public:
    enum class Error {
        None,
        InvalidRequest, // malformed input
        InvalidGrant,   // wrong tenant/user/password/code, or a bad refresh token; never says which
        MfaRequired,    // password fine, a TOTP or recovery code is needed
        Throttled,      // too many failures for this account or address
        Unavailable,    // database away
    };

    struct Tokens {
        QString accessToken;
        QString refreshToken;
        int expiresIn = 0;
        QString userId;
        QString tenantId;
    };

    struct Result {
        std::optional<Tokens> tokens;
        Error error = Error::None;
        int retryAfter = 0;
    };

    // `secrets` unseals TOTP seeds (the same key-encryption key as the signing keys).
    TokenService(IdentityConfig config, KeyRing &keys, LoginThrottle &throttle,
                 const KeyEncryption &secrets);

    Result passwordGrant(QSqlDatabase &db, const QString &tenant, const QString &email,
                         const QString &password, const QString &totp, const QString &address);
    Result refreshGrant(QSqlDatabase &db, const QString &refreshToken);
    // RFC 7009: revokes the token's whole family (sign-out). Unknown tokens are not an error.
    Error revoke(QSqlDatabase &db, const QString &refreshToken);

    const IdentityConfig &config() const { return m_config; }

    // rt_<tenant uuid hex>_<43 base64url chars>; nullopt when it does not have that shape.
    static std::optional<QUuid> tenantOfRefreshToken(const QString &token);

private:
    std::optional<Tokens> issue(QSqlDatabase &db, const Tenant &tenant, const QString &userId,
                                const QString &role, const QStringList &amr,
                                const QString &familyId, const QDateTime &familyExpires,
                                bool mfaEnrollmentPending, QString *error);
    QString accessToken(const Tenant &tenant, const QString &userId, const QString &role,
                        const QStringList &amr, const QString &familyId, bool mfaEnrollmentPending);

    IdentityConfig m_config;
    KeyRing &m_keys;
    LoginThrottle &m_throttle;
    const KeyEncryption *m_totpSecrets;
    PasswordHasher m_hasher;
    QString m_dummyHash; // verified against when the user does not exist: same cost either way
};

} // namespace tenantry
