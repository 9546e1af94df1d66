// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/WorkerContext.h"

namespace tenantry {

WorkerContext::WorkerContext(int index, const ConnectionSettings &runtime)
    : m_index(index)
    , m_db(runtime, QStringLiteral("tenantry-worker-%1").arg(index))
{
}

} // namespace tenantry
