// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/AuditLog.h"

#include "core/SqlSupport.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlQuery>

namespace tenantry {

namespace {

// Caps and strips control characters so one event stays one well-formed record (AU10).
QString clean(const QString &value, qsizetype max) {
    QString out;
    out.reserve(std::min(value.size(), max));
    for (const QChar c : value) {
        if (out.size() >= max)
            break;
        out += (c.unicode() < 0x20 || c.unicode() == 0x7f) ? QChar(u' ') : c;
    }
    return out;
}

QJsonValue orNull(const QString &s) {
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

} // namespace

QByteArray AuditLog::canonicalBody(const QString &id, const QString &tenant, const QString &at,
                                   const AuditEvent &e) {
    // QJsonObject keeps keys sorted, and Compact adds no whitespace: the same event always
    // yields the same bytes.
    const QJsonObject o{{QStringLiteral("act"), orNull(e.act)},
                        {QStringLiteral("action"), e.action},
                        {QStringLiteral("actor"), orNull(e.actor)},
                        {QStringLiteral("at"), at},
                        {QStringLiteral("data"), e.data},
                        {QStringLiteral("id"), id},
                        {QStringLiteral("ip"), orNull(e.ip)},
                        {QStringLiteral("resource"), orNull(e.resource)},
                        {QStringLiteral("tenant_id"), tenant},
                        {QStringLiteral("trace_id"), orNull(e.traceId)}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<AuditLog::Statement> AuditLog::statement(const QUuid &tenant, const AuditEvent &raw,
                                                       QString *error) {
    AuditEvent e = raw;
    e.actor = clean(e.actor, 200);
    e.act = clean(e.act, 200);
    e.action = clean(e.action, 100);
    e.resource = clean(e.resource, 300);
    e.ip = clean(e.ip, 64);
    e.traceId = clean(e.traceId, 64);
    if (e.action.isEmpty()) {
        *error = QStringLiteral("an event needs an action");
        return std::nullopt;
    }
    QByteArray data = QJsonDocument(e.data).toJson(QJsonDocument::Compact);
    if (data.size() > kMaxDataBytes) {
        e.data = QJsonObject{{QStringLiteral("truncated"), true},
                             {QStringLiteral("original_bytes"), double(data.size())}};
        data = QJsonDocument(e.data).toJson(QJsonDocument::Compact);
    }
    Statement st;
    st.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString tenantText = tenant.toString(QUuid::WithoutBraces);
    const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QByteArray body = canonicalBody(st.id, tenantText, at, e);
    st.sql = QStringLiteral("SELECT seq, hash FROM tenantry_shared.append_event(?::uuid, ?::uuid, "
                            "?::timestamptz, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)");
    auto orNullVariant = [](const QString &s) { return s.isEmpty() ? QVariant() : QVariant(s); };
    st.params = {tenantText,
                 st.id,
                 at,
                 orNullVariant(e.actor),
                 orNullVariant(e.act),
                 e.action,
                 orNullVariant(e.resource),
                 orNullVariant(e.ip),
                 orNullVariant(e.traceId),
                 QString::fromUtf8(data),
                 body};
    return st;
}

std::optional<AuditLog::Appended> AuditLog::append(QSqlDatabase &db, const QUuid &tenant,
                                                   const AuditEvent &event, QString *error) {
    const auto st = statement(tenant, event, error);
    if (!st)
        return std::nullopt;
    QSqlQuery q(db);
    if (!q.prepare(st->sql)) {
        *error = q.lastError().databaseText();
        return std::nullopt;
    }
    for (const QVariant &v : st->params)
        q.addBindValue(v);
    if (!q.exec() || !q.next()) {
        *error = q.lastError().databaseText();
        return std::nullopt;
    }
    return Appended{q.value(0).toLongLong(), st->id, q.value(1).toByteArray()};
}

} // namespace tenantry
