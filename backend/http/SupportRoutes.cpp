// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/SupportRoutes.h"

#include "core/StrictJson.h"
#include "core/StructuredLog.h"
#include "http/ServerContext.h"
#include "http/WorkerContext.h"

namespace tenantry {

Q_LOGGING_CATEGORY(lcSupport, "tenantry.support")

void SupportRoutes::registerOn(Router &router) {
    router.add("POST", QStringLiteral("/v1/support/sessions"), [](ApiRequest &request) {
        if (request.header("content-type").split(';').value(0).trimmed().toLower() !=
            "application/json")
            return ApiResult::fromError(ApiError(ErrorCode::UnsupportedMediaType,
                                                 QStringLiteral("Send application/json.")));
        if (request.body.size() > 16 * 1024)
            return ApiResult::fromError(
                ApiError(ErrorCode::PayloadTooLarge, QStringLiteral("At most 16 KiB.")));
        QString parseError;
        const auto body = StrictJson::parseObject(request.body, &parseError);
        if (!body)
            return ApiResult::fromError(ApiError(ErrorCode::MalformedJson, parseError));
        static const QStringList known{QStringLiteral("email"), QStringLiteral("password"),
                                       QStringLiteral("tenant"), QStringLiteral("reason"),
                                       QStringLiteral("duration_minutes")};
        for (auto it = body->begin(); it != body->end(); ++it) {
            if (!known.contains(it.key()))
                return ApiResult::fromError(
                    ApiError(ErrorCode::ValidationFailed,
                             QStringLiteral("Unknown field %1.").arg(it.key().left(40))));
            if (it.key() == u"duration_minutes" ? !it.value().isDouble() : !it.value().isString())
                return ApiResult::fromError(
                    ApiError(ErrorCode::ValidationFailed,
                             QStringLiteral("Field %1 has the wrong type.").arg(it.key())));
        }
        const double minutes = body->value(QStringLiteral("duration_minutes")).toDouble(30);
        if (minutes != double(int(minutes)) || minutes < 1 ||
            minutes > SupportSessions::kMaxMinutes)
            return ApiResult::fromError(
                ApiError(ErrorCode::ValidationFailed,
                         QStringLiteral("duration_minutes must be a whole number from 1 to %1.")
                             .arg(SupportSessions::kMaxMinutes)));
        int retryAfter = 1;
        QSqlDatabase *db = request.worker->database().acquire(&retryAfter);
        if (!db)
            return ApiResult::fromError(
                ApiError(ErrorCode::Unavailable, QStringLiteral("The database is not reachable."))
                    .withHeader("Retry-After", QByteArray::number(retryAfter)));
        const auto r = request.worker->server()->support->start(
            *db, body->value(QStringLiteral("email")).toString(),
            body->value(QStringLiteral("password")).toString(),
            body->value(QStringLiteral("tenant")).toString(),
            body->value(QStringLiteral("reason")).toString(), int(minutes),
            request.remoteAddress.toString());
        switch (r.error) {
        case SupportSessions::Error::None:
            break;
        case SupportSessions::Error::InvalidRequest:
            return ApiResult::fromError(
                ApiError(ErrorCode::ValidationFailed,
                         QStringLiteral("email, password, tenant and a reason (3 to 500 "
                                        "characters) are required.")));
        case SupportSessions::Error::InvalidGrant:
            return ApiResult::fromError(
                ApiError(ErrorCode::InvalidGrant,
                         QStringLiteral("The operator credentials are not correct.")));
        case SupportSessions::Error::Throttled:
            return ApiResult::fromError(
                ApiError(ErrorCode::RateLimited, QStringLiteral("Too many failed attempts."))
                    .withHeader("Retry-After", QByteArray::number(r.retryAfter)));
        case SupportSessions::Error::NotAllowed:
            return ApiResult::fromError(
                ApiError(ErrorCode::SupportAccessDenied,
                         QStringLiteral("This tenant does not allow support access.")));
        case SupportSessions::Error::Unavailable:
            request.worker->database().reportError(db->lastError());
            return ApiResult::fromError(
                ApiError(ErrorCode::Unavailable, QStringLiteral("Try again shortly."))
                    .withHeader("Retry-After", "1"));
        }
        const auto &s = *r.session;
        request.tenantId = s.tenantId;
        StructuredLog::write(
            lcSupport(), QtInfoMsg, QStringLiteral("support session started"),
            {{QStringLiteral("operator_id"), s.operatorId},
             {QStringLiteral("tenant_id"), s.tenantId},
             {QStringLiteral("session_id"), s.sessionId},
             {QStringLiteral("minutes"), int(minutes)},
             {QStringLiteral("trace_id"), QString::fromLatin1(request.trace.traceId)}});
        ApiResult out = ApiResult::json(
            QJsonObject{{QStringLiteral("access_token"), s.accessToken},
                        {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                        {QStringLiteral("expires_in"), s.expiresIn},
                        {QStringLiteral("expires_at"), s.expiresAt.toString(Qt::ISODate)},
                        {QStringLiteral("session_id"), s.sessionId},
                        {QStringLiteral("tenant_id"), s.tenantId}},
            201);
        out.withHeader("Cache-Control", "no-store");
        return out;
    });
}

} // namespace tenantry
