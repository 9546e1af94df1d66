#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures (once) and builds one CMake preset: dev, asan or release. Incremental on re-runs.
set -euo pipefail
preset=${1:-dev}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CCACHE_DIR=${CCACHE_DIR:-$root/build/.ccache}
if [ ! -f "build/$preset/CMakeCache.txt" ]; then
  cmake --preset "$preset" "$@" >/dev/null
fi
cmake --build --preset "$preset" -- -j"$(nproc)"
