// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiError.h"

#include <QByteArray>
#include <QList>
#include <QPair>

#include <optional>
#include <utility>

namespace tenantry::client {

// The outcome of one API call: either a value of T or an ApiError, plus what a status bar wants
// to show (HTTP status, attempts made, wall time including retries).
template <typename T> class ApiResult {
public:
    static ApiResult success(T value, int httpStatus) {
        ApiResult r;
        r.m_value = std::move(value);
        r.m_httpStatus = httpStatus;
        return r;
    }
    static ApiResult failure(ApiError error) {
        ApiResult r;
        r.m_httpStatus = error.httpStatus();
        r.m_error = std::move(error);
        return r;
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    // Precondition: ok().
    const T &value() const { return *m_value; }
    // Meaningful when !ok().
    const ApiError &error() const { return m_error; }
    int httpStatus() const { return m_httpStatus; }
    int attempts() const { return m_attempts; }
    qint64 elapsedMs() const { return m_elapsedMs; }
    QByteArray header(const QByteArray &lowerName) const {
        for (const auto &h : m_headers)
            if (h.first.toLower() == lowerName)
                return h.second;
        return {};
    }

    void setAttempts(int attempts) { m_attempts = attempts; }
    void setElapsedMs(qint64 ms) { m_elapsedMs = ms; }
    void setHeaders(QList<QPair<QByteArray, QByteArray>> headers) {
        m_headers = std::move(headers);
    }

private:
    std::optional<T> m_value;
    ApiError m_error;
    int m_httpStatus = 0;
    int m_attempts = 0;
    qint64 m_elapsedMs = 0;
    QList<QPair<QByteArray, QByteArray>> m_headers;
};

} // namespace tenantry::client
