// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/SupportSessions.h"

#include "core/AuditLog.h"
#include "core/SqlSupport.h"
#include "core/TenantRegistry.h"
#include "core/TokenIssuer.h"

#include <QJsonArray>
#include <QSqlQuery>
#include <QUuid>

namespace tenantry {

SupportSessions::SupportSessions(const IdentityConfig &config, KeyRing &keys,
                                 LoginThrottle &throttle)
    : m_config(config)
    , m_keys(keys)
    , m_throttle(throttle)
    , m_dummyHash(m_hasher.hash(QStringLiteral("tenantry-dummy-operator"))) {}

bool SupportSessions::createOperator(QSqlDatabase &db, const QString &email,
                                     const QString &password, QString *id, QString *error) {
    QSqlQuery q(db);
    if (!sql::exec(
            q,
            QStringLiteral(
                "INSERT INTO tenantry_control.operators (email, password_hash) VALUES (?, ?) "
                "ON CONFLICT (email) DO NOTHING RETURNING id::text"),
            {email, PasswordHasher().hash(password)}, error))
        return false;
    if (!q.next()) {
        *error = QStringLiteral("an operator with this e-mail exists");
        return false;
    }
    *id = q.value(0).toString();
    return true;
}

SupportSessions::Result SupportSessions::start(QSqlDatabase &db, const QString &email,
                                               const QString &password, const QString &tenantRef,
                                               const QString &reason, int minutes,
                                               const QString &address) {
    Result result;
    if (email.isEmpty() || password.isEmpty() || tenantRef.isEmpty() || email.size() > 254 ||
        password.size() > 1024 || tenantRef.size() > 64 || reason.trimmed().size() < 3 ||
        reason.size() > 500 || minutes < 1 || minutes > kMaxMinutes) {
        result.error = Error::InvalidRequest;
        return result;
    }
    const QString account = QStringLiteral("operator/") + email.toLower();
    if (const int wait = m_throttle.retryAfter(account, address)) {
        result.error = Error::Throttled;
        result.retryAfter = wait;
        return result;
    }
    QString error;
    QSqlQuery q(db);
    if (!sql::exec(
            q,
            QStringLiteral("SELECT id::text, password_hash FROM tenantry_control.operators WHERE "
                           "email = ? AND status = 'active'"),
            {email}, &error)) {
        result.error = Error::Unavailable;
        return result;
    }
    const bool found = q.next();
    const QString operatorId = found ? q.value(0).toString() : QString();
    const QString hash = found ? q.value(1).toString() : m_dummyHash;
    q.finish();
    if (!m_hasher.verify(password, hash) || !found) {
        m_throttle.recordFailure(account, address);
        result.error = Error::InvalidGrant;
        return result;
    }
    m_throttle.recordSuccess(account);
    const auto tenant = TenantRegistry(db).find(tenantRef, &error);
    if (!error.isEmpty()) {
        result.error = Error::Unavailable;
        return result;
    }
    if (!tenant || tenant->status != u"active") {
        result.error = Error::NotAllowed;
        return result;
    }
    Session session;
    session.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    session.operatorId = operatorId;
    session.tenantId = tenant->id.toString(QUuid::WithoutBraces);
    session.expiresIn = minutes * 60;
    session.expiresAt = QDateTime::currentDateTimeUtc().addSecs(session.expiresIn);

    // The tenant decides whether support may enter at all; either way the attempt goes into the
    // tenant's audit trail with both identities, in the same transaction as the check.
    bool allowed = false;
    const bool ok = sql::inTransaction(db, &error, [&] {
        QSqlQuery s(db);
        if (!sql::exec(
                s,
                QStringLiteral("SELECT set_config('app.current_tenant', ?, true), "
                               "coalesce((value->>'support_access_allowed')::boolean, false) FROM "
                               "%1.settings WHERE key = 'security'")
                    .arg(sql::quoteIdent(tenant->schema)),
                {session.tenantId}, &error))
            return false;
        allowed = s.next() && s.value(1).toBool();
        s.finish();
        AuditEvent e;
        e.actor = QStringLiteral("operator:") + operatorId;
        e.act = operatorId;
        e.action = allowed ? QStringLiteral("support.session_start")
                           : QStringLiteral("support.session_denied");
        e.resource = QStringLiteral("support_session/") + session.sessionId;
        e.ip = address;
        e.data =
            QJsonObject{{QStringLiteral("operator_email"), email.toLower()},
                        {QStringLiteral("reason"), reason.trimmed()},
                        {QStringLiteral("minutes"), minutes},
                        {QStringLiteral("expires_at"), session.expiresAt.toString(Qt::ISODate)}};
        return AuditLog::append(db, tenant->id, e, &error).has_value();
    });
    if (!ok) {
        result.error = Error::Unavailable;
        return result;
    }
    if (!allowed) {
        result.error = Error::NotAllowed;
        return result;
    }
    const auto keys = m_keys.keys();
    if (!keys) {
        result.error = Error::Unavailable;
        return result;
    }
    TokenIssuer issuer(keys->current, m_config.issuer, m_config.audience,
                       std::chrono::seconds(session.expiresIn));
    const QJsonObject claims{
        {QStringLiteral("sub"), QString(QStringLiteral("operator:") + operatorId)},
        {QStringLiteral("tid"), session.tenantId},
        {QStringLiteral("roles"), QJsonArray{QStringLiteral("support")}},
        {QStringLiteral("amr"), QJsonArray{QStringLiteral("pwd")}},
        {QStringLiteral("sid"), session.sessionId},
        {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), operatorId},
                                            {QStringLiteral("email"), email.toLower()},
                                            {QStringLiteral("reason"), reason.trimmed()}}}};
    session.accessToken = QString::fromLatin1(issuer.issue(claims));
    result.session = session;
    return result;
}

} // namespace tenantry
