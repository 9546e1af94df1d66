// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/TenantSpec.h"
#include "core/ThreadDatabase.h"

#include "core/TokenVerifier.h"
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>

#include <optional>

namespace tenantry {

struct ServerContext;

// What one worker thread owns: its database connection (QtSql connections are thread-bound)
// and its token verifier built from the current key snapshot. Created inside the worker thread
// and never shared.
class WorkerContext {
public:
    WorkerContext(int index, const ConnectionSettings &runtime, ServerContext *server = nullptr);

    int index() const { return m_index; }
    ThreadDatabase &database() { return m_db; }
    ServerContext *server() const { return m_server; }
    // Null when the server has no identity configured (tests of the bare engine).
    const TokenVerifier *verifier();

    // Tenants seen in the last few seconds: status, tier and limits change rarely, and reading
    // the registry on every request would cost a round trip. A change (lock, new rate limit)
    // reaches every worker within kTenantCacheMs.
    static constexpr qint64 kTenantCacheMs = 5000;

    // Verified tokens, keyed by SHA-256 of the whole token, bounded, each entry dropped at its
    // `exp` and all of them when the key set changes.
    static constexpr qsizetype kMaxCachedTokens = 10000;
    std::optional<QJsonObject> cachedClaims(const QByteArray &token);
    void cacheClaims(const QByteArray &token, const QJsonObject &claims);
    std::optional<Tenant> cachedTenant(const QUuid &id);
    void cacheTenant(const Tenant &tenant);

private:
    int m_index;
    ThreadDatabase m_db;
    ServerContext *m_server;
    std::optional<TokenVerifier> m_verifier;
    quint64 m_verifierGeneration = 0;
    struct CachedTenant {
        Tenant tenant;
        qint64 at = 0;
    };
    QHash<QUuid, CachedTenant> m_tenants;
    struct CachedClaims {
        QJsonObject claims;
        qint64 exp = 0;
    };
    QHash<QByteArray, CachedClaims> m_tokens;
    quint64 m_tokensGeneration = 0;
    QElapsedTimer m_clock;
};

} // namespace tenantry
