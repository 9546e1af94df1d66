#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Access-token verification on one core (issue 3), next to `openssl speed` on the same machine.
#
#   bench/verify.sh               # SECONDS_PER_RUN=2
#
# 1. Builds build/bench (Release, -DTENANTRY_BUILD_BENCH=ON, UI and tests off; ninja target
#    verify_bench only) unless BENCH_NO_BUILD=1.
# 2. Runs verify_bench under `taskset -c 0`: for ES256 and EdDSA, uncached TokenVerifier::verify,
#    SigningKey::verify alone, and a cache hit (SHA-256 of the token + QHash lookup + exp check).
# 3. Runs `openssl speed -seconds N ecdsap256 ed25519` (one process, also on CPU 0) and prints
#    ratios: our uncached verify/s / openssl verify/s, per algorithm.
# Not a test; CI does not run it. No network, no server, no database.
# Env: SECONDS_PER_RUN (2), BENCH_NO_BUILD=1, BUILD_DIR (build/bench), OPENSSL (openssl).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build/bench}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-2}
OPENSSL=${OPENSSL:-openssl}
BIN=$BUILD_DIR/bench/verify/verify_bench

die() { printf 'verify.sh: %s\n' "$*" >&2; exit 1; }
for t in cmake ninja taskset awk "$OPENSSL"; do
  command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"
done

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  printf '# building %s (Release, target verify_bench)\n' "$BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTENANTRY_BUILD_BENCH=ON \
    -DTENANTRY_BUILD_UI=OFF -DTENANTRY_BUILD_TESTS=OFF >/dev/null || die "configure failed"
  cmake --build "$BUILD_DIR" --target verify_bench >/dev/null || die "build failed"
fi
[ -x "$BIN" ] || die "no benchmark binary at $BIN"

OUT=$(mktemp /tmp/verify-bench.XXXXXX)
trap 'rm -f "$OUT" "$OUT.ssl"' EXIT

printf '== tenantry token verification bench ==\n'
printf 'date       %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf 'commit     %s\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
printf 'machine    %s cores, %s\n' "$(nproc)" \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
printf 'openssl    %s\n' "$("$OPENSSL" version)"
printf 'load       %s (loadavg 1/5/15 min)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '# both programs run single-threaded on CPU 0 (taskset -c 0); other processes may be\n'
printf '# using CPU 0 or the other core(s) at the same time, so treat the numbers as a lower bound.\n\n'

taskset -c 0 "$BIN" "$SECONDS_PER_RUN" | tee "$OUT"

printf '\n# openssl speed -seconds %s ecdsap256 ed25519 (one process, CPU 0)\n' "$SECONDS_PER_RUN"
taskset -c 0 "$OPENSSL" speed -seconds "$SECONDS_PER_RUN" ecdsap256 ed25519 >"$OUT.ssl" 2>/dev/null ||
  die "openssl speed failed"
grep -E 'nistp256|Ed25519|sign/s' "$OUT.ssl" | sed 's/^/  /'

# openssl prints "... 256 bits ecdsa (nistp256)  0.0000s 0.0001s 40000.0 13000.0": the last two
# fields are sign/s and verify/s.
ssl_verify() { awk -v pat="$1" 'index($0, pat) { v = $NF } END { print v + 0 }' "$OUT.ssl"; }
ours() { awk -v alg="$1" -v kind="$2" '$1 == "RESULT" && $2 == alg && $3 == kind { print $4 }' "$OUT"; }
ours_best() { awk -v alg="$1" -v kind="$2" '$1 == "RESULT" && $2 == alg && $3 == kind { print $6 }' "$OUT"; }

SSL_ES=$(ssl_verify '(nistp256)')
SSL_ED=$(ssl_verify '(Ed25519)')

printf '\n== side by side (verifications per second, one core; ours: mean of 8 rounds) ==\n'
printf '%-6s %10s %10s %10s %10s %11s %9s %9s %9s\n' alg openssl signature uncached cached \
  cached-ossl unc/ossl sig/ossl best-unc/ossl
for pair in "ES256 $SSL_ES" "EdDSA $SSL_ED"; do
  set -- $pair
  alg=$1 ssl=$2
  unc=$(ours "$alg" uncached) sig=$(ours "$alg" signature) cac=$(ours "$alg" cached)
  cao=$(ours "$alg" cached_ossl) ubest=$(ours_best "$alg" uncached)
  awk -v a="$alg" -v s="$ssl" -v g="$sig" -v u="$unc" -v c="$cac" -v o="$cao" -v b="$ubest" 'BEGIN {
    ru = (s > 0) ? sprintf("%.2f", u / s) : "n/a"
    rg = (s > 0) ? sprintf("%.2f", g / s) : "n/a"
    rb = (s > 0) ? sprintf("%.2f", b / s) : "n/a"
    printf "%-6s %10.0f %10.0f %10.0f %10.0f %11.0f %9s %9s %9s\n", a, s, g, u, c, o, ru, rg, rb
  }'
done
printf '\n# unc/ossl = our uncached TokenVerifier::verify per second / openssl speed verify per\n'
printf '# second; best-unc/ossl uses our best 0.25 s round instead of the mean; sig/ossl =\n'
printf '# SigningKey::verify alone / openssl. cached = SHA-256 (QCryptographicHash) of the token +\n'
printf '# QHash hit + exp check; cached-ossl = the same with OpenSSL SHA256().\n'
printf '# openssl speed ecdsap256 verifies a fixed 20-byte "digest" with a key set up once (no\n'
printf '# SHA-256 of the message, no DER conversion, no context set-up per call); ed25519 verifies a\n'
printf '# 20-byte message with a reused context. Ours hash and verify the real header.payload (~500\n'
printf '# bytes) and set up an EVP_MD_CTX on every call.\n'
printf '# Other processes may be using the other core (and CPU 0) during the run; loadavg above.\n'
