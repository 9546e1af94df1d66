#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The second README command (and what CI runs): install what is missing, build, run the whole
# suite against real PostgreSQL, then the backend suite again under ASan + UBSan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/packaging/deps.sh" test
"$root/packaging/build.sh" dev
ctest --preset dev
if [ "${TENANTRY_SKIP_ASAN:-0}" != 1 ]; then
  "$root/packaging/build.sh" asan -DTENANTRY_BUILD_UI=OFF
  ctest --preset asan -L 'backend|fixture'
fi
