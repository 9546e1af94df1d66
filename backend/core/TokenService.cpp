// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/TokenService.h"

#include "core/AuditLog.h"
#include "core/Base64Url.h"
#include "core/SqlSupport.h"
#include "core/TenantRegistry.h"
#include "core/TokenIssuer.h"
#include "core/Totp.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QUuid>

namespace tenantry {

Q_LOGGING_CATEGORY(lcAuth, "tenantry.auth")

namespace {

QByteArray tokenHash(const QString &token) {
    return QCryptographicHash::hash(token.toLatin1(), QCryptographicHash::Sha256);
}

QString newRefreshToken(const QUuid &tenant) {
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), 8);
    return QStringLiteral("rt_") + QString::fromLatin1(tenant.toString(QUuid::Id128).toLatin1()) +
           u'_' + QString::fromLatin1(Base64Url::encode(raw));
}

// Runs `work` in a transaction scoped to `tenant` (set_config(..., true), never a session SET).
template <typename Fn>
bool inTenant(QSqlDatabase &db, const Tenant &tenant, QString *error, Fn &&work) {
    return sql::inTransaction(db, error, [&] {
        QSqlQuery q(db);
        if (!sql::exec(q, QStringLiteral("SELECT set_config('app.current_tenant', ?, true)"),
                       {tenant.id.toString(QUuid::WithoutBraces)}, error))
            return false;
        return work();
    });
}

// Sign-in, sign-out and refresh-token reuse belong in the tenant's audit trail.
bool auditAuth(QSqlDatabase &db, const Tenant &tenant, const QString &action, const QString &actor,
               const QString &address, const QJsonObject &data, QString *error) {
    AuditEvent e;
    e.actor = actor;
    e.action = action;
    e.resource = actor.isEmpty() ? QString() : QStringLiteral("member/") + actor;
    e.ip = address;
    e.data = data;
    return AuditLog::append(db, tenant.id, e, error).has_value();
}

} // namespace

TokenService::TokenService(IdentityConfig config, KeyRing &keys, LoginThrottle &throttle,
                           const KeyEncryption &secrets)
    : m_config(std::move(config))
    , m_keys(keys)
    , m_throttle(throttle)
    , m_totpSecrets(&secrets)
    , m_dummyHash(m_hasher.hash(QStringLiteral("tenantry-dummy-password"))) {}

std::optional<QUuid> TokenService::tenantOfRefreshToken(const QString &token) {
    static const QRegularExpression shape(QStringLiteral("^rt_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$"));
    const auto m = shape.match(token);
    if (!m.hasMatch())
        return std::nullopt;
    const QString hex = m.captured(1);
    const QUuid id = QUuid::fromString(hex.left(8) + u'-' + hex.mid(8, 4) + u'-' + hex.mid(12, 4) +
                                       u'-' + hex.mid(16, 4) + u'-' + hex.mid(20));
    if (id.isNull())
        return std::nullopt;
    return id;
}

QString TokenService::accessToken(const Tenant &tenant, const QString &userId, const QString &role,
                                  const QStringList &amr, const QString &familyId,
                                  bool mfaEnrollmentPending) {
    const auto keys = m_keys.keys();
    TokenIssuer issuer(keys->current, m_config.issuer, m_config.audience,
                       std::chrono::seconds(m_config.accessTokenSeconds));
    QJsonObject claims{{QStringLiteral("sub"), userId},
                       {QStringLiteral("tid"), tenant.id.toString(QUuid::WithoutBraces)},
                       {QStringLiteral("roles"), QJsonArray{role}},
                       {QStringLiteral("amr"), QJsonArray::fromStringList(amr)},
                       {QStringLiteral("sid"), familyId}};
    if (mfaEnrollmentPending)
        claims.insert(QStringLiteral("mfa_enrollment_required"), true);
    return QString::fromLatin1(issuer.issue(claims));
}

