// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/TenantRoutes.h"

#include "core/Base64Url.h"
#include "core/RbacPolicy.h"
#include "core/SqlSupport.h"
#include "http/TenantPipeline.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>

namespace tenantry {

namespace {

ApiResult invalid(const QString &detail) {
    return ApiResult::fromError(ApiError(ErrorCode::ValidationFailed, detail));
}

ApiResult notFound(const QString &what) {
    return ApiResult::fromError(
        ApiError(ErrorCode::NotFound, QStringLiteral("No such %1.").arg(what)));
}

// Only the listed fields, each of the listed JSON type.
std::optional<ApiResult> onlyFields(const QJsonObject &body,
                                    const QHash<QString, QJsonValue::Type> &fields,
                                    const QStringList &required) {
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!fields.contains(it.key()))
            return invalid(QStringLiteral("Unknown field \"%1\".").arg(it.key().left(40)));
        if (it.value().type() != fields.value(it.key()))
            return invalid(QStringLiteral("Field \"%1\" has the wrong type.").arg(it.key()));
    }
    for (const QString &r : required) {
        if (!body.contains(r))
            return invalid(QStringLiteral("Field \"%1\" is required.").arg(r));
    }
    return std::nullopt;
}

std::optional<QString> cleanName(const QString &raw, int max, QString *problem) {
    const QString name = raw.trimmed();
    if (name.isEmpty() || name.size() > max) {
        *problem = QStringLiteral("name must be 1 to %1 characters.").arg(max);
        return std::nullopt;
    }
    for (const QChar c : name) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format ||
            c.category() == QChar::Other_Surrogate) {
            *problem = QStringLiteral("name must not contain control characters.");
            return std::nullopt;
        }
    }
    return name;
}

bool isUuid(const QString &s) {
    return s.size() == 36 && !QUuid::fromString(s).isNull();
}

QString iso(const QVariant &v) {
    return v.toDateTime().toUTC().toString(Qt::ISODateWithMs);
}

// Cursor pagination over (created_at, id): opaque to clients.
struct Page {
    int limit = 50;
    QString afterTime;
    QString afterId;
};

std::optional<Page> parsePage(const ApiRequest &request, ApiResult *error) {
    Page page;
    const QString limit = request.queryValue(QStringLiteral("limit"));
    if (!limit.isEmpty()) {
        bool ok = false;
        page.limit = limit.toInt(&ok);
        if (!ok || page.limit < 1 || page.limit > 100) {
            *error = invalid(QStringLiteral("limit must be between 1 and 100."));
            return std::nullopt;
        }
    }
    const QString cursor = request.queryValue(QStringLiteral("cursor"));
    if (!cursor.isEmpty()) {
        const auto raw = Base64Url::decode(cursor.toLatin1());
        const QStringList parts = raw ? QString::fromUtf8(*raw).split(u'|') : QStringList();
        bool micros = false;
        parts.value(0).toLongLong(&micros);
        if (parts.size() != 2 || !isUuid(parts.at(1)) || !micros) {
            *error = invalid(QStringLiteral("cursor is not valid."));
            return std::nullopt;
        }
        page.afterTime = parts.at(0);
        page.afterId = parts.at(1);
    }
    return page;
}

QString makeCursor(qint64 createdMicros, const QString &id) {
    return QString::fromLatin1(
        Base64Url::encode(QString(QString::number(createdMicros) + u'|' + id).toUtf8()));
}

const QString kAfterCursor = QStringLiteral("WHERE (created_at, id) > (timestamptz 'epoch' + "
                                            "?::bigint * interval '1 microsecond', ?::uuid) ");

QJsonObject projectJson(const QSqlQuery &q) {
    return {{QStringLiteral("id"), q.value(0).toString()},
            {QStringLiteral("name"), q.value(1).toString()},
            {QStringLiteral("owner_id"),
             q.value(2).isNull() ? QJsonValue() : QJsonValue(q.value(2).toString())},
            {QStringLiteral("created_at"), iso(q.value(3))},
            {QStringLiteral("updated_at"), iso(q.value(4))}};
}

