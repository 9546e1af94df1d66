// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/TenantProvisioner.h"

#include "core/Migrator.h"
#include "core/PasswordHasher.h"
#include "core/SqlSupport.h"
#include "core/TenantRegistry.h"

#include <QScopeGuard>
#include <QSqlQuery>

namespace tenantry {

Q_LOGGING_CATEGORY(lcProvisioning, "tenantry.provisioning")

TenantProvisioner::TenantProvisioner(QSqlDatabase admin, RoleNames roles)
    : m_db(std::move(admin))
    , m_roles(std::move(roles)) {}

std::optional<TenantProvisioner::Result> TenantProvisioner::create(const TenantSpec &spec,
                                                                   QString *error) {
    // Hash before the transaction: Argon2 takes tens of milliseconds and needs no locks.
    const QString passwordHash =
        spec.ownerPassword.isEmpty() ? QString() : PasswordHasher().hash(spec.ownerPassword);

    if (!sql::exec(m_db, QStringLiteral("SET ROLE ") + sql::quoteIdent(m_roles.owner), error))
        return std::nullopt;
    const auto reset = qScopeGuard([this] {
        QString ignored;
        sql::exec(m_db, QStringLiteral("RESET ROLE"), &ignored);
    });

    Result result;
    const bool ok = sql::inTransaction(m_db, error, [&]() -> bool {
        // Serialise creators of the same slug; the UNIQUE constraint is the backstop.
        QSqlQuery lock(m_db);
        if (!sql::exec(lock, QStringLiteral("SELECT pg_advisory_xact_lock(hashtext(?))"),
                       {QString(QStringLiteral("tenantry.tenant:") + spec.slug)}, error))
            return false;
        lock.finish();
        const TenantRegistry registry(m_db);
        QString findError;
        if (auto existing = registry.findBySlug(spec.slug, &findError)) {
            result.tenant = *existing;
            result.created = false;
            return true;
        }
        if (!findError.isEmpty()) {
            *error = findError;
            return false;
        }
        const QUuid id = QUuid::createUuid();
        const QString idText = id.toString(QUuid::WithoutBraces);
        const QString schema = Tenant::schemaFor(id);
        QSqlQuery ins(m_db);
        if (!sql::exec(ins,
                       QStringLiteral("INSERT INTO tenantry_control.tenants (id, slug, name, "
                                      "tier, region, schema_name) VALUES (?::uuid, ?, ?, ?, ?, ?)"),
                       {idText, spec.slug, spec.name, spec.tier, spec.region, schema}, error))
            return false;
        ins.finish();
        if (!sql::exec(m_db, QStringLiteral("CREATE SCHEMA ") + sql::quoteIdent(schema), error))
            return false;
        Migrator migrator(m_db, m_roles);
        if (!migrator.applyTenantMigrations(idText, schema, 0, error))
            return false;
        if (!spec.ownerEmail.isEmpty()) {
            QSqlQuery owner(m_db);
            if (!sql::exec(owner,
                           QStringLiteral("INSERT INTO ") + sql::quoteIdent(schema) +
                               QStringLiteral(".users (email, password_hash, role) VALUES (?, ?, "
                                              "'owner') RETURNING id::text"),
                           {spec.ownerEmail, passwordHash}, error) ||
                !owner.next())
                return false;
            result.ownerUserId = owner.value(0).toString();
        }
        auto created = registry.findById(id, error);
        if (!created)
            return false;
        result.tenant = *created;
        result.created = true;
        return true;
    });
    if (!ok)
        return std::nullopt;
    if (result.created)
        qCInfo(lcProvisioning).noquote() << "provisioned tenant" << result.tenant.slug
                                         << result.tenant.id.toString(QUuid::WithoutBraces);
    return result;
}

std::optional<Tenant> TenantProvisioner::update(const QString &idOrSlug, const Update &u,
                                                QString *error) {
    if (!sql::exec(m_db, QStringLiteral("SET ROLE ") + sql::quoteIdent(m_roles.owner), error))
        return std::nullopt;
    const auto reset = qScopeGuard([this] {
        QString ignored;
        sql::exec(m_db, QStringLiteral("RESET ROLE"), &ignored);
    });
    std::optional<Tenant> result;
    const bool ok = sql::inTransaction(m_db, error, [&]() -> bool {
        const TenantRegistry registry(m_db);
        const auto tenant = registry.find(idOrSlug, error);
        if (!tenant) {
            if (error->isEmpty())
                *error = QStringLiteral("no tenant \"%1\"").arg(idOrSlug.left(60));
            return false;
        }
        QSqlQuery q(m_db);
        if (!sql::exec(
                q,
                QStringLiteral(
                    "UPDATE tenantry_control.tenants SET status = coalesce(?, status), "
                    "rate_limit_rps = CASE WHEN ? < 0 THEN rate_limit_rps ELSE nullif(?, 0) END, "
                    "rate_limit_burst = CASE WHEN ? < 0 THEN rate_limit_burst ELSE nullif(?, 0) "
                    "END, "
                    "updated_at = now() WHERE id = ?::uuid"),
                {u.status.isEmpty() ? QVariant() : QVariant(u.status), u.rateLimitRps,
                 u.rateLimitRps, u.rateLimitBurst, u.rateLimitBurst,
                 tenant->id.toString(QUuid::WithoutBraces)},
                error))
            return false;
        result = registry.findById(tenant->id, error);
        return result.has_value();
    });
    if (!ok)
        return std::nullopt;
    return result;
}

} // namespace tenantry
