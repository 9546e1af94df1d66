// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/KeyEncryption.h"
#include "core/KeyRing.h"
#include "core/LoginThrottle.h"
#include "core/SupportSessions.h"
#include "core/TokenService.h"

#include <algorithm>
#include <memory>

namespace tenantry {

// What all worker threads of one server process share. Everything here is thread-safe or
// immutable after start-up; per-thread state lives in WorkerContext.
struct ServerContext {
    IdentityConfig identity;
    std::unique_ptr<KeyEncryption> secrets;
    std::unique_ptr<KeyRing> keys;
    LoginThrottle throttle;
    std::unique_ptr<TokenService> tokens;
    std::unique_ptr<SupportSessions> support;

    // Wires the identity parts once the key-encryption key and config are known.
    void initIdentity(IdentityConfig config, KeyEncryption kek) {
        identity = std::move(config);
        secrets = std::make_unique<KeyEncryption>(kek);
        // Retired keys stay published until every token they signed has expired: user access
        // tokens and support-session tokens (up to an hour), plus leeway.
        keys =
            std::make_unique<KeyRing>(std::move(kek), std::max(identity.accessTokenSeconds,
                                                               SupportSessions::kMaxMinutes * 60) +
                                                          identity.leewaySeconds + 60);
        finishIdentity();
    }

    // (Re)creates the services that capture the identity config (after the issuer is known).
    void finishIdentity() {
        tokens = std::make_unique<TokenService>(identity, *keys, throttle, *secrets);
        support = std::make_unique<SupportSessions>(identity, *keys, throttle);
    }
};

} // namespace tenantry
