// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/HealthRoutes.h"

#include "core/Metrics.h"
#include "core/Migrator.h"
#include "core/SqlSupport.h"
#include "http/WorkerContext.h"

#include <QSqlQuery>

namespace tenantry {

void HealthRoutes::registerOn(Router &router) {
    router.add("GET", QStringLiteral("/metrics"), [](ApiRequest &) {
        ApiResult r;
        r.contentType = "text/plain; version=0.0.4; charset=utf-8";
        r.body = Metrics::instance().render();
        return r;
    });
    router.add("GET", QStringLiteral("/healthz"), [](ApiRequest &) {
        return ApiResult::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}});
    });
    router.add("GET", QStringLiteral("/readyz"), [](ApiRequest &request) {
        auto notReady = [](const QString &detail, int retryAfter) {
            return ApiResult::fromError(
                ApiError(ErrorCode::NotReady, detail)
                    .withHeader("Retry-After", QByteArray::number(retryAfter)));
        };
        int retryAfter = 1;
        QSqlDatabase *db = request.worker->database().acquire(&retryAfter);
        if (!db)
            return notReady(QStringLiteral("The database is not reachable."), retryAfter);
        QSqlQuery q(*db);
        if (!q.exec(QStringLiteral("SELECT coalesce(max(version), 0) FROM "
                                   "tenantry_control.schema_migrations")) ||
            !q.next()) {
            request.worker->database().reportError(q.lastError());
            return notReady(QStringLiteral("The database is not reachable or not migrated."), 1);
        }
        const int version = q.value(0).toInt();
        const int expected = Migrator::latestControlVersion();
        if (version < expected)
            return notReady(QStringLiteral("The database schema is at version %1; this server "
                                           "needs %2 (run tenantry-server migrate).")
                                .arg(version)
                                .arg(expected),
                            5);
        return ApiResult::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ready")},
                                           {QStringLiteral("schema_version"), version}});
    });
}

} // namespace tenantry
