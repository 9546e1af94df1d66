// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/RetryPolicy.h"

#include <optional>

namespace tenantry::client {

// Per-request overrides of the ApiClient's defaults.
struct RequestOptions {
    std::optional<RetryPolicy> retry; // default: the client's policy
    int timeoutMs = -1;               // default: the client's timeout (0 = none)
};

} // namespace tenantry::client