std::optional<TokenService::Tokens>
TokenService::issue(QSqlDatabase &db, const Tenant &tenant, const QString &userId,
                    const QString &role, const QStringList &amr, const QString &familyId,
                    const QDateTime &familyExpires, bool mfaEnrollmentPending, QString *error) {
    const QString refresh = newRefreshToken(tenant.id);
    QSqlQuery q(db);
    if (!sql::exec(
            q,
            QStringLiteral("INSERT INTO %1.refresh_tokens (id, family_id, user_id, token_hash, "
                           "amr, expires_at, family_expires_at) VALUES (gen_random_uuid(), "
                           "?::uuid, ?::uuid, ?, string_to_array(?, ','), now() + "
                           "make_interval(secs => ?), ?::timestamptz)")
                .arg(sql::quoteIdent(tenant.schema)),
            {familyId, userId, tokenHash(refresh), amr.join(u','), m_config.refreshTokenSeconds,
             familyExpires.toUTC().toString(Qt::ISODateWithMs)},
            error))
        return std::nullopt;
    // Sign with the database's current key: after `keys rotate` (by any process) new tokens
    // carry the new kid at once.
    if (!m_keys.ensureCurrent(db, error))
        return std::nullopt;
    Tokens t;
    t.accessToken = accessToken(tenant, userId, role, amr, familyId, mfaEnrollmentPending);
    t.refreshToken = refresh;
    t.expiresIn = m_config.accessTokenSeconds;
    t.userId = userId;
    t.tenantId = tenant.id.toString(QUuid::WithoutBraces);
    return t;
}

TokenService::Result TokenService::passwordGrant(QSqlDatabase &db, const QString &tenantRef,
                                                 const QString &email, const QString &password,
                                                 const QString &totp, const QString &address) {
    Result result;
    if (tenantRef.isEmpty() || email.isEmpty() || password.isEmpty() || tenantRef.size() > 64 ||
        email.size() > 254 || password.size() > 1024 || totp.size() > 32) {
        result.error = Error::InvalidRequest;
        return result;
    }
    QString error;
    const TenantRegistry registry(db);
    const auto tenant = registry.find(tenantRef, &error);
    if (!error.isEmpty()) {
        result.error = Error::Unavailable;
        return result;
    }
    // One account whichever way the tenant was named (slug or id) and whatever the case of the
    // e-mail (citext): otherwise each spelling would get its own budget of guesses.
    const QString account = (tenant ? tenant->id.toString(QUuid::WithoutBraces)
                                    : QString(QStringLiteral("?") + tenantRef.toLower())) +
                            u'/' + email.toLower();
    if (const int wait = m_throttle.retryAfter(account, address)) {
        result.error = Error::Throttled;
        result.retryAfter = wait;
        qCWarning(lcAuth).noquote() << "sign-in throttled for" << address;
        return result;
    }
    auto fail = [&](Error e) {
        m_throttle.recordFailure(account, address);
        result.error = e;
        return result;
    };

    if (!tenant || tenant->status != u"active") {
        m_hasher.verify(password, m_dummyHash);
        return fail(Error::InvalidGrant);
    }

    Error outcome = Error::None;
    std::optional<Tokens> tokens;
    const bool ok = inTenant(db, *tenant, &error, [&]() -> bool {
        const QString schema = sql::quoteIdent(tenant->schema);
        QSqlQuery q(db);
        if (!sql::exec(
                q,
                QStringLiteral("SELECT u.id::text, u.password_hash, u.role, u.mfa_enabled, "
                               "u.totp_secret, coalesce(u.last_totp_step, 0), "
                               "coalesce((s.value->>'mfa_required')::boolean, false), "
                               "coalesce((s.value->>'session_lifetime_minutes')::int, 480) "
                               "FROM %1.users u LEFT JOIN %1.settings s ON s.key = 'security' "
                               "WHERE u.email = ? AND u.status = 'active' FOR UPDATE OF u")
                    .arg(schema),
                {email}, &error))
            return false;
        if (!q.next()) {
            m_hasher.verify(password, m_dummyHash);
            outcome = Error::InvalidGrant;
            return true;
        }
        const QString userId = q.value(0).toString();
        const QString hash = q.value(1).toString();
        const QString role = q.value(2).toString();
        const bool mfaEnabled = q.value(3).toBool();
        const QByteArray sealedSecret = q.value(4).toByteArray();
        const qint64 lastStep = q.value(5).toLongLong();
        const bool tenantRequiresMfa = q.value(6).toBool();
        const int sessionMinutes = std::clamp(q.value(7).toInt(), 5, 60 * 24 * 90);
        q.finish();
        if (hash.isEmpty() || !m_hasher.verify(password, hash)) {
            outcome = Error::InvalidGrant;
            return true;
        }
        QStringList amr{QStringLiteral("pwd")};
        if (mfaEnabled) {
            if (totp.isEmpty()) {
                outcome = Error::MfaRequired;
                return true;
            }
            bool second = false;
            const auto secret =
                m_totpSecrets->decrypt(sealedSecret, "tenantry.totp:" + userId.toLatin1());
            if (secret) {
                if (const auto step =
                        Totp::verify(*secret, totp, QDateTime::currentSecsSinceEpoch());
                    step && *step > lastStep) {
                    QSqlQuery upd(db);
                    if (!sql::exec(upd,
                                   QStringLiteral(
                                       "UPDATE %1.users SET last_totp_step = ? WHERE id = ?::uuid")
                                       .arg(schema),
                                   {*step, userId}, &error))
                        return false;
                    amr << QStringLiteral("otp");
                    second = true;
                }
            }
            if (!second) {
                QSqlQuery rc(db);
                if (!sql::exec(rc,
                               QStringLiteral(
                                   "UPDATE %1.recovery_codes SET used_at = now() WHERE user_id = "
                                   "?::uuid AND code_hash = ? AND used_at IS NULL RETURNING 1")
                                   .arg(schema),
                               {userId, Totp::recoveryCodeHash(totp)}, &error))
                    return false;
                if (rc.next()) {
                    amr << QStringLiteral("otp");
                    second = true;
                }
            }
            if (!second) {
                outcome = Error::InvalidGrant;
                return true;
            }
        }
        if (m_hasher.needsRehash(hash)) {
            QSqlQuery upd(db);
            if (!sql::exec(
                    upd,
                    QStringLiteral("UPDATE %1.users SET password_hash = ? WHERE id = ?::uuid")
                        .arg(schema),
                    {m_hasher.hash(password), userId}, &error))
                return false;
        }
        const QString family = QUuid::createUuid().toString(QUuid::WithoutBraces);
        tokens = issue(db, *tenant, userId, role, amr, family,
                       QDateTime::currentDateTimeUtc().addSecs(qint64(sessionMinutes) * 60),
                       tenantRequiresMfa && !mfaEnabled, &error);
        return tokens.has_value() &&
               auditAuth(db, *tenant, QStringLiteral("auth.sign_in"), userId, address,
                         {{QStringLiteral("amr"), QJsonArray::fromStringList(amr)},
                          {QStringLiteral("session"), family}},
                         &error);
    });
    if (!ok) {
        qCWarning(lcAuth).noquote() << "password grant failed:" << error.left(200);
        result.error = Error::Unavailable;
        return result;
    }
    if (outcome == Error::InvalidGrant) {
        // A failed attempt on a real tenant is recorded there (without saying whether the
        // account exists: the e-mail as typed, nothing else).
        QString auditError;
        if (!inTenant(db, *tenant, &auditError, [&] {
                return auditAuth(db, *tenant, QStringLiteral("auth.sign_in_failed"), QString(),
                                 address, {{QStringLiteral("username"), email.left(254).toLower()}},
                                 &auditError);
            }))
            qCWarning(lcAuth).noquote() << "cannot audit a failed sign-in:" << auditError.left(200);
    }
    if (outcome != Error::None)
        return fail(outcome == Error::MfaRequired ? Error::MfaRequired : Error::InvalidGrant);
    m_throttle.recordSuccess(account);
    result.tokens = tokens;
    return result;
}

