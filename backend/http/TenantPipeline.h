// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/AuditLog.h"
#include "http/Authenticator.h"
#include "http/Router.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <functional>
#include <initializer_list>
#include <optional>

namespace tenantry {

// What a tenant route declares about itself; the pipeline enforces it.
struct RouteSpec {
    QString permission;                 // required permission; empty = any authenticated caller
    bool write = false;                 // read-write transaction; reads run READ ONLY
    bool jsonBody = false;              // requires an application/json object body
    bool allowDuringEnrollment = false; // reachable with an MFA-enrolment-only token
};

// Everything a tenant handler may touch. It runs inside the request's transaction, whose
// tenant context is already set (set_config(..., true), never a session SET).
class TenantCall {
public:
    TenantCall(ApiRequest &request, const Principal &principal, QSqlDatabase &db, QString schema,
               QStringList roles, QStringList permissions, QJsonObject body);

    ApiRequest &request;
    const Principal &principal;
    QSqlDatabase &db;
    const QString schema;          // quoted tenant schema identifier, from the registry
    const QStringList roles;       // as stored now, not as the token claimed
    const QStringList permissions; // effective permissions of `roles`
    const QJsonObject body;

    // Runs a statement through the worker's prepared-statement cache (one round trip).
    // nullopt on failure, after which the handler should return failed().
    QSqlQuery *exec(const QString &statement, std::initializer_list<QVariant> params);
    // Writes an audit event in this transaction, with actor, act, ip and trace filled in.
    bool audit(const QString &action, const QString &resource, const QJsonObject &data = {});
    // The event the last successful audit() appended.
    const AuditLog::Appended &lastEvent() const { return m_lastEvent; }
    // For handlers whose SQL failed: the pipeline rolls back and answers 503/500.
    ApiResult failed(const QString &error);
    bool hasFailed() const { return m_failed; }
    QString actorId() const;

private:
    bool m_failed = false;
    QString m_error;
    AuditLog::Appended m_lastEvent;
};

using TenantHandler = std::function<ApiResult(TenantCall &)>;

// The tenant request pipeline, each step a unit: authenticate -> tenant binding -> tenant status
// (Authenticator) -> rate limit -> body parse (strict JSON) -> transaction with tenant context and
// the caller's current role -> RBAC -> idempotency -> handler -> audit -> idempotency record ->
// commit. Errors from every step become problem+json through ErrorCatalog.
Router::Handler tenantRoute(RouteSpec spec, TenantHandler handler);

} // namespace tenantry
