// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/ApiRequest.h"
#include "http/ApiResult.h"
#include "http/Router.h"

#include <QLoggingCategory>

class QHttpServerRequest;
class QHttpServerResponder;
class QTcpSocket;

namespace tenantry {

Q_DECLARE_LOGGING_CATEGORY(lcRequests)

class WorkerContext;

// The adapter between Qt HTTP Server and our types: copies the Qt request into an ApiRequest,
// routes it (404 / 405 + Allow / 501 are decided here), runs the handler, maps any error to
// problem+json, writes the bytes itself (HttpWire) and logs one line per request.
class RequestDispatcher {
public:
    RequestDispatcher(const Router &router, WorkerContext &worker);

    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    // Builds the ApiRequest; returns an error result when the request line is unusable.
    static std::optional<ApiResult> makeRequest(const QHttpServerRequest &in, ApiRequest *out);
    ApiResult route(ApiRequest &request) const;
    static void write(QTcpSocket *socket, const ApiRequest &request, ApiResult result);

private:
    const Router &m_router;
    WorkerContext &m_worker;
};

} // namespace tenantry
