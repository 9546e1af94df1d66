// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiError.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QMetaType>
#include <QUrl>

#include <optional>

namespace tenantry::client {

// What the console knows about its server, from /healthz and /readyz.
class ServerStatus {
    Q_DECLARE_TR_FUNCTIONS(tenantry::client::ServerStatus)

public:
    enum class State {
        Unknown,      // not checked yet
        Unreachable,  // no HTTP answer: refused, unresolvable, timed out, TLS failure
        Incompatible, // an HTTP answer, but not the contract's (404, not JSON, ...)
        Starting,     // the process answers, but /healthz says 503: still starting
        NotReady,     // /healthz ok, /readyz 503 (database unreachable or not migrated)
        Ready,        // /readyz ok, schema_version known
    };

    State state = State::Unknown;
    QUrl server;
    std::optional<ApiError> error; // for every state but Unknown and Ready
    QString detail;                // the server's detail for NotReady / Starting
    int schemaVersion = -1;        // Ready only
    qint64 latencyMs = -1;         // round trip of /healthz, when it answered
    QDateTime checkedAt;           // when this result was obtained (UTC)
    int nextCheckInMs = -1;        // when the probe looks again

    bool isUp() const { return state == State::Ready; }
    // Short, translated: "Ready", "Unreachable", ...
    static QString stateLabel(State state);
    // One translated sentence describing this status.
    QString summary() const;
};

} // namespace tenantry::client

Q_DECLARE_METATYPE(tenantry::client::ServerStatus)