TokenService::Result TokenService::refreshGrant(QSqlDatabase &db, const QString &refreshToken) {
    Result result;
    const auto tenantId = tenantOfRefreshToken(refreshToken);
    if (!tenantId) {
        result.error = Error::InvalidGrant;
        return result;
    }
    QString error;
    const auto tenant = TenantRegistry(db).findById(*tenantId, &error);
    if (!error.isEmpty()) {
        result.error = Error::Unavailable;
        return result;
    }
    if (!tenant || tenant->status != u"active") {
        result.error = Error::InvalidGrant;
        return result;
    }
    Error outcome = Error::None;
    std::optional<Tokens> tokens;
    const bool ok = inTenant(db, *tenant, &error, [&]() -> bool {
        const QString schema = sql::quoteIdent(tenant->schema);
        QSqlQuery q(db);
        if (!sql::exec(
                q,
                QStringLiteral("SELECT r.id::text, r.family_id::text, r.user_id::text, "
                               "r.rotated_at IS NOT NULL, r.revoked_at IS NOT NULL, "
                               "r.expires_at < now() OR r.family_expires_at < now(), "
                               "array_to_string(r.amr, ','), u.role, u.status, "
                               "r.family_expires_at, u.mfa_enabled, "
                               "coalesce((s.value->>'mfa_required')::boolean, false) "
                               "FROM %1.refresh_tokens r JOIN %1.users u ON u.id = r.user_id "
                               "LEFT JOIN %1.settings s ON s.key = 'security' "
                               "WHERE r.token_hash = ? FOR UPDATE OF r")
                    .arg(schema),
                {tokenHash(refreshToken)}, &error))
            return false;
        if (!q.next()) {
            outcome = Error::InvalidGrant;
            return true;
        }
        const QString id = q.value(0).toString();
        const QString family = q.value(1).toString();
        const QString userId = q.value(2).toString();
        const bool rotated = q.value(3).toBool();
        const bool revoked = q.value(4).toBool();
        const bool expired = q.value(5).toBool();
        const QStringList amr = q.value(6).toString().split(u',', Qt::SkipEmptyParts);
        const QString role = q.value(7).toString();
        const bool active = q.value(8).toString() == u"active";
        const QDateTime familyExpires = q.value(9).toDateTime();
        const bool pendingEnrollment = q.value(11).toBool() && !q.value(10).toBool();
        q.finish();
        if (rotated || !active) {
            // A rotated token presented again means it leaked: end the whole sign-in.
            QSqlQuery revokeAll(db);
            if (!sql::exec(revokeAll,
                           QStringLiteral("UPDATE %1.refresh_tokens SET revoked_at = now() WHERE "
                                          "family_id = ?::uuid AND revoked_at IS NULL")
                               .arg(schema),
                           {family}, &error))
                return false;
            if (rotated && !revoked) {
                qCWarning(lcAuth).noquote()
                    << "refresh token reuse detected; family" << family << "of tenant"
                    << tenant->id.toString(QUuid::WithoutBraces) << "revoked";
                if (!auditAuth(db, *tenant, QStringLiteral("auth.refresh_reuse_detected"), userId,
                               QString(), {{QStringLiteral("session"), family}}, &error))
                    return false;
            }
            outcome = Error::InvalidGrant;
            return true;
        }
        if (revoked || expired) {
            outcome = Error::InvalidGrant;
            return true;
        }
        QSqlQuery mark(db);
        if (!sql::exec(
                mark,
                QStringLiteral("UPDATE %1.refresh_tokens SET rotated_at = now() WHERE id = ?::uuid")
                    .arg(schema),
                {id}, &error))
            return false;
        tokens =
            issue(db, *tenant, userId, role, amr, family, familyExpires, pendingEnrollment, &error);
        return tokens.has_value();
    });
    if (!ok) {
        qCWarning(lcAuth).noquote() << "refresh grant failed:" << error.left(200);
        result.error = Error::Unavailable;
        return result;
    }
    if (outcome != Error::None) {
        result.error = outcome;
        return result;
    }
    result.tokens = tokens;
    return result;
}

