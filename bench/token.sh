#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Identity hot paths, each against a baseline measured in the same run.
#
#   bench/token.sh                # WORKERS=nproc, DURATION=10
#
# 1. POST /v1/auth/token (password grant: one Argon2id verify, m=19456 KiB t=2 p=1, plus token
#    issue and a refresh-token insert) vs. the raw Argon2id cost measured here with the argon2 CLI
#    at the same parameters: ratio tokens/s / (argon2 hashes/s per core x min(workers, cores)).
# 2. GET /v1/{tid}/users/me with a bearer token (token verification + one read-only tenant
#    transaction) vs. GET /readyz (one plain SELECT) in the same run.
# Not a test; CI does not run it. All traffic goes to 127.0.0.1.
# Env: WORKERS, DURATION, CONNS (64, for the GET routes), TOKEN_CONNS (default 2 x WORKERS),
#      ARGON2_SAMPLES (20), BENCH_NO_BUILD=1, KEEP=1, TENANTRY_BIN.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CONNS=${CONNS:-64}
TOKEN_CONNS=${TOKEN_CONNS:-$((2 * WORKERS))}
ARGON2_SAMPLES=${ARGON2_SAMPLES:-20}
EMAIL=o@bench.example
PASSWORD='bench password 123'
WRKDIR="$(cd "$(dirname "$0")" && pwd)/wrk"

need_tools wrk curl jq awk argon2
build_release
trap cleanup EXIT
make_tmp

say "== tenantry token bench =="
say "date       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "commit     $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "machine    $NPROC cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
say "server     $BIN --workers $WORKERS (embedded PostgreSQL); wrk and server share the machine"

# Raw Argon2id cost, one core, the server's parameters. The CLI prints its own hashing time, so
# process start-up is not counted.
salt=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
for ((i = 0; i < ARGON2_SAMPLES; i++)); do
  printf '%s' "$PASSWORD" | argon2 "$salt" -id -k 19456 -t 2 -p 1 -l 32 | awk '/seconds/ {print $1}'
done >"$TMP/argon2.txt"
A_MED=$(sort -n "$TMP/argon2.txt" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
A_PER_S=$(awk -v s="$A_MED" 'BEGIN {printf "%.1f", 1 / s}')
CORES_USED=$((WORKERS < NPROC ? WORKERS : NPROC))
A_MAX=$(awk -v a="$A_PER_S" -v c="$CORES_USED" 'BEGIN {printf "%.1f", a * c}')
say "argon2id   m=19456 KiB t=2 p=1: median ${A_MED} s/hash over $ARGON2_SAMPLES -> ${A_PER_S}/s per core, ${A_MAX}/s on $CORES_USED core(s)"

"$BIN" tenant create --data-dir "$TMP" --name Bench --owner-email "$EMAIL" \
  --owner-password "$PASSWORD" >"$TMP/tenant.json" 2>"$TMP/tenant-create.log" ||
  { cat "$TMP/tenant-create.log" >&2; die "tenant create failed"; }
TID=$(jq -r '.id' "$TMP/tenant.json")
SLUG=$(jq -r '.slug' "$TMP/tenant.json")
say "tenant     $SLUG ($TID), owner $EMAIL"

LOG="$TMP/server.log"
start_server "$LOG"
RSS0=$(rss_kib "$SERVER_PID")
say "listening  $BASE (pid $SERVER_PID), rss idle ${RSS0} KiB"

FORM="grant_type=password&tenant=$SLUG&username=o%40bench.example&password=bench+password+123"
resp=$(curl -fsS -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "$FORM" \
  "$BASE/v1/auth/token") || die "password grant failed"
TOKEN=$(jq -r '.access_token' <<<"$resp")
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || die "no access_token in $resp"
say "token      $(jq -r '.token_type + ", expires_in " + (.expires_in|tostring) + " s"' <<<"$resp"), ${#TOKEN} chars"
curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/v1/$TID/users/me" >/dev/null ||
  die "GET /v1/$TID/users/me with the token failed"

note "warm-up (not recorded)"
BENCH_TOKEN=$TOKEN wrk -t1 -c"$CONNS" -d3s -s "$WRKDIR/bearer.lua" "$BASE/v1/$TID/users/me" >/dev/null

say ""
noise
# One connection first: if -c$TOKEN_CONNS is not ~min(workers, cores) times faster, sign-ins of
# one account are serialised somewhere (the grant locks the user row FOR UPDATE around the hash).
BENCH_FORM_BODY=$FORM wrk_run "POST /v1/auth/token -t1 -c1" "$BASE/v1/auth/token" 1 1 \
  -s "$WRKDIR/post-form.lua"
TOK1_RPS=$W_RPS
BENCH_FORM_BODY=$FORM wrk_run "POST /v1/auth/token -t1 -c$TOKEN_CONNS" "$BASE/v1/auth/token" 1 \
  "$TOKEN_CONNS" -s "$WRKDIR/post-form.lua"
TOK_RPS=$W_RPS
TOK_CPU=$W_SRV_US
[ -z "$W_NON2XX" ] || note "INVALID: token endpoint had $W_NON2XX non-2xx responses"

for t in 1 2; do
  BENCH_TOKEN=$TOKEN wrk_run "GET users/me -t$t -c$CONNS" "$BASE/v1/$TID/users/me" "$t" "$CONNS" \
    -s "$WRKDIR/bearer.lua"
  eval "ME$t=\$W_RPS"
  [ -z "$W_NON2XX" ] || note "INVALID: users/me had $W_NON2XX non-2xx responses"
  wrk_run "GET /readyz -t$t -c$CONNS" "$BASE/readyz" "$t" "$CONNS"
  eval "RZ$t=\$W_RPS"
done

noise
RSS1=$(rss_kib "$SERVER_PID")
HWM=$(hwm_kib "$SERVER_PID")
say ""
say "rss after  ${RSS1} KiB (idle ${RSS0} KiB, delta $((RSS1 - RSS0)) KiB), peak VmHWM ${HWM} KiB"
stop_server
say "shutdown   SIGTERM -> exit in ${DRAIN_MS} ms, exit code $EXIT_CODE"

say ""
say "== summary =="
say "tokens/s $TOK_RPS (-c$TOKEN_CONNS), $TOK1_RPS (-c1) -> scaling $(ratio "$TOK_RPS" "$TOK1_RPS") (ideal ~$CORES_USED)"
say "tokens/s $TOK_RPS; raw argon2id (CLI) ${A_MAX}/s on $CORES_USED core(s) -> ratio $(ratio "$TOK_RPS" "$A_MAX")"
say "server CPU per token ${TOK_CPU} us vs argon2 CLI $(awk -v s="$A_MED" 'BEGIN {printf "%.0f", s * 1e6}') us per hash -> ratio $(ratio "$TOK_CPU" "$(awk -v s="$A_MED" 'BEGIN {print s * 1e6}')")"
say "users/me -t1 $ME1 req/s vs /readyz $RZ1 -> ratio $(ratio "$ME1" "$RZ1")"
say "users/me -t2 $ME2 req/s vs /readyz $RZ2 -> ratio $(ratio "$ME2" "$RZ2")"
say ""
log_summary "$LOG"
exit 0