// The last column is created_at in whole microseconds since the epoch: the cursor must carry the
// database's full precision, or the row on a page boundary comes back on the next page.
const QString kProjectColumns =
    QStringLiteral("id::text, name, owner_id::text, created_at, updated_at, "
                   "(extract(epoch FROM created_at) * 1000000)::bigint");

// One page of `table` ordered by (created_at, id). `columns` ends with created_at in
// microseconds (column `microsColumn`), which the cursor carries.
ApiResult listPage(TenantCall &call, const QString &table, const QString &columns, int microsColumn,
                   QJsonObject (*toJson)(const QSqlQuery &)) {
    ApiResult error;
    const auto page = parsePage(call.request, &error);
    if (!page)
        return error;
    const QString base = QStringLiteral("SELECT %1 FROM %2.%3 ").arg(columns, call.schema, table);
    auto rows =
        page->afterId.isEmpty()
            ? call.exec(base + QStringLiteral("ORDER BY created_at, id LIMIT ?"), {page->limit + 1})
            : call.exec(base + kAfterCursor + QStringLiteral("ORDER BY created_at, id LIMIT ?"),
                        {page->afterTime.toLongLong(), page->afterId, page->limit + 1});
    if (!rows)
        return call.failed(QString());
    QSqlQuery &q = *rows;
    QJsonArray items;
    QString next;
    qint64 lastMicros = 0;
    while (q.next()) {
        if (items.size() == page->limit) {
            next = makeCursor(lastMicros,
                              items.last().toObject().value(QStringLiteral("id")).toString());
            break;
        }
        items.append(toJson(q));
        lastMicros = q.value(microsColumn).toLongLong();
    }
    return ApiResult::json(QJsonObject{
        {QStringLiteral("items"), items},
        {QStringLiteral("next_cursor"), next.isEmpty() ? QJsonValue() : QJsonValue(next)}});
}

ApiResult listProjects(TenantCall &call) {
    return listPage(call, QStringLiteral("projects"), kProjectColumns, 5, projectJson);
}

ApiResult createProject(TenantCall &call) {
    if (auto bad = onlyFields(call.body, {{QStringLiteral("name"), QJsonValue::String}},
                              {QStringLiteral("name")}))
        return *bad;
    QString problem;
    const auto name = cleanName(call.body.value(QStringLiteral("name")).toString(), 100, &problem);
    if (!name)
        return invalid(problem);
    const bool isUser = call.principal.actor.isEmpty();
    auto inserted = call.exec(
        QStringLiteral("INSERT INTO %1.projects (name, owner_id) VALUES (?, ?::uuid) RETURNING %2")
            .arg(call.schema, kProjectColumns),
        {*name, isUser ? QVariant(call.principal.userId) : QVariant()});
    if (!inserted || !inserted->next())
        return call.failed(QString());
    QSqlQuery &q = *inserted;
    const QJsonObject project = projectJson(q);
    const QString id = project.value(QStringLiteral("id")).toString();
    if (!call.audit(QStringLiteral("project.create"), QStringLiteral("project/") + id,
                    {{QStringLiteral("name"), *name}}))
        return call.failed(QStringLiteral("audit"));
    ApiResult r = ApiResult::json(project, 201);
    r.withHeader("Location", QStringLiteral("/v1/%1/projects/%2")
                                 .arg(call.principal.tenant.id.toString(QUuid::WithoutBraces), id)
                                 .toLatin1());
    return r;
}

ApiResult getProject(TenantCall &call) {
    const QString id = call.request.params.value(QStringLiteral("id"));
    if (!isUuid(id))
        return notFound(QStringLiteral("project"));
    auto qOpt = call.exec(QStringLiteral("SELECT %1 FROM %2.projects WHERE id = ?::uuid")
                              .arg(kProjectColumns, call.schema),
                          {id});
    if (!qOpt)
        return call.failed(QString());
    QSqlQuery &q = *qOpt;
    if (!q.next())
        return notFound(QStringLiteral("project"));
    return ApiResult::json(projectJson(q));
}

