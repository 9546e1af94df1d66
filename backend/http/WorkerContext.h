// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadDatabase.h"

namespace tenantry {

// What one worker thread owns: its database connection (QtSql connections are thread-bound),
// and later its caches. Created inside the worker thread and never shared.
class WorkerContext {
public:
    WorkerContext(int index, const ConnectionSettings &runtime);

    int index() const { return m_index; }
    ThreadDatabase &database() { return m_db; }

private:
    int m_index;
    ThreadDatabase m_db;
};

} // namespace tenantry
