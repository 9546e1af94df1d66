// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/ApiRequest.h"

namespace tenantry {

QByteArray ApiRequest::header(const QByteArray &lowerName) const {
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

bool ApiRequest::hasHeader(const QByteArray &lowerName) const {
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return true;
    }
    return false;
}

QString ApiRequest::queryValue(const QString &key) const {
    // FullyDecoded so that %2B is '+' (Qt HTTP Server 6.4 leaves it encoded, P8).
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

} // namespace tenantry
