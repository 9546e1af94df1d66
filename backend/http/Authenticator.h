// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/TenantSpec.h"
#include "http/ApiError.h"
#include "http/ApiRequest.h"

#include <QStringList>

#include <variant>

namespace tenantry {

// Who is calling, as proven by a verified access token and bound to the path's tenant.
struct Principal {
    QString userId;
    Tenant tenant;
    QStringList roles;
    QStringList amr;
    QString sessionId;
    QString actor;               // operator id when a support session acts (RFC 8693 `act`)
    bool enrollmentOnly = false; // tenant requires MFA and the user has not enrolled yet
};

// Authentication and tenant binding for /v1/{tenantId}/... routes, in that order:
// bearer token only (never a query parameter) -> one verifier for every route -> `tid` equals
// the path tenant and X-Tenant-ID, where sent -> the tenant exists and is active.
// Every failure is one ApiError: 401 (constant body, reason only in the log), 403
// tenant_mismatch, 423 tenant_locked.
class Authenticator {
public:
    static std::variant<Principal, ApiError> authenticate(ApiRequest &request);
};

} // namespace tenantry
