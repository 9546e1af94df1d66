// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/ServerRoutes.h"

#include "http/HealthRoutes.h"
#include "http/IdentityRoutes.h"
#include "http/SupportRoutes.h"
#include "http/TenantRoutes.h"

namespace tenantry {

std::shared_ptr<Router> ServerRoutes::build() {
    auto router = std::make_shared<Router>();
    HealthRoutes::registerOn(*router);
    IdentityRoutes::registerOn(*router);
    SupportRoutes::registerOn(*router);
    TenantRoutes::registerOn(*router);
    return router;
}

} // namespace tenantry
