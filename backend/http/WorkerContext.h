// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadDatabase.h"
#include "core/TokenVerifier.h"

#include <optional>

namespace tenantry {

struct ServerContext;

// What one worker thread owns: its database connection (QtSql connections are thread-bound)
// and its token verifier built from the current key snapshot. Created inside the worker thread
// and never shared.
class WorkerContext {
public:
    WorkerContext(int index, const ConnectionSettings &runtime, ServerContext *server = nullptr);

    int index() const { return m_index; }
    ThreadDatabase &database() { return m_db; }
    ServerContext *server() const { return m_server; }
    // Null when the server has no identity configured (tests of the bare engine).
    const TokenVerifier *verifier();

private:
    int m_index;
    ThreadDatabase m_db;
    ServerContext *m_server;
    std::optional<TokenVerifier> m_verifier;
    quint64 m_verifierGeneration = 0;
};

} // namespace tenantry
