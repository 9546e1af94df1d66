// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace tenantry {

// `tenantry-server` as a library function, so the executable is a one-line main() and tests can
// drive the same code. Exit codes: 0 success, 1 operation failed, 2 bad usage.
class ServerCommandLine {
public:
    static int run(int argc, char **argv);
};

} // namespace tenantry
