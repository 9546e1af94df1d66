// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/Router.h"

namespace tenantry {

// The tenant-scoped resources of the contract that run through TenantPipeline: projects,
// members, business events, usage and the configuration read.
class TenantRoutes {
public:
    static void registerOn(Router &router);
};

} // namespace tenantry
