// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/Router.h"

namespace tenantry {

// POST /v1/support/sessions: a support operator starts a time-boxed session in a tenant.
class SupportRoutes {
public:
    static void registerOn(Router &router);
};

} // namespace tenantry
