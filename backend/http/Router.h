// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/ApiRequest.h"
#include "http/ApiResult.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace tenantry {

// Method + path template -> handler. Qt HTTP Server 6.4 answers 404 for a known path with the
// wrong method and mishandles HEAD, so routing is ours: the server registers no Qt routes and
// sends every request here.
class Router {
public:
    using Handler = std::function<ApiResult(ApiRequest &)>;

    // `pattern` like "/v1/{tenantId}/projects/{id}"; a segment in braces captures one
    // percent-decoded path segment (never containing '/').
    void add(const QByteArray &method, const QString &pattern, Handler handler);

    struct Match {
        const Handler *handler = nullptr;
        QString routeTemplate;
        QHash<QString, QString> params;
        QByteArrayList allowed; // filled when the path is known but the method is not
    };
    // `segments` are the decoded path segments. HEAD matches GET routes.
    Match match(const QByteArray &method, const QStringList &segments) const;

    QStringList templates() const;

    // Splits an encoded path into decoded segments; false for paths we refuse (dot segments,
    // empty segments in the middle, NUL).
    static bool splitPath(const QByteArray &encodedPath, QStringList *segments);

private:
    struct Route {
        QByteArray method;
        QString pattern;
        QStringList parts;
        Handler handler;
    };
    static bool matches(const Route &route, const QStringList &segments,
                        QHash<QString, QString> *params);
    QList<Route> m_routes;
};

} // namespace tenantry