ApiResult updateProject(TenantCall &call) {
    const QString id = call.request.params.value(QStringLiteral("id"));
    if (!isUuid(id))
        return notFound(QStringLiteral("project"));
    if (auto bad = onlyFields(call.body, {{QStringLiteral("name"), QJsonValue::String}},
                              {QStringLiteral("name")}))
        return *bad;
    QString problem;
    const auto name = cleanName(call.body.value(QStringLiteral("name")).toString(), 100, &problem);
    if (!name)
        return invalid(problem);
    auto beforeOpt =
        call.exec(QStringLiteral("SELECT name FROM %1.projects WHERE id = ?::uuid FOR UPDATE")
                      .arg(call.schema),
                  {id});
    if (!beforeOpt)
        return call.failed(QString());
    QSqlQuery &before = *beforeOpt;
    if (!before.next())
        return notFound(QStringLiteral("project"));
    const QString oldName = before.value(0).toString();
    auto qOpt = call.exec(
        QStringLiteral(
            "UPDATE %1.projects SET name = ?, updated_at = now() WHERE id = ?::uuid RETURNING %2")
            .arg(call.schema, kProjectColumns),
        {*name, id});
    if (!qOpt)
        return call.failed(QString());
    QSqlQuery &q = *qOpt;
    if (!q.next())
        return call.failed(QString());
    if (!call.audit(QStringLiteral("project.update"), QStringLiteral("project/") + id,
                    {{QStringLiteral("before"), QJsonObject{{QStringLiteral("name"), oldName}}},
                     {QStringLiteral("after"), QJsonObject{{QStringLiteral("name"), *name}}}}))
        return call.failed(QStringLiteral("audit"));
    return ApiResult::json(projectJson(q));
}

ApiResult deleteProject(TenantCall &call) {
    const QString id = call.request.params.value(QStringLiteral("id"));
    if (!isUuid(id))
        return notFound(QStringLiteral("project"));
    auto qOpt =
        call.exec(QStringLiteral("DELETE FROM %1.projects WHERE id = ?::uuid RETURNING name")
                      .arg(call.schema),
                  {id});
    if (!qOpt)
        return call.failed(QString());
    QSqlQuery &q = *qOpt;
    if (!q.next())
        return notFound(QStringLiteral("project"));
    if (!call.audit(QStringLiteral("project.delete"), QStringLiteral("project/") + id,
                    {{QStringLiteral("name"), q.value(0).toString()}}))
        return call.failed(QStringLiteral("audit"));
    return ApiResult::noContent();
}

const QString kMemberColumns = QStringLiteral(
    "id::text, email::text, name, role, status, mfa_enabled, created_at, updated_at, "
    "(extract(epoch FROM created_at) * 1000000)::bigint");

QJsonObject memberJson(const QSqlQuery &q) {
    return {{QStringLiteral("id"), q.value(0).toString()},
            {QStringLiteral("email"), q.value(1).toString()},
            {QStringLiteral("name"), q.value(2).toString()},
            {QStringLiteral("role"), q.value(3).toString()},
            {QStringLiteral("status"), q.value(4).toString()},
            {QStringLiteral("mfa_enabled"), q.value(5).toBool()},
            {QStringLiteral("created_at"), iso(q.value(6))},
            {QStringLiteral("updated_at"), iso(q.value(7))}};
}

ApiResult listMembers(TenantCall &call) {
    return listPage(call, QStringLiteral("users"), kMemberColumns, 8, memberJson);
}

// Counts active owners other than `userId` (the last owner can be neither removed nor demoted).
std::optional<int> otherOwners(TenantCall &call, const QString &userId) {
    QSqlQuery q(call.db);
    // Lock the owners so two concurrent demotions cannot both see "one other owner left".
    if (!sql::exec(q,
                   QStringLiteral("SELECT id FROM %1.users WHERE role = 'owner' AND status = "
                                  "'active' AND id <> ?::uuid "
                                  "FOR UPDATE")
                       .arg(call.schema),
                   {userId}, nullptr))
        return std::nullopt;
    int n = 0;
    while (q.next())
        ++n;
    return n;
}

