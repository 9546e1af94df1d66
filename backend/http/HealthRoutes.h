// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/Router.h"

namespace tenantry {

// GET /healthz (the process answers) and GET /readyz (the database answers and its control
// schema is at the version this binary expects; 503 + Retry-After otherwise).
class HealthRoutes {
public:
    static void registerOn(Router &router);
};

} // namespace tenantry
