// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/UsageCounter.h"

#include "core/SqlSupport.h"

#include <QSqlQuery>

namespace tenantry {

UsageCounter &UsageCounter::instance() {
    static UsageCounter counter;
    return counter;
}

void UsageCounter::add(const QString &tenantId) {
    QMutexLocker lock(&m_mutex);
    if (m_pending.size() < 100000 || m_pending.contains(tenantId))
        ++m_pending[tenantId];
}

bool UsageCounter::flush(QSqlDatabase &db, QString *error) {
    QHash<QString, qint64> batch;
    {
        QMutexLocker lock(&m_mutex);
        batch.swap(m_pending);
    }
    bool ok = true;
    for (auto it = batch.begin(); it != batch.end(); ++it) {
        const bool written = sql::inTransaction(db, error, [&] {
            QSqlQuery q(db);
            return sql::exec(q, QStringLiteral("SELECT set_config('app.current_tenant', ?, true)"),
                             {it.key()}, error) &&
                   sql::exec(
                       q,
                       QStringLiteral(
                           "INSERT INTO tenantry_shared.usage_daily (tenant_id, day, requests) "
                           "VALUES (?::uuid, current_date, ?) ON CONFLICT (tenant_id, day) DO "
                           "UPDATE "
                           "SET requests = tenantry_shared.usage_daily.requests + "
                           "EXCLUDED.requests"),
                       {it.key(), it.value()}, error);
        });
        if (!written) {
            ok = false;
            QMutexLocker lock(&m_mutex);
            m_pending[it.key()] += it.value();
        }
    }
    return ok;
}

} // namespace tenantry
