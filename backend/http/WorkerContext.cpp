// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/WorkerContext.h"

#include "http/ServerContext.h"

#include <algorithm>

#include <QCryptographicHash>
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

std::optional<QJsonObject> WorkerContext::cachedClaims(const QByteArray &token) {
    if (!m_server || !m_server->keys || m_tokens.isEmpty())
        return std::nullopt;
    if (m_server->keys->generation() != m_tokensGeneration) {
        m_tokens.clear();
        return std::nullopt;
    }
    const QByteArray key = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
    const auto it = m_tokens.find(key);
    if (it == m_tokens.end())
        return std::nullopt;
    if (QDateTime::currentSecsSinceEpoch() >= it->exp) {
        m_tokens.erase(it);
        return std::nullopt;
    }
    return it->claims;
}

void WorkerContext::cacheClaims(const QByteArray &token, const QJsonObject &claims) {
    if (!m_server || !m_server->keys)
        return;
    const quint64 generation = m_server->keys->generation();
    if (generation != m_tokensGeneration) {
        m_tokens.clear();
        m_tokensGeneration = generation;
    }
    if (m_tokens.size() >= kMaxCachedTokens)
        m_tokens.clear();
    const qint64 exp = qint64(claims.value(QStringLiteral("exp")).toDouble());
    m_tokens.insert(QCryptographicHash::hash(token, QCryptographicHash::Sha256), {claims, exp});
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
