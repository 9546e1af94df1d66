// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/TraceContext.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

namespace tenantry {

class WorkerContext;

// Our own request type: handlers never see QHttpServerRequest. Everything is copied out of the
// Qt request before dispatch, so a handler may keep it after the socket is gone.
struct ApiRequest {
    QByteArray method; // upper case, as sent ("GET"); HEAD is dispatched as GET
    bool head = false;
    QString path;                   // percent-decoded, for logs and messages
    QByteArray rawPath;             // as sent (percent-encoded); the router splits this
    QString routeTemplate;          // e.g. /v1/{tenantId}/projects, set by the router
    QHash<QString, QString> params; // path parameters by template name
    QUrlQuery query;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QHostAddress remoteAddress;
    TraceContext trace;
    QString tenantId; // once bound (for logs and audit)
    QElapsedTimer started;
    WorkerContext *worker = nullptr;

    QByteArray header(const QByteArray &lowerName) const;
    bool hasHeader(const QByteArray &lowerName) const;
    QString queryValue(const QString &key) const;
};

} // namespace tenantry
