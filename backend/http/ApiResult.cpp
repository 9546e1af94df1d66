// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/ApiResult.h"

#include "http/ErrorCatalog.h"

#include <QJsonDocument>

namespace tenantry {

ApiResult ApiResult::json(const QJsonObject &object, int status) {
    ApiResult r;
    r.status = status;
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return r;
}

ApiResult ApiResult::json(const QJsonArray &array, int status) {
    ApiResult r;
    r.status = status;
    r.body = QJsonDocument(array).toJson(QJsonDocument::Compact);
    return r;
}

ApiResult ApiResult::noContent() {
    ApiResult r;
    r.status = 204;
    r.contentType.clear();
    return r;
}

ApiResult ApiResult::fromError(const ApiError &error) {
    ApiResult r;
    r.status = ErrorCatalog::entry(error.code).status;
    r.contentType = "application/problem+json";
    r.body = ErrorCatalog::problemBody(error);
    r.headers = error.headers;
    r.error = error;
    return r;
}

QByteArray ApiResult::header(const QByteArray &lowerName) const {
    for (const auto &[name, value] : headers) {
        if (name.toLower() == lowerName)
            return value;
    }
    return {};
}

} // namespace tenantry
