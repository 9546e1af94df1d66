// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/TenantRegistry.h"

#include "core/SqlSupport.h"

#include <QDateTime>
#include <QSqlRecord>

namespace tenantry {

namespace {

const QString kColumns = QStringLiteral(
    "SELECT id::text, slug, name, tier, status, region, placement, schema_name, schema_version, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "coalesce(rate_limit_rps, 0), coalesce(rate_limit_burst, 0) "
    "FROM tenantry_control.tenants ");

Tenant fromRow(const QSqlQuery &q) {
    Tenant t;
    t.id = QUuid::fromString(q.value(0).toString());
    t.slug = q.value(1).toString();
    t.name = q.value(2).toString();
    t.tier = q.value(3).toString();
    t.status = q.value(4).toString();
    t.region = q.value(5).toString();
    t.placement = q.value(6).toString();
    t.schema = q.value(7).toString();
    t.schemaVersion = q.value(8).toInt();
    t.createdAt = q.value(9).toString();
    t.updatedAt = q.value(10).toString();
    t.rateLimitRps = q.value(11).toInt();
    t.rateLimitBurst = q.value(12).toInt();
    return t;
}

} // namespace

TenantRegistry::TenantRegistry(QSqlDatabase db)
    : m_db(std::move(db)) {}

QList<Tenant> TenantRegistry::list(QString *error) const {
    QList<Tenant> out;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(kColumns + QStringLiteral("ORDER BY created_at, slug"))) {
        *error = q.lastError().databaseText();
        return out;
    }
    while (q.next())
        out.append(fromRow(q));
    return out;
}

std::optional<Tenant> TenantRegistry::findOne(const QString &where, const QVariant &value,
                                              QString *error) const {
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!sql::exec(q, kColumns + where, {value}, error))
        return std::nullopt;
    if (!q.next())
        return std::nullopt;
    return fromRow(q);
}

std::optional<Tenant> TenantRegistry::findById(const QUuid &id, QString *error) const {
    return findOne(QStringLiteral("WHERE id = ?::uuid"), id.toString(QUuid::WithoutBraces), error);
}

std::optional<Tenant> TenantRegistry::findBySlug(const QString &slug, QString *error) const {
    if (!TenantSpec::isValidSlug(slug))
        return std::nullopt;
    return findOne(QStringLiteral("WHERE slug = ?"), slug, error);
}

std::optional<Tenant> TenantRegistry::find(const QString &idOrSlug, QString *error) const {
    const QUuid id = QUuid::fromString(idOrSlug);
    if (!id.isNull() && idOrSlug.size() == 36)
        return findById(id, error);
    return findBySlug(idOrSlug, error);
}

} // namespace tenantry
