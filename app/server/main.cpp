// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/ServerCommandLine.h"

int main(int argc, char **argv) {
    return tenantry::ServerCommandLine::run(argc, argv);
}
