// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QString>

namespace tenantry {

// Counts requests per tenant in memory and adds them to tenantry_shared.usage_daily every few
// seconds, so counting costs no database write per request. A crash loses at most one flush
// interval of counts; usage is a statistic, not a bill.
class UsageCounter {
public:
    static UsageCounter &instance();

    void add(const QString &tenantId);
    // Writes and clears the pending counts (one transaction per tenant, under its RLS context).
    // Counts that could not be written are kept for the next flush.
    bool flush(QSqlDatabase &db, QString *error);

private:
    QMutex m_mutex;
    QHash<QString, qint64> m_pending;
};

} // namespace tenantry