ApiResult updateMember(TenantCall &call) {
    const QString id = call.request.params.value(QStringLiteral("userId"));
    if (!isUuid(id))
        return notFound(QStringLiteral("member"));
    if (auto bad = onlyFields(call.body, {{QStringLiteral("role"), QJsonValue::String}},
                              {QStringLiteral("role")}))
        return *bad;
    const QString role = call.body.value(QStringLiteral("role")).toString();
    static const QRegularExpression roleRe(QStringLiteral("^[a-z][a-z0-9_]{0,40}$"));
    if (!roleRe.match(role).hasMatch() || role == u"support")
        return invalid(QStringLiteral("role is not valid."));
    const RbacPolicy &policy = RbacPolicy::builtIn();
    QHash<QString, QStringList> custom;
    if (!policy.isBuiltInRole(role)) {
        QSqlQuery cr(call.db);
        if (!sql::exec(
                cr,
                QStringLiteral("SELECT permissions FROM %1.roles WHERE name = ?").arg(call.schema),
                {role}, nullptr))
            return call.failed(cr.lastError().text());
        if (!cr.next())
            return invalid(QStringLiteral("There is no role \"%1\".").arg(role));
        QString text = cr.value(0).toString();
        text.remove(u'{').remove(u'}').remove(u'"');
        custom.insert(role, text.split(u',', Qt::SkipEmptyParts));
    }
    if (!policy.canGrant(call.roles, role, custom))
        return ApiResult::fromError(
            ApiError(ErrorCode::Forbidden,
                     QStringLiteral("You cannot grant a role with permissions you do not hold.")));
    auto curOpt = call.exec(
        QStringLiteral("SELECT role FROM %1.users WHERE id = ?::uuid FOR UPDATE").arg(call.schema),
        {id});
    if (!curOpt)
        return call.failed(QString());
    QSqlQuery &cur = *curOpt;
    if (!cur.next())
        return notFound(QStringLiteral("member"));
    const QString oldRole = cur.value(0).toString();
    cur.finish();
    if (oldRole == u"owner" && role != u"owner") {
        const auto others = otherOwners(call, id);
        if (!others)
            return call.failed(QStringLiteral("owners"));
        if (*others == 0)
            return ApiResult::fromError(
                ApiError(ErrorCode::Conflict, QStringLiteral("The last owner cannot be demoted.")));
    }
    // Only an owner may make or unmake owners.
    if ((oldRole == u"owner" || role == u"owner") && !call.roles.contains(QStringLiteral("owner")))
        return ApiResult::fromError(
            ApiError(ErrorCode::Forbidden, QStringLiteral("Only an owner can change owners.")));
    auto qOpt = call.exec(
        QStringLiteral(
            "UPDATE %1.users SET role = ?, updated_at = now() WHERE id = ?::uuid RETURNING %2")
            .arg(call.schema, kMemberColumns),
        {role, id});
    if (!qOpt)
        return call.failed(QString());
    QSqlQuery &q = *qOpt;
    if (!q.next())
        return call.failed(QString());
    if (!call.audit(QStringLiteral("member.role_change"), QStringLiteral("member/") + id,
                    {{QStringLiteral("before"), QJsonObject{{QStringLiteral("role"), oldRole}}},
                     {QStringLiteral("after"), QJsonObject{{QStringLiteral("role"), role}}}}))
        return call.failed(QStringLiteral("audit"));
    return ApiResult::json(memberJson(q));
}

