// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/ConsoleApplication.h"

int main(int argc, char **argv) {
    return tenantry::ConsoleApplication::run(argc, argv);
}
