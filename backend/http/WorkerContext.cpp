// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/WorkerContext.h"

#include "http/ServerContext.h"

#include <algorithm>

#include <QDateTime>

namespace tenantry {

WorkerContext::WorkerContext(int index, const ConnectionSettings &runtime, ServerContext *server)
    : m_index(index)
    , m_db(runtime, QStringLiteral("tenantry-worker-%1").arg(index))
    , m_server(server) {
    m_clock.start();
}

std::optional<Tenant> WorkerContext::cachedTenant(const QUuid &id) {
    const auto it = m_tenants.constFind(id);
    if (it == m_tenants.constEnd() || m_clock.elapsed() - it->at > kTenantCacheMs)
        return std::nullopt;
    return it->tenant;
}

void WorkerContext::cacheTenant(const Tenant &tenant) {
    if (m_tenants.size() > 10000)
        m_tenants.clear();
    m_tenants.insert(tenant.id, {tenant, m_clock.elapsed()});
}

const TokenVerifier *WorkerContext::verifier() {
    if (!m_server || !m_server->keys)
        return nullptr;
    int retry = 0;
    if (QSqlDatabase *db = m_db.acquire(&retry))
        m_server->keys->refresh(*db, 60000);
    const auto keys = m_server->keys->keys();
    if (!keys)
        return nullptr;
    const quint64 generation = m_server->keys->generation();
    if (!m_verifier || generation != m_verifierGeneration) {
        TokenVerifier::Config config;
        for (const SigningKey &k : keys->published)
            config.keys.insert(k.kid(), k);
        config.issuer = m_server->identity.issuer;
        config.audience = m_server->identity.audience;
        config.leeway = std::chrono::seconds(m_server->identity.leewaySeconds);
        // Support sessions last up to an hour; user access tokens are shorter (their own exp).
        config.maxTokenAge = std::chrono::seconds(
            std::max(m_server->identity.accessTokenSeconds, SupportSessions::kMaxMinutes * 60) +
            m_server->identity.leewaySeconds);
        config.clock = [] { return QDateTime::currentSecsSinceEpoch(); };
        m_verifier.emplace(std::move(config));
        m_verifierGeneration = generation;
    }
    return &*m_verifier;
}

} // namespace tenantry