ApiResult removeMember(TenantCall &call) {
    const QString id = call.request.params.value(QStringLiteral("userId"));
    if (!isUuid(id))
        return notFound(QStringLiteral("member"));
    auto curOpt = call.exec(
        QStringLiteral("SELECT role, email::text FROM %1.users WHERE id = ?::uuid FOR UPDATE")
            .arg(call.schema),
        {id});
    if (!curOpt)
        return call.failed(QString());
    QSqlQuery &cur = *curOpt;
    if (!cur.next())
        return notFound(QStringLiteral("member"));
    const QString role = cur.value(0).toString();
    const QString email = cur.value(1).toString();
    cur.finish();
    if (role == u"owner") {
        if (!call.roles.contains(QStringLiteral("owner")))
            return ApiResult::fromError(ApiError(
                ErrorCode::Forbidden, QStringLiteral("Only an owner can remove an owner.")));
        const auto others = otherOwners(call, id);
        if (!others)
            return call.failed(QStringLiteral("owners"));
        if (*others == 0)
            return ApiResult::fromError(
                ApiError(ErrorCode::Conflict, QStringLiteral("The last owner cannot be removed.")));
    }
    auto qOpt =
        call.exec(QStringLiteral("DELETE FROM %1.users WHERE id = ?::uuid").arg(call.schema), {id});
    if (!qOpt)
        return call.failed(QString());
    if (!call.audit(QStringLiteral("member.remove"), QStringLiteral("member/") + id,
                    {{QStringLiteral("email"), email}, {QStringLiteral("role"), role}}))
        return call.failed(QStringLiteral("audit"));
    return ApiResult::noContent();
}

ApiResult emitEvent(TenantCall &call) {
    if (auto bad = onlyFields(call.body,
                              {{QStringLiteral("action"), QJsonValue::String},
                               {QStringLiteral("resource"), QJsonValue::String},
                               {QStringLiteral("data"), QJsonValue::Object}},
                              {QStringLiteral("action")}))
        return *bad;
    static const QRegularExpression actionRe(QStringLiteral("^[a-z][a-z0-9_.-]{0,99}$"));
    const QString action = call.body.value(QStringLiteral("action")).toString();
    if (!actionRe.match(action).hasMatch())
        return invalid(QStringLiteral("action must match ^[a-z][a-z0-9_.-]{0,99}$."));
    const QString resource = call.body.value(QStringLiteral("resource")).toString();
    if (resource.size() > 300)
        return invalid(QStringLiteral("resource must be at most 300 characters."));
    const QJsonObject data = call.body.value(QStringLiteral("data")).toObject();
    if (QJsonDocument(data).toJson(QJsonDocument::Compact).size() > AuditLog::kMaxDataBytes)
        return invalid(QStringLiteral("data must be at most 64 KiB."));
    if (!call.audit(action, resource, data))
        return call.failed(QString());
    const AuditLog::Appended &appended = call.lastEvent();
    return ApiResult::json(
        QJsonObject{{QStringLiteral("id"), appended.id},
                    {QStringLiteral("seq"), double(appended.seq)},
                    {QStringLiteral("hash"), QString::fromLatin1(appended.hash.toHex())}},
        201);
}

ApiResult usage(TenantCall &call) {
    QSqlQuery q(call.db);
    if (!q.exec(QStringLiteral(
                    "SELECT (SELECT count(*) FROM %1.users WHERE status = 'active'), "
                    "coalesce((SELECT (value->>'seats')::int FROM %1.settings WHERE key = "
                    "'limits'), 0), "
                    "(SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '%2' AND "
                    "c.relkind = 'r')")
                    .arg(call.schema, call.principal.tenant.schema)) ||
        !q.next())
        return call.failed(q.lastError().text());
    const int seatsUsed = q.value(0).toInt();
    const int seatsAllowed = q.value(1).toInt();
    const double storage = q.value(2).toDouble();
    auto daysOpt = call.exec(
        QStringLiteral(
            "SELECT day::text, requests FROM tenantry_shared.usage_daily WHERE tenant_id = ?::uuid "
            "AND day > current_date - 30 ORDER BY day"),
        {call.principal.tenant.id.toString(QUuid::WithoutBraces)});
    if (!daysOpt)
        return call.failed(QString());
    QSqlQuery &days = *daysOpt;
    QJsonArray perDay;
    while (days.next())
        perDay.append(
            QJsonObject{{QStringLiteral("day"), days.value(0).toString()},
                        {QStringLiteral("requests"), double(days.value(1).toLongLong())}});
    return ApiResult::json(QJsonObject{{QStringLiteral("seats_used"), seatsUsed},
                                       {QStringLiteral("seats_allowed"), seatsAllowed},
                                       {QStringLiteral("storage_bytes"), storage},
                                       {QStringLiteral("requests_per_day"), perDay}});
}

