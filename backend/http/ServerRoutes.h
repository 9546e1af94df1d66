// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/Router.h"

#include <memory>

namespace tenantry {

// Every route tenantry-server serves, in one place, so the server and the tests (OpenAPI
// coverage, isolation matrix) see the same table.
class ServerRoutes {
public:
    static std::shared_ptr<Router> build();
};

} // namespace tenantry
