// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/Router.h"

namespace tenantry {

// The issuer's public face: OIDC discovery, JWKS, the token and revocation endpoints, the
// caller's profile and TOTP enrolment.
class IdentityRoutes {
public:
    static void registerOn(Router &router);
};

} // namespace tenantry
