// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/Authenticator.h"

#include "core/StructuredLog.h"
#include "core/TenantRegistry.h"
#include "http/ServerContext.h"
#include "http/WorkerContext.h"

#include <QJsonArray>

namespace tenantry {

Q_LOGGING_CATEGORY(lcAuthn, "tenantry.http.auth")

namespace {

ApiError unauthorized() {
    return ApiError(ErrorCode::Unauthorized,
                    QStringLiteral("The access token is missing, invalid or expired."))
        .withHeader("WWW-Authenticate", "Bearer realm=\"tenantry\", error=\"invalid_token\"");
}

void securityLog(const ApiRequest &request, const QString &reason) {
    StructuredLog::write(
        lcAuthn(), QtWarningMsg, QStringLiteral("authentication failed"),
        {{QStringLiteral("reason"), reason},
         {QStringLiteral("route"), request.routeTemplate},
         {QStringLiteral("remote"), request.remoteAddress.toString()},
         {QStringLiteral("trace_id"), QString::fromLatin1(request.trace.traceId)}});
}

} // namespace

std::variant<Principal, ApiError> Authenticator::authenticate(ApiRequest &request) {
    if (request.query.hasQueryItem(QStringLiteral("access_token"))) {
        securityLog(request, QStringLiteral("token in query string"));
        return unauthorized();
    }
    const QByteArray header = request.header("authorization");
    if (header.size() < 8 || header.left(7).toLower() != "bearer ") {
        securityLog(request, QStringLiteral("no bearer token"));
        return unauthorized();
    }
    const QByteArray token = header.mid(7).trimmed();
    WorkerContext *worker = request.worker;
    const TokenVerifier *verifier = worker ? worker->verifier() : nullptr;
    if (!verifier)
        return ApiError(ErrorCode::Unavailable,
                        QStringLiteral("Authentication is not available right now."))
            .withHeader("Retry-After", "1");
    TokenVerifier::Failure failure = TokenVerifier::Failure::None;
    // A token this worker verified before skips the signature check (about a sixth of the
    // request's CPU); the cache never serves a token past its exp.
    std::optional<QJsonObject> claims = worker->cachedClaims(token);
    if (!claims)
        claims = verifier->verify(token, &failure);
    if (!claims && failure == TokenVerifier::Failure::UnknownKeyId) {
        // Another process may have rotated keys: reload (rate-limited: made-up kids must not
        // turn into one database query each) and try once more.
        int retry = 0;
        if (QSqlDatabase *db = worker->database().acquire(&retry))
            worker->server()->keys->refresh(*db, 60000, true);
        verifier = worker->verifier();
        claims = verifier->verify(token, &failure);
    }
    if (!claims) {
        securityLog(request, TokenVerifier::failureName(failure));
        return unauthorized();
    }
    worker->cacheClaims(token, *claims);
    const QString tid = claims->value(QStringLiteral("tid")).toString();
    const QString pathTenant = request.params.value(QStringLiteral("tenantId"));
    const QByteArray headerTenant = request.header("x-tenant-id");
    if (tid != pathTenant ||
        (!headerTenant.isEmpty() && QString::fromLatin1(headerTenant) != tid)) {
        securityLog(request, QStringLiteral("tenant mismatch"));
        return ApiError(
            ErrorCode::TenantMismatch,
            QStringLiteral("The tenant in the path, the token and X-Tenant-ID must agree."));
    }
    const QUuid tenantId = QUuid::fromString(tid);
    std::optional<Tenant> tenant = worker->cachedTenant(tenantId);
    if (!tenant) {
        int retryAfter = 1;
        QSqlDatabase *db = worker->database().acquire(&retryAfter);
        if (!db)
            return ApiError(ErrorCode::Unavailable,
                            QStringLiteral("The database is not reachable."))
                .withHeader("Retry-After", QByteArray::number(retryAfter));
        QString error;
        tenant = TenantRegistry(*db).findById(tenantId, &error);
        if (!error.isEmpty()) {
            worker->database().reportError(db->lastError());
            return ApiError(ErrorCode::Unavailable,
                            QStringLiteral("The database is not reachable."))
                .withHeader("Retry-After", "1");
        }
        if (tenant)
            worker->cacheTenant(*tenant);
    }
    if (!tenant || tenant->status == u"offboarded") {
        securityLog(request, QStringLiteral("unknown or offboarded tenant"));
        return unauthorized();
    }
    if (tenant->status != u"active")
        return ApiError(ErrorCode::TenantLocked,
                        QStringLiteral("This tenant is %1.").arg(tenant->status));
    Principal p;
    p.userId = claims->value(QStringLiteral("sub")).toString();
    p.tenant = *tenant;
    for (const QJsonValue &v : claims->value(QStringLiteral("roles")).toArray())
        p.roles << v.toString();
    for (const QJsonValue &v : claims->value(QStringLiteral("amr")).toArray())
        p.amr << v.toString();
    p.sessionId = claims->value(QStringLiteral("sid")).toString();
    p.actor =
        claims->value(QStringLiteral("act")).toObject().value(QStringLiteral("sub")).toString();
    p.enrollmentOnly = claims->value(QStringLiteral("mfa_enrollment_required")).toBool();
    request.tenantId = tid;
    return p;
}

} // namespace tenantry
