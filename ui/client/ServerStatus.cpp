// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/ServerStatus.h"

namespace tenantry::client {

QString ServerStatus::stateLabel(State state) {
    switch (state) {
    case State::Unknown:
        return tr("Checking…");
    case State::Unreachable:
        return tr("Unreachable");
    case State::Incompatible:
        return tr("Unexpected answer");
    case State::Starting:
        return tr("Starting");
    case State::NotReady:
        return tr("Not ready");
    case State::Ready:
        return tr("Ready");
    }
    return {};
}

QString ServerStatus::summary() const {
    switch (state) {
    case State::Unknown:
        return tr("Checking the server…");
    case State::Ready:
        return tr("The server is up and ready (schema version %1).").arg(schemaVersion);
    case State::Starting:
        if (!detail.isEmpty())
            return tr("The server is starting: %1").arg(detail);
        return tr("The server is starting.");
    case State::NotReady:
    case State::Unreachable:
    case State::Incompatible:
        if (error)
            return error->userMessage();
        return stateLabel(state);
    }
    return {};
}

} // namespace tenantry::client