ApiResult config(TenantCall &call) {
    const Tenant &t = call.principal.tenant;
    QSqlQuery q(call.db);
    if (!q.exec(QStringLiteral("SELECT value::text FROM %1.settings WHERE key = 'limits'")
                    .arg(call.schema)))
        return call.failed(q.lastError().text());
    QJsonObject limits =
        q.next() ? QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object() : QJsonObject();
    const bool enterprise = t.tier == u"enterprise";
    limits.insert(QStringLiteral("rate_limit_rps"),
                  t.rateLimitRps > 0 ? t.rateLimitRps : (enterprise ? 1000 : 100));
    limits.insert(QStringLiteral("rate_limit_burst"),
                  t.rateLimitBurst > 0 ? t.rateLimitBurst : (enterprise ? 2000 : 200));
    const QJsonObject body{
        {QStringLiteral("tenant"),
         QJsonObject{{QStringLiteral("id"), t.id.toString(QUuid::WithoutBraces)},
                     {QStringLiteral("slug"), t.slug},
                     {QStringLiteral("name"), t.name},
                     {QStringLiteral("tier"), t.tier}}},
        {QStringLiteral("flags"), QJsonObject{}},
        {QStringLiteral("branding"), QJsonObject{}},
        {QStringLiteral("limits"), limits},
        {QStringLiteral("permissions"), QJsonArray::fromStringList(call.permissions)}};
    ApiResult r = ApiResult::json(body);
    const QByteArray etag =
        '"' + QCryptographicHash::hash(r.body, QCryptographicHash::Sha256).toHex().left(32) + '"';
    r.withHeader("ETag", etag).withHeader("Cache-Control", "private, no-cache");
    const QByteArray inm = call.request.header("if-none-match");
    for (const QByteArray &candidate : inm.split(',')) {
        if (candidate.trimmed() == etag || candidate.trimmed() == "*") {
            ApiResult notModified;
            notModified.status = 304;
            notModified.contentType.clear();
            notModified.withHeader("ETag", etag).withHeader("Cache-Control", "private, no-cache");
            return notModified;
        }
    }
    return r;
}

} // namespace

void TenantRoutes::registerOn(Router &router) {
    router.add("GET", QStringLiteral("/v1/{tenantId}/projects"),
               tenantRoute({QStringLiteral("project:read")}, listProjects));
    router.add("POST", QStringLiteral("/v1/{tenantId}/projects"),
               tenantRoute({QStringLiteral("project:create"), true, true}, createProject));
    router.add("GET", QStringLiteral("/v1/{tenantId}/projects/{id}"),
               tenantRoute({QStringLiteral("project:read")}, getProject));
    router.add("PATCH", QStringLiteral("/v1/{tenantId}/projects/{id}"),
               tenantRoute({QStringLiteral("project:update"), true, true}, updateProject));
    router.add("DELETE", QStringLiteral("/v1/{tenantId}/projects/{id}"),
               tenantRoute({QStringLiteral("project:delete"), true}, deleteProject));
    router.add("GET", QStringLiteral("/v1/{tenantId}/members"),
               tenantRoute({QStringLiteral("member:read")}, listMembers));
    router.add("PATCH", QStringLiteral("/v1/{tenantId}/members/{userId}"),
               tenantRoute({QStringLiteral("member:manage"), true, true}, updateMember));
    router.add("DELETE", QStringLiteral("/v1/{tenantId}/members/{userId}"),
               tenantRoute({QStringLiteral("member:manage"), true}, removeMember));
    router.add("POST", QStringLiteral("/v1/{tenantId}/events"),
               tenantRoute({QStringLiteral("event:emit"), true, true}, emitEvent));
    router.add("GET", QStringLiteral("/v1/{tenantId}/usage"),
               tenantRoute({QStringLiteral("usage:read")}, usage));
    router.add("GET", QStringLiteral("/v1/{tenantId}/config"),
               tenantRoute({QString(), false, false, true}, config));
}

} // namespace tenantry
