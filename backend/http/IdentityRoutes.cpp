// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/IdentityRoutes.h"

#include "core/SqlSupport.h"
#include "core/StrictJson.h"
#include "core/Totp.h"
#include "http/Authenticator.h"
#include "http/ErrorCatalog.h"
#include "http/ServerContext.h"
#include "http/TenantPipeline.h"
#include "http/WorkerContext.h"

#include <QDateTime>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSqlQuery>

namespace tenantry {

namespace {

ApiResult oauthError(ErrorCode code, const QString &detail) {
    ApiError e(code, detail);
    e.extensions.insert(QStringLiteral("error"),
                        QString::fromLatin1(ErrorCatalog::entry(code).code));
    e.extensions.insert(QStringLiteral("error_description"), detail);
    return ApiResult::fromError(e);
}

ApiResult unavailable(int retryAfter = 1) {
    return ApiResult::fromError(
        ApiError(ErrorCode::Unavailable, QStringLiteral("The database is not reachable."))
            .withHeader("Retry-After", QByteArray::number(retryAfter)));
}

// application/x-www-form-urlencoded or strict JSON with string values. Duplicate parameters
// are refused (RFC 6749 §3.2), as are unknown JSON fields' non-string values.
std::optional<QHash<QString, QString>> parseParams(const ApiRequest &request, ApiResult *error) {
    const QByteArrayList typeParts = request.header("content-type").split(';');
    const QByteArray type = typeParts.value(0).trimmed().toLower();
    // Only UTF-8 (ASVS 13.1.5): a declared charset=latin1 would be decoded wrongly.
    for (qsizetype i = 1; i < typeParts.size(); ++i) {
        const QByteArray param = typeParts.at(i).trimmed().toLower();
        if (param.startsWith("charset=") && param.mid(8) != "utf-8" &&
            param.mid(8) != "\"utf-8\"") {
            *error = ApiResult::fromError(ApiError(ErrorCode::UnsupportedMediaType,
                                                   QStringLiteral("Send the body as UTF-8.")));
            return std::nullopt;
        }
    }
    QHash<QString, QString> params;
    if (type == "application/x-www-form-urlencoded") {
        const QByteArrayList pairs = request.body.split('&');
        for (const QByteArray &pair : pairs) {
            if (pair.isEmpty())
                continue;
            const qsizetype eq = pair.indexOf('=');
            QByteArray k = eq < 0 ? pair : pair.left(eq);
            QByteArray v = eq < 0 ? QByteArray() : pair.mid(eq + 1);
            k.replace('+', ' ');
            v.replace('+', ' ');
            const QByteArray key = QByteArray::fromPercentEncoding(k);
            const QByteArray value = QByteArray::fromPercentEncoding(v);
            const QString keyText = QString::fromUtf8(key);
            const QString valueText = QString::fromUtf8(value);
            if (keyText.toUtf8() != key || valueText.toUtf8() != value) {
                *error = oauthError(ErrorCode::InvalidRequest,
                                    QStringLiteral("The body is not valid UTF-8."));
                return std::nullopt;
            }
            if (params.contains(keyText)) {
                *error = oauthError(
                    ErrorCode::InvalidRequest,
                    QStringLiteral("Parameter %1 was sent more than once.").arg(keyText.left(40)));
                return std::nullopt;
            }
            params.insert(keyText, valueText);
        }
        return params;
    }
    if (type == "application/json") {
        QString parseError;
        const auto object = StrictJson::parseObject(request.body, &parseError);
        if (!object) {
            *error = ApiResult::fromError(ApiError(ErrorCode::MalformedJson, parseError));
            return std::nullopt;
        }
        for (auto it = object->begin(); it != object->end(); ++it) {
            if (!it.value().isString()) {
                *error =
                    oauthError(ErrorCode::InvalidRequest,
                               QStringLiteral("Field %1 must be a string.").arg(it.key().left(40)));
                return std::nullopt;
            }
            params.insert(it.key(), it.value().toString());
        }
        return params;
    }
    *error = ApiResult::fromError(
        ApiError(ErrorCode::UnsupportedMediaType,
                 QStringLiteral("Send application/x-www-form-urlencoded or application/json.")));
    return std::nullopt;
}

ApiResult tokenResponse(const TokenService::Tokens &t) {
    ApiResult r =
        ApiResult::json(QJsonObject{{QStringLiteral("access_token"), t.accessToken},
                                    {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                    {QStringLiteral("expires_in"), t.expiresIn},
                                    {QStringLiteral("refresh_token"), t.refreshToken},
                                    {QStringLiteral("tenant_id"), t.tenantId}});
    r.withHeader("Cache-Control", "no-store").withHeader("Pragma", "no-cache");
    return r;
}

ApiResult grantFailure(const TokenService::Result &r) {
    switch (r.error) {
    case TokenService::Error::InvalidRequest:
        return oauthError(ErrorCode::InvalidRequest,
                          QStringLiteral("tenant, username and password are required."));
    case TokenService::Error::MfaRequired:
        return oauthError(
            ErrorCode::MfaRequired,
            QStringLiteral("Enter the code from your authenticator app or a recovery code."));
    case TokenService::Error::Throttled: {
        ApiResult res = ApiResult::fromError(ApiError(
            ErrorCode::RateLimited, QStringLiteral("Too many failed sign-ins; try again later.")));
        res.withHeader("Retry-After", QByteArray::number(r.retryAfter));
        return res;
    }
    case TokenService::Error::Unavailable:
        return unavailable();
    case TokenService::Error::InvalidGrant:
    case TokenService::Error::None:
        break;
    }
    // One message for unknown tenant, unknown user, wrong password and bad code alike.
    return oauthError(ErrorCode::InvalidGrant,
                      QStringLiteral("The sign-in details are not correct."));
}

// The TenantCall of the request being handled on this worker thread (handlers are synchronous),
// so the identity handlers below run inside the pipeline's transaction.
thread_local TenantCall *t_call = nullptr;

// Wraps a tenant route in the full tenant pipeline (authentication, tenant binding, rate limit,
// transaction with tenant context and current role), keeping the enrolment-only exception.
Router::Handler authenticated(std::function<ApiResult(ApiRequest &, const Principal &)> handler,
                              bool allowedDuringEnrollment = false, bool write = false) {
    RouteSpec spec;
    spec.allowDuringEnrollment = allowedDuringEnrollment;
    spec.write = write;
    return tenantRoute(spec, [handler = std::move(handler)](TenantCall &call) {
        t_call = &call;
        const auto reset = qScopeGuard([] { t_call = nullptr; });
        return handler(call.request, call.principal);
    });
}

// Runs `work` in the pipeline's tenant transaction.
template <typename Fn>
std::optional<ApiResult> inTenant(ApiRequest &, const Principal &, bool, Fn &&work) {
    TenantCall &call = *t_call;
    QString error;
    auto result = work(call.db, call.schema, &error);
    if (!result)
        return call.failed(error);
    return result;
}

} // namespace

void IdentityRoutes::registerOn(Router &router) {
    router.add("GET", QStringLiteral("/.well-known/openid-configuration"), [](ApiRequest &request) {
        const QString iss = request.worker->server()->identity.issuer;
        QJsonObject doc;
        doc.insert(QStringLiteral("issuer"), iss);
        doc.insert(QStringLiteral("jwks_uri"),
                   QString(iss + QStringLiteral("/.well-known/jwks.json")));
        doc.insert(QStringLiteral("token_endpoint"),
                   QString(iss + QStringLiteral("/v1/auth/token")));
        doc.insert(QStringLiteral("revocation_endpoint"),
                   QString(iss + QStringLiteral("/v1/auth/revoke")));
        doc.insert(QStringLiteral("grant_types_supported"),
                   QJsonArray{QStringLiteral("password"), QStringLiteral("refresh_token")});
        doc.insert(QStringLiteral("token_endpoint_auth_methods_supported"),
                   QJsonArray{QStringLiteral("none")});
        doc.insert(QStringLiteral("response_types_supported"), QJsonArray{});
        doc.insert(QStringLiteral("subject_types_supported"), QJsonArray{QStringLiteral("public")});
        doc.insert(QStringLiteral("token_signing_alg_values_supported"),
                   QJsonArray{QStringLiteral("ES256"), QStringLiteral("EdDSA")});
        doc.insert(QStringLiteral("claims_supported"),
                   QJsonArray::fromStringList({QStringLiteral("iss"), QStringLiteral("sub"),
                                               QStringLiteral("aud"), QStringLiteral("exp"),
                                               QStringLiteral("iat"), QStringLiteral("jti"),
                                               QStringLiteral("tid"), QStringLiteral("roles"),
                                               QStringLiteral("amr"), QStringLiteral("act")}));
        ApiResult r = ApiResult::json(doc);
        r.withHeader("Cache-Control", "public, max-age=300");
        return r;
    });

    router.add("GET", QStringLiteral("/.well-known/jwks.json"), [](ApiRequest &request) {
        ServerContext *server = request.worker->server();
        int retry = 0;
        if (QSqlDatabase *db = request.worker->database().acquire(&retry))
            server->keys->refresh(*db, 60000);
        const auto keys = server->keys->keys();
        if (!keys)
            return unavailable();
        QJsonArray list;
        for (const SigningKey &k : keys->published)
            list.append(k.jwksEntry());
        ApiResult r = ApiResult::json(QJsonObject{{QStringLiteral("keys"), list}});
        r.contentType = "application/jwk-set+json";
        r.withHeader("Cache-Control", "public, max-age=60");
        return r;
    });

    router.add("POST", QStringLiteral("/v1/auth/token"), [](ApiRequest &request) {
        if (request.body.size() > 16 * 1024)
            return ApiResult::fromError(
                ApiError(ErrorCode::PayloadTooLarge, QStringLiteral("At most 16 KiB.")));
        ApiResult error;
        const auto params = parseParams(request, &error);
        if (!params)
            return error;
        int retryAfter = 1;
        QSqlDatabase *db = request.worker->database().acquire(&retryAfter);
        if (!db)
            return unavailable(retryAfter);
        TokenService &tokens = *request.worker->server()->tokens;
        const QString grant = params->value(QStringLiteral("grant_type"));
        TokenService::Result r;
        if (grant == u"password") {
            r = tokens.passwordGrant(*db, params->value(QStringLiteral("tenant")),
                                     params->value(QStringLiteral("username")),
                                     params->value(QStringLiteral("password")),
                                     params->value(QStringLiteral("totp")),
                                     request.remoteAddress.toString());
        } else if (grant == u"refresh_token") {
            r = tokens.refreshGrant(*db, params->value(QStringLiteral("refresh_token")));
        } else {
            return oauthError(grant.isEmpty() ? ErrorCode::InvalidRequest
                                              : ErrorCode::UnsupportedGrantType,
                              QStringLiteral("Use grant_type password or refresh_token."));
        }
        if (r.error == TokenService::Error::Unavailable)
            request.worker->database().reportError(db->lastError());
        if (!r.tokens)
            return grantFailure(r);
        request.tenantId = r.tokens->tenantId;
        return tokenResponse(*r.tokens);
    });

    router.add("POST", QStringLiteral("/v1/auth/revoke"), [](ApiRequest &request) {
        if (request.body.size() > 16 * 1024)
            return ApiResult::fromError(
                ApiError(ErrorCode::PayloadTooLarge, QStringLiteral("At most 16 KiB.")));
        ApiResult error;
        const auto params = parseParams(request, &error);
        if (!params)
            return error;
        int retryAfter = 1;
        QSqlDatabase *db = request.worker->database().acquire(&retryAfter);
        if (!db)
            return unavailable(retryAfter);
        if (request.worker->server()->tokens->revoke(*db, params->value(QStringLiteral("token"))) ==
            TokenService::Error::Unavailable)
            return unavailable();
        // RFC 7009 §2.2: 200 whether or not the token was known.
        return ApiResult::json(QJsonObject{});
    });

    router.add(
        "GET", QStringLiteral("/v1/{tenantId}/users/me"),
        authenticated(
            [](ApiRequest &request, const Principal &p) {
                if (!p.actor.isEmpty()) {
                    // A support session: the caller is an operator acting in this tenant, not a
                    // member of it.
                    return ApiResult::json(QJsonObject{
                        {QStringLiteral("id"), p.userId},
                        {QStringLiteral("roles"), QJsonArray::fromStringList(p.roles)},
                        {QStringLiteral("permissions"),
                         QJsonArray::fromStringList(t_call->permissions)},
                        {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), p.actor}}},
                        {QStringLiteral("support_session"), p.sessionId},
                        {QStringLiteral("tenant"),
                         QJsonObject{
                             {QStringLiteral("id"), p.tenant.id.toString(QUuid::WithoutBraces)},
                             {QStringLiteral("slug"), p.tenant.slug},
                             {QStringLiteral("name"), p.tenant.name},
                             {QStringLiteral("tier"), p.tenant.tier}}}});
                }
                auto r = inTenant(
                    request, p, true,
                    [&](QSqlDatabase &db, const QString &schema,
                        QString *error) -> std::optional<ApiResult> {
                        QSqlQuery q(db);
                        if (!sql::exec(q,
                                       QStringLiteral(
                                           "SELECT id::text, email::text, name, role, mfa_enabled, "
                                           "locale, created_at FROM %1.users WHERE id = ?::uuid")
                                           .arg(schema),
                                       {p.userId}, error))
                            return std::nullopt;
                        if (!q.next())
                            return ApiResult::fromError(
                                ApiError(ErrorCode::Unauthorized,
                                         QStringLiteral("This account no longer exists.")));
                        QJsonObject me{
                            {QStringLiteral("permissions"),
                             QJsonArray::fromStringList(t_call->permissions)},
                            {QStringLiteral("id"), q.value(0).toString()},
                            {QStringLiteral("email"), q.value(1).toString()},
                            {QStringLiteral("name"), q.value(2).toString()},
                            {QStringLiteral("roles"), QJsonArray{q.value(3).toString()}},
                            {QStringLiteral("mfa_enabled"), q.value(4).toBool()},
                            {QStringLiteral("locale"), q.value(5).toString()},
                            {QStringLiteral("created_at"),
                             q.value(6).toDateTime().toUTC().toString(Qt::ISODateWithMs)},
                            {QStringLiteral("amr"), QJsonArray::fromStringList(p.amr)},
                            {QStringLiteral("mfa_enrollment_required"), p.enrollmentOnly},
                            {QStringLiteral("tenant"),
                             QJsonObject{
                                 {QStringLiteral("id"), p.tenant.id.toString(QUuid::WithoutBraces)},
                                 {QStringLiteral("slug"), p.tenant.slug},
                                 {QStringLiteral("name"), p.tenant.name},
                                 {QStringLiteral("tier"), p.tenant.tier}}}};
                        if (!p.actor.isEmpty())
                            me.insert(QStringLiteral("act"),
                                      QJsonObject{{QStringLiteral("sub"), p.actor}});
                        return ApiResult::json(me);
                    });
                return *r;
            },
            true));

    // TOTP enrolment, step 1: a new secret (sealed at rest) and the otpauth:// URI for a QR code.
    router.add(
        "POST", QStringLiteral("/v1/{tenantId}/users/me/mfa/totp"),
        authenticated(
            [](ApiRequest &request, const Principal &p) {
                const QByteArray secret = Totp::newSecret();
                const QByteArray sealed = request.worker->server()->secrets->encrypt(
                    secret, "tenantry.totp:" + p.userId.toLatin1());
                QString email;
                auto r = inTenant(
                    request, p, false,
                    [&](QSqlDatabase &db, const QString &schema,
                        QString *error) -> std::optional<ApiResult> {
                        QSqlQuery q(db);
                        if (!sql::exec(
                                q,
                                QStringLiteral(
                                    "UPDATE %1.users SET totp_secret = ?, updated_at = now() "
                                    "WHERE id = ?::uuid AND NOT mfa_enabled RETURNING email::text")
                                    .arg(schema),
                                {sealed, p.userId}, error))
                            return std::nullopt;
                        if (!q.next())
                            return ApiResult::fromError(ApiError(
                                ErrorCode::Conflict,
                                QStringLiteral("Two-factor authentication is already enabled.")));
                        email = q.value(0).toString();
                        return ApiResult::json(
                            QJsonObject{
                                {QStringLiteral("secret"), Totp::base32(secret)},
                                {QStringLiteral("otpauth_uri"),
                                 Totp::provisioningUri(
                                     secret, QStringLiteral("Tenantry ") + p.tenant.name, email)}},
                            201);
                    });
                ApiResult out = *r;
                out.withHeader("Cache-Control", "no-store");
                return out;
            },
            true, true));

    // Step 2: prove the app works with one code; MFA is on and recovery codes are shown once.
    router.add(
        "POST", QStringLiteral("/v1/{tenantId}/users/me/mfa/totp/verify"),
        authenticated(
            [](ApiRequest &request, const Principal &p) {
                QString parseError;
                const auto body = StrictJson::parseObject(request.body, &parseError);
                if (!body)
                    return ApiResult::fromError(ApiError(ErrorCode::MalformedJson, parseError));
                const QString code = body->value(QStringLiteral("code")).toString();
                if (body->size() != 1 || code.isEmpty())
                    return ApiResult::fromError(
                        ApiError(ErrorCode::ValidationFailed,
                                 QStringLiteral("Send {\"code\": \"123456\"}.")));
                const QStringList codes = Totp::newRecoveryCodes();
                auto r = inTenant(
                    request, p, false,
                    [&](QSqlDatabase &db, const QString &schema,
                        QString *error) -> std::optional<ApiResult> {
                        QSqlQuery q(db);
                        if (!sql::exec(
                                q,
                                QStringLiteral(
                                    "SELECT totp_secret, mfa_enabled FROM %1.users WHERE id = "
                                    "?::uuid FOR UPDATE")
                                    .arg(schema),
                                {p.userId}, error))
                            return std::nullopt;
                        if (!q.next() || q.value(1).toBool() || q.value(0).isNull())
                            return ApiResult::fromError(ApiError(
                                ErrorCode::Conflict,
                                QStringLiteral("Start enrolment first, or MFA is already on.")));
                        const auto secret = request.worker->server()->secrets->decrypt(
                            q.value(0).toByteArray(), "tenantry.totp:" + p.userId.toLatin1());
                        const auto step =
                            secret ? Totp::verify(*secret, code, QDateTime::currentSecsSinceEpoch())
                                   : std::nullopt;
                        if (!step)
                            return ApiResult::fromError(
                                ApiError(ErrorCode::ValidationFailed,
                                         QStringLiteral("That code is not valid.")));
                        q.finish();
                        QSqlQuery upd(db);
                        if (!sql::exec(
                                upd,
                                QStringLiteral(
                                    "UPDATE %1.users SET mfa_enabled = true, last_totp_step = ?, "
                                    "updated_at = now() WHERE id = ?::uuid")
                                    .arg(schema),
                                {*step, p.userId}, error) ||
                            !sql::exec(upd,
                                       QStringLiteral(
                                           "DELETE FROM %1.recovery_codes WHERE user_id = ?::uuid")
                                           .arg(schema),
                                       {p.userId}, error))
                            return std::nullopt;
                        for (const QString &c : codes) {
                            if (!sql::exec(
                                    upd,
                                    QStringLiteral(
                                        "INSERT INTO %1.recovery_codes (user_id, code_hash) VALUES "
                                        "(?::uuid, ?)")
                                        .arg(schema),
                                    {p.userId, Totp::recoveryCodeHash(c)}, error))
                                return std::nullopt;
                        }
                        return ApiResult::json(QJsonObject{
                            {QStringLiteral("mfa_enabled"), true},
                            {QStringLiteral("recovery_codes"), QJsonArray::fromStringList(codes)}});
                    });
                ApiResult out = *r;
                out.withHeader("Cache-Control", "no-store");
                return out;
            },
            true, true));
}

} // namespace tenantry
