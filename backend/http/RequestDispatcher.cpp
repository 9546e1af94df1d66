// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/RequestDispatcher.h"

#include "core/Metrics.h"
#include "core/StructuredLog.h"
#include "core/UsageCounter.h"
#include "http/ConnectionGuard.h"
#include "http/ErrorCatalog.h"
#include "http/HttpWire.h"
#include "http/WorkerContext.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpSocket>

#include <exception>

namespace tenantry {

Q_LOGGING_CATEGORY(lcRequests, "tenantry.http.request")

namespace {

QByteArray methodName(QHttpServerRequest::Method m) {
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return {};
    }
}

} // namespace

RequestDispatcher::RequestDispatcher(const Router &router, WorkerContext &worker)
    : m_router(router)
    , m_worker(worker) {}

std::optional<ApiResult> RequestDispatcher::makeRequest(const QHttpServerRequest &in,
                                                        ApiRequest *out) {
    out->started.start();
    out->method = methodName(in.method());
    out->head = out->method == "HEAD";
    const auto headers = in.headers();
    out->headers.reserve(headers.size());
    for (const auto &h : headers)
        out->headers.append({h.first.toLower(), h.second});
    out->trace = TraceContext::fromHeader(out->header("traceparent"));
    out->remoteAddress = in.remoteAddress();
    const QUrl url = in.url();
    out->path = url.path(QUrl::FullyDecoded);
    out->rawPath = url.path(QUrl::FullyEncoded).toUtf8();
    if (out->method.isEmpty())
        return ApiResult::fromError(
            ApiError(ErrorCode::NotImplemented, QStringLiteral("This method is not supported."))
                .withHeader("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE"));
    // '+' in a query means a space (form encoding); a literal plus arrives as %2B.
    out->query = QUrlQuery(url.query(QUrl::FullyEncoded).replace(u'+', QStringLiteral("%20")));
    out->body = in.body();
    return std::nullopt;
}

ApiResult RequestDispatcher::route(ApiRequest &request) const {
    QStringList segments;
    // The path is split before decoding so an encoded '/' (%2F) stays inside one segment.
    if (!Router::splitPath(request.rawPath, &segments))
        return ApiResult::fromError(
            ApiError(ErrorCode::BadRequest, QStringLiteral("The request path is not valid.")));
    if (request.method == "CONNECT" || request.method == "TRACE")
        return ApiResult::fromError(
            ApiError(ErrorCode::NotImplemented, QStringLiteral("This method is not supported.")));
    const Router::Match m = m_router.match(request.method, segments);
    request.routeTemplate = m.routeTemplate;
    if (!m.handler) {
        if (m.allowed.isEmpty())
            return ApiResult::fromError(
                ApiError(ErrorCode::NotFound, QStringLiteral("No such resource.")));
        const QByteArray allow = m.allowed.join(", ");
        if (request.method == "OPTIONS") {
            ApiResult r = ApiResult::noContent();
            r.withHeader("Allow", allow);
            return r;
        }
        return ApiResult::fromError(
            ApiError(ErrorCode::MethodNotAllowed,
                     QStringLiteral("Use one of: %1.").arg(QString::fromLatin1(allow)))
                .withHeader("Allow", allow));
    }
    request.params = m.params;
    try {
        return (*m.handler)(request);
    } catch (const ApiError &error) {
        return ApiResult::fromError(error);
    } catch (const std::exception &e) {
        qCCritical(lcRequests).noquote() << "handler failed:" << e.what();
    } catch (...) {
        qCCritical(lcRequests) << "handler failed with an unknown exception";
    }
    return ApiResult::fromError(
        ApiError(ErrorCode::Internal, QStringLiteral("An internal error occurred.")));
}

void RequestDispatcher::write(QTcpSocket *socket, const ApiRequest &request, ApiResult result) {
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    result.withHeader("traceparent", request.trace.toHeader());
    if (result.header("cache-control").isEmpty())
        result.withHeader("Cache-Control", "no-store");
    result.withHeader("X-Content-Type-Options", "nosniff");
    ConnectionGuard *guard = ConnectionGuard::of(socket);
    const bool close = guard ? guard->responseWritten() : false;
    socket->write(HttpWire::encode(result, {request.head, close}));
    if (close)
        socket->disconnectFromHost();

    QJsonObject fields{
        {QStringLiteral("method"), QString::fromLatin1(request.method)},
        {QStringLiteral("route"),
         request.routeTemplate.isEmpty() ? QStringLiteral("(unmatched)") : request.routeTemplate},
        {QStringLiteral("status"), result.status},
        {QStringLiteral("duration_ms"), double(request.started.nsecsElapsed() / 1000) / 1000.0},
        {QStringLiteral("trace_id"), QString::fromLatin1(request.trace.traceId)},
        {QStringLiteral("remote"), request.remoteAddress.toString()}};
    if (!request.tenantId.isEmpty())
        fields.insert(QStringLiteral("tenant_id"), request.tenantId);
    if (result.error)
        fields.insert(QStringLiteral("code"),
                      QString::fromLatin1(ErrorCatalog::entry(result.error->code).code));
    StructuredLog::write(lcRequests(), QtInfoMsg, QStringLiteral("request"), fields);

    // Bounded labels: the route template (never the raw path), the method, the status class's
    // exact code, and the tenant (Metrics folds tenants beyond its series cap into "other").
    const QString route =
        request.routeTemplate.isEmpty() ? QStringLiteral("(unmatched)") : request.routeTemplate;
    const QString tenant = request.tenantId.isEmpty() ? QStringLiteral("none") : request.tenantId;
    Metrics &m = Metrics::instance();
    m.incrementCounter(QStringLiteral("tenantry_http_requests_total"),
                       {{QStringLiteral("route"), route},
                        {QStringLiteral("method"), QString::fromLatin1(request.method)},
                        {QStringLiteral("status"), QString::number(result.status)},
                        {QStringLiteral("tenant"), tenant}});
    m.observe(QStringLiteral("tenantry_http_request_duration_seconds"),
              {{QStringLiteral("route"), route}, {QStringLiteral("tenant"), tenant}},
              double(request.started.nsecsElapsed()) / 1e9);
    if (!request.tenantId.isEmpty())
        UsageCounter::instance().add(request.tenantId);
}

void RequestDispatcher::dispatch(const QHttpServerRequest &in, QHttpServerResponder &&responder) {
    ApiRequest request;
    request.worker = &m_worker;
    ApiResult result;
    if (auto early = makeRequest(in, &request))
        result = std::move(*early);
    else
        result = route(request);
    write(responder.socket(), request, std::move(result));
}

} // namespace tenantry
