// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/TenantPipeline.h"

#include "core/Metrics.h"
#include "core/RateLimiter.h"
#include "core/RbacPolicy.h"
#include "core/SqlSupport.h"
#include "core/StrictJson.h"
#include "core/StructuredLog.h"
#include "http/ServerContext.h"
#include "http/WorkerContext.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

#include <cstring>

namespace tenantry {

Q_LOGGING_CATEGORY(lcPipeline, "tenantry.http.pipeline")

TenantCall::TenantCall(ApiRequest &r, const Principal &p, QSqlDatabase &d, QString s,
                       QStringList ro, QStringList pe, QJsonObject b)
    : request(r)
    , principal(p)
    , db(d)
    , schema(std::move(s))
    , roles(std::move(ro))
    , permissions(std::move(pe))
    , body(std::move(b)) {}

QSqlQuery *TenantCall::exec(const QString &statement, std::initializer_list<QVariant> params) {
    QSqlQuery *q = request.worker->database().prepared(statement, &m_error);
    if (!q) {
        m_failed = true;
        return nullptr;
    }
    for (const QVariant &p : params)
        q->addBindValue(p);
    if (!q->exec()) {
        m_error = q->lastError().databaseText();
        m_failed = true;
        return nullptr;
    }
    return q;
}

QString TenantCall::actorId() const {
    return principal.userId;
}

bool TenantCall::audit(const QString &action, const QString &resource, const QJsonObject &data) {
    AuditEvent e;
    e.actor = principal.userId;
    e.act = principal.actor;
    e.action = action;
    e.resource = resource;
    e.ip = request.remoteAddress.toString();
    e.traceId = QString::fromLatin1(request.trace.traceId);
    e.data = data;
    const auto st = AuditLog::statement(principal.tenant.id, e, &m_error);
    if (!st) {
        m_failed = true;
        return false;
    }
    QSqlQuery *q = request.worker->database().prepared(st->sql, &m_error);
    if (!q) {
        m_failed = true;
        return false;
    }
    for (const QVariant &v : st->params)
        q->addBindValue(v);
    if (!q->exec() || !q->next()) {
        m_error = q->lastError().databaseText();
        m_failed = true;
        return false;
    }
    m_lastEvent = AuditLog::Appended{q->value(0).toLongLong(), st->id, q->value(1).toByteArray()};
    return true;
}

ApiResult TenantCall::failed(const QString &error) {
    m_failed = true;
    qCWarning(lcPipeline).noquote()
        << "database error in" << request.routeTemplate << ":" << error.left(300);
    return ApiResult::fromError(
        ApiError(ErrorCode::Internal, QStringLiteral("An internal error occurred.")));
}

namespace {

RateLimiter &limiter() {
    static RateLimiter instance;
    return instance;
}

RateLimiter::Policy tenantPolicy(const Tenant &t) {
    RateLimiter::Policy p;
    if (t.tier == u"enterprise") {
        p.ratePerSecond = 1000;
        p.burst = 2000;
    }
    if (t.rateLimitRps > 0)
        p.ratePerSecond = t.rateLimitRps;
    if (t.rateLimitBurst > 0)
        p.burst = t.rateLimitBurst;
    return p;
}

// Checks the tenant's bucket and the caller's; annotates `headers` with the tighter state.
std::optional<ApiError> rateLimit(const Principal &p,
                                  QList<QPair<QByteArray, QByteArray>> *headers) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const RateLimiter::Policy tenant = tenantPolicy(p.tenant);
    // One client may use half of its tenant's budget, so a single runaway script cannot starve
    // the rest of the tenant.
    const RateLimiter::Policy client{tenant.ratePerSecond / 2, std::max(1.0, tenant.burst / 2)};
    const QString tid = p.tenant.id.toString(QUuid::WithoutBraces);
    const auto t = limiter().take(QStringLiteral("t:") + tid, tenant, now);
    const auto c = limiter().take(QStringLiteral("c:") + tid + u':' + p.userId, client, now);
    const bool clientTighter = c.remaining < t.remaining || !c.allowed;
    const auto &d = clientTighter ? c : t;
    const QString name = clientTighter ? QStringLiteral("client") : QStringLiteral("tenant");
    headers->append(
        {"RateLimit-Policy", RateLimiter::policyHeader(name, clientTighter ? client : tenant)});
    headers->append({"RateLimit", RateLimiter::stateHeader(name, d)});
    if (t.allowed && c.allowed)
        return std::nullopt;
    Metrics::instance().incrementCounter(
        QStringLiteral("tenantry_rate_limited_total"),
        {{QStringLiteral("tenant"), tid}, {QStringLiteral("scope"), name}});
    const int retry =
        std::max(t.allowed ? 0 : t.retryAfterSeconds, c.allowed ? 0 : c.retryAfterSeconds);
    return ApiError(ErrorCode::RateLimited,
                    QStringLiteral("Rate limit exceeded for this %1.").arg(name))
        .withHeader("Retry-After", QByteArray::number(std::max(1, retry)));
}

bool validIdempotencyKey(const QByteArray &key) {
    if (key.isEmpty() || key.size() > 255)
        return false;
    for (char c : key) {
        if (c < 0x21 || c > 0x7e)
            return false;
    }
    return true;
}

ApiResult withHeaders(ApiResult r, const QList<QPair<QByteArray, QByteArray>> &headers) {
    for (const auto &h : headers)
        r.headers.append(h);
    return r;
}

} // namespace

