// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/KeyRing.h"
#include "core/LoginThrottle.h"
#include "core/PasswordHasher.h"
#include "core/TokenService.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace tenantry {

// Support access: a support operator (cross-tenant staff, tenantry_control.operators) proves who
// they are with their password, names a tenant, a reason and a duration, and gets an access token
// for that tenant with an RFC 8693 `act` claim naming them. The tenant must allow support access
// (settings.security.support_access_allowed). Sessions are short (at most one hour) and cannot
// be refreshed: a new session needs the operator's password again.
class SupportSessions {
public:
    static constexpr int kMaxMinutes = 60;

    enum class Error { None, InvalidRequest, InvalidGrant, Throttled, NotAllowed, Unavailable };

    struct Session {
        QString accessToken;
        QString sessionId;
        QString operatorId;
        QString tenantId;
        QDateTime expiresAt;
        int expiresIn = 0;
    };

    struct Result {
        std::optional<Session> session;
        Error error = Error::None;
        int retryAfter = 0;
    };

    SupportSessions(const IdentityConfig &config, KeyRing &keys, LoginThrottle &throttle);

    Result start(QSqlDatabase &db, const QString &email, const QString &password,
                 const QString &tenant, const QString &reason, int minutes, const QString &address);

    // Creates an operator (owner role on an admin connection). Idempotent on e-mail: false with
    // "exists" in `error` when the address is taken.
    static bool createOperator(QSqlDatabase &db, const QString &email, const QString &password,
                               QString *id, QString *error);

private:
    const IdentityConfig &m_config;
    KeyRing &m_keys;
    LoginThrottle &m_throttle;
    PasswordHasher m_hasher;
    QString m_dummyHash;
};

} // namespace tenantry