TokenService::Error TokenService::revoke(QSqlDatabase &db, const QString &refreshToken) {
    const auto tenantId = tenantOfRefreshToken(refreshToken);
    if (!tenantId)
        return Error::None;
    QString error;
    const auto tenant = TenantRegistry(db).findById(*tenantId, &error);
    if (!error.isEmpty())
        return Error::Unavailable;
    if (!tenant)
        return Error::None;
    const bool ok = inTenant(db, *tenant, &error, [&]() -> bool {
        QSqlQuery q(db);
        if (!sql::exec(
                q,
                QStringLiteral("UPDATE %1.refresh_tokens SET revoked_at = now() WHERE family_id = "
                               "(SELECT family_id FROM %1.refresh_tokens WHERE token_hash = ?) "
                               "AND revoked_at IS NULL RETURNING user_id::text, family_id::text")
                    .arg(sql::quoteIdent(tenant->schema)),
                {tokenHash(refreshToken)}, &error))
            return false;
        if (!q.next())
            return true; // unknown or already revoked: nothing to record
        const QString userId = q.value(0).toString();
        const QString family = q.value(1).toString();
        q.finish();
        return auditAuth(db, *tenant, QStringLiteral("auth.sign_out"), userId, QString(),
                         {{QStringLiteral("session"), family}}, &error);
    });
    return ok ? Error::None : Error::Unavailable;
}

} // namespace tenantry