Router::Handler tenantRoute(RouteSpec spec, TenantHandler handler) {
    return [spec, handler = std::move(handler)](ApiRequest &request) -> ApiResult {
        // 1-3. authenticate, bind the tenant, check its status.
        auto outcome = Authenticator::authenticate(request);
        if (auto *error = std::get_if<ApiError>(&outcome))
            return ApiResult::fromError(*error);
        const Principal &p = std::get<Principal>(outcome);
        if (p.enrollmentOnly && !spec.allowDuringEnrollment)
            return ApiResult::fromError(
                ApiError(ErrorCode::Forbidden,
                         QStringLiteral("This tenant requires two-factor authentication: "
                                        "enrol a second factor first.")));
        // 4. rate limit (before any database work).
        QList<QPair<QByteArray, QByteArray>> headers;
        if (auto limited = rateLimit(p, &headers))
            return withHeaders(ApiResult::fromError(*limited), headers);

        // 5. body: strict JSON object, UTF-8, no duplicate keys.
        QJsonObject body;
        if (spec.jsonBody) {
            const QByteArray type =
                request.header("content-type").split(';').value(0).trimmed().toLower();
            if (type != "application/json")
                return withHeaders(
                    ApiResult::fromError(ApiError(ErrorCode::UnsupportedMediaType,
                                                  QStringLiteral("Send application/json."))),
                    headers);
            QString parseError;
            auto parsed = StrictJson::parseObject(request.body, &parseError);
            if (!parsed)
                return withHeaders(
                    ApiResult::fromError(ApiError(ErrorCode::MalformedJson, parseError)), headers);
            body = *parsed;
        }
        const QByteArray idemKey = request.header("idempotency-key");
        const bool idempotent =
            request.hasHeader("idempotency-key") &&
            (request.method == "POST" || request.method == "PUT" || request.method == "PATCH");
        if (idempotent && !validIdempotencyKey(idemKey))
            return withHeaders(
                ApiResult::fromError(ApiError(ErrorCode::BadRequest,
                                              QStringLiteral("Idempotency-Key must be 1 to 255 "
                                                             "visible ASCII characters."))),
                headers);

        int retryAfter = 1;
        WorkerContext *worker = request.worker;
        QSqlDatabase *db = worker->database().acquire(&retryAfter);
        if (!db)
            return withHeaders(ApiResult::fromError(
                                   ApiError(ErrorCode::Unavailable,
                                            QStringLiteral("The database is not reachable."))
                                       .withHeader("Retry-After", QByteArray::number(retryAfter))),
                               headers);
        const QString tid = p.tenant.id.toString(QUuid::WithoutBraces);
        const QString schema = sql::quoteIdent(p.tenant.schema);
        const bool support = !p.actor.isEmpty();
        const QString caller = support ? p.userId + u'/' + p.sessionId : p.userId;
        const QByteArray requestHash = QCryptographicHash::hash(
            QByteArray(request.method + ' ' + request.rawPath + '\n' + request.body),
            QCryptographicHash::Sha256);

        // 6. Open the transaction, then one statement sets the tenant context (set_config(...,
        // true): transaction-local, never a session SET), the read-only mode, takes the
        // idempotency lock and reads the caller's current role. Roles come from the database,
        // not the token, so a demoted or removed member loses access at once. (QPSQL returns the
        // first result of a multi-statement batch, so BEGIN cannot ride along: two round trips.)
        qint64 lockKey = 0;
        if (idempotent) {
            const QByteArray h = QCryptographicHash::hash(
                QString(tid + u'/' + caller + u'/' + QString::fromLatin1(idemKey)).toUtf8(),
                QCryptographicHash::Sha256);
            std::memcpy(&lockKey, h.constData(), sizeof lockKey);
        }
        QString statement =
            QStringLiteral("SELECT set_config('app.current_tenant', ?, true), "
                           "CASE WHEN ? THEN set_config('transaction_read_only', 'on', true) END, "
                           "CASE WHEN ? THEN pg_try_advisory_xact_lock(?) ELSE true END");
        if (support)
            statement += QStringLiteral(", 'support', 'active'");
        else
            statement += QStringLiteral(", u.role, u.status FROM %1.users u WHERE u.id = ?::uuid")
                             .arg(schema);
        bool committed = false;
        bool begun = false;
        auto rollback = qScopeGuard([&] {
            if (begun && !committed)
                db->rollback();
        });
        auto dbError = [&](const QSqlError &e) {
            worker->database().reportError(e);
            if (sql::isConnectionError(e))
                return withHeaders(
                    ApiResult::fromError(ApiError(ErrorCode::Unavailable,
                                                  QStringLiteral("The database is not reachable."))
                                             .withHeader("Retry-After", "1")),
                    headers);
            qCWarning(lcPipeline).noquote() << "database error:" << e.databaseText().left(300);
            return withHeaders(
                ApiResult::fromError(
                    ApiError(ErrorCode::Internal, QStringLiteral("An internal error occurred."))),
                headers);
        };
        if (!db->transaction())
            return dbError(db->lastError());
        begun = true;
        QSqlQuery *firstQuery = worker->database().prepared(statement, nullptr);
        if (!firstQuery)
            return dbError(db->lastError());
        QSqlQuery &first = *firstQuery;
        first.addBindValue(tid);
        first.addBindValue(!spec.write);
        first.addBindValue(idempotent);
        first.addBindValue(lockKey);
        if (!support)
            first.addBindValue(p.userId);
        if (!first.exec())
            return dbError(first.lastError());
        const int base = 2;
        if (!first.next() || first.value(base + 2).toString() != u"active")
            return ApiResult::fromError(
                ApiError(ErrorCode::Unauthorized,
                         QStringLiteral("The access token is missing, invalid or expired."))
                    .withHeader("WWW-Authenticate", "Bearer realm=\"tenantry\""));
        if (idempotent && !first.value(base).toBool())
            return withHeaders(
                ApiResult::fromError(ApiError(ErrorCode::Conflict,
                                              QStringLiteral("A request with this Idempotency-Key "
                                                             "is still being processed."))),
                headers);
        const QStringList roles{first.value(base + 1).toString()};
        first.finish();

        // 7. RBAC, as data. Tenant-defined roles are looked up only when needed.
        const RbacPolicy &policy = RbacPolicy::builtIn();
        QHash<QString, QStringList> custom;
        if (!policy.isBuiltInRole(roles.first())) {
            QSqlQuery cr(*db);
            if (!sql::exec(
                    cr,
                    QStringLiteral("SELECT permissions FROM %1.roles WHERE name = ?").arg(schema),
                    {roles.first()}, nullptr))
                return dbError(cr.lastError());
            if (cr.next()) {
                QString text = cr.value(0).toString(); // {a,b}
                text.remove(u'{').remove(u'}').remove(u'"');
                custom.insert(roles.first(), text.split(u',', Qt::SkipEmptyParts));
            }
        }
        const QStringList permissions = policy.permissionsFor(roles, custom);
        if (!spec.permission.isEmpty() && !permissions.contains(spec.permission)) {
            rollback.dismiss();
            db->rollback();
            // Failed authorisation attempts are part of the tenant's audit trail.
            QString auditError;
            if (db->transaction()) {
                QSqlQuery ctx(*db);
                AuditEvent e;
                e.actor = p.userId;
                e.act = p.actor;
                e.action = QStringLiteral("authz.denied");
                e.resource = request.routeTemplate;
                e.ip = request.remoteAddress.toString();
                e.traceId = QString::fromLatin1(request.trace.traceId);
                e.data =
                    QJsonObject{{QStringLiteral("permission"), spec.permission},
                                {QStringLiteral("method"), QString::fromLatin1(request.method)}};
                if (sql::exec(ctx,
                              QStringLiteral("SELECT set_config('app.current_tenant', ?, true)"),
                              {tid}, &auditError) &&
                    AuditLog::append(*db, p.tenant.id, e, &auditError))
                    db->commit();
                else
                    db->rollback();
            }
            return withHeaders(
                ApiResult::fromError(
                    ApiError(ErrorCode::Forbidden,
                             QStringLiteral("This needs the %1 permission.").arg(spec.permission))),
                headers);
        }

        // 8. Idempotency: replay, refuse a reused key, or run and record.
        if (idempotent) {
            QSqlQuery *found = worker->database().prepared(
                QStringLiteral(
                    "SELECT request_hash, status, content_type, response_body, headers::text, "
                    "created_at > now() - interval '24 hours' FROM %1.idempotency_keys "
                    "WHERE caller = ? AND key = ?")
                    .arg(schema),
                nullptr);
            if (!found)
                return dbError(db->lastError());
            QSqlQuery &prior = *found;
            prior.addBindValue(caller);
            prior.addBindValue(QString::fromLatin1(idemKey));
            if (!prior.exec())
                return dbError(prior.lastError());
            if (prior.next()) {
                if (prior.value(5).toBool()) {
                    if (prior.value(0).toByteArray() != requestHash)
                        return withHeaders(
                            ApiResult::fromError(ApiError(
                                ErrorCode::IdempotencyKeyReused,
                                QStringLiteral("This Idempotency-Key was used for a different "
                                               "request."))),
                            headers);
                    ApiResult replay;
                    replay.status = prior.value(1).toInt();
                    replay.contentType = prior.value(2).toString().toLatin1();
                    replay.body = prior.value(3).toByteArray();
                    const QJsonObject stored =
                        QJsonDocument::fromJson(prior.value(4).toString().toUtf8()).object();
                    for (auto it = stored.begin(); it != stored.end(); ++it)
                        replay.withHeader(it.key().toLatin1(), it.value().toString().toLatin1());
                    replay.withHeader("Idempotent-Replayed", "true");
                    return withHeaders(replay, headers);
                }
                // Expired: forget it and run as new.
                QSqlQuery del(*db);
                if (!sql::exec(del,
                               QStringLiteral(
                                   "DELETE FROM %1.idempotency_keys WHERE caller = ? AND key = ?")
                                   .arg(schema),
                               {caller, QString::fromLatin1(idemKey)}, nullptr))
                    return dbError(del.lastError());
            }
        }

        // 9. The handler, in this transaction.
        TenantCall call(request, p, *db, schema, roles, permissions, body);
        ApiResult result = handler(call);
        if (call.hasFailed())
            return dbError(db->lastError());
        if (result.status >= 400)
            return withHeaders(result, headers); // rolled back: errors change nothing

        if (idempotent) {
            QJsonObject stored;
            for (const auto &[name, value] : result.headers) {
                if (name.toLower() == "location" || name.toLower() == "etag")
                    stored.insert(QString::fromLatin1(name), QString::fromLatin1(value));
            }
            TenantCall recorder(request, p, *db, schema, roles, permissions, {});
            if (!recorder.exec(
                    QStringLiteral(
                        "INSERT INTO %1.idempotency_keys (caller, key, request_hash, status, "
                        "content_type, response_body, headers) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)")
                        .arg(schema),
                    {caller, QString::fromLatin1(idemKey), requestHash, result.status,
                     QString::fromLatin1(result.contentType), result.body,
                     QString::fromUtf8(QJsonDocument(stored).toJson(QJsonDocument::Compact))}))
                return dbError(db->lastError());
            // Keys live 24 h; now and then (1 request in 64) sweep this caller's expired ones so
            // the table does not grow without bound.
            if ((requestHash.at(0) & 0x3f) == 0 &&
                !recorder.exec(
                    QStringLiteral("DELETE FROM %1.idempotency_keys WHERE caller = ? AND "
                                   "created_at < now() - interval '24 hours'")
                        .arg(schema),
                    {caller}))
                return dbError(db->lastError());
        }
        if (!db->commit())
            return dbError(db->lastError());
        committed = true;
        return withHeaders(result, headers);
    };
}

} // namespace tenantry
