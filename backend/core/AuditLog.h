// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>
#include <QUuid>
#include <QVariantList>

#include <optional>

namespace tenantry {

// One audit or business event, as the caller describes it.
struct AuditEvent {
    QString actor;    // user id (or "operator:<id>" for support)
    QString act;      // operator id when support acted
    QString action;   // e.g. project.create
    QString resource; // e.g. project/<id>
    QString ip;
    QString traceId;
    QJsonObject data;
};

// Appends events to a tenant's hash-chained stream (tenantry_shared.events) inside the caller's
// transaction, so an event exists exactly when the change it describes does. One round trip:
// tenantry_shared.append_event() locks the tenant's head row, assigns the next gap-free seq and
// chains hash = SHA-256(prev_hash || "tenantry-audit-v1\n" || seq || "\n" || body), where body is
// the canonical JSON produced here (keys sorted, no whitespace).
class AuditLog {
public:
    static constexpr qsizetype kMaxDataBytes = 64 * 1024;

    struct Appended {
        qint64 seq = 0;
        QString id;
        QByteArray hash;
    };

    static std::optional<Appended> append(QSqlDatabase &db, const QUuid &tenant,
                                          const AuditEvent &event, QString *error);

    // The statement and parameters of an append, for callers that run it through a
    // prepared-statement cache. The result row is (seq, hash).
    struct Statement {
        QString sql;
        QVariantList params;
        QString id;
    };
    static std::optional<Statement> statement(const QUuid &tenant, const AuditEvent &event,
                                              QString *error);
    // The canonical body for an event (exposed for verifiers and tests).
    static QByteArray canonicalBody(const QString &id, const QString &tenant, const QString &at,
                                    const AuditEvent &event);
};

} // namespace tenantry
