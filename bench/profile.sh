#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where the server spends its time on one route: perf record -g on the server process while wrk
# loads the route, then the top symbols (self and children). Also lists the SQL statements one
# request sends (statement logging on the throw-away cluster only).
#
#   bench/profile.sh healthz | readyz | me      (default: healthz)
#
# Needs perf (apt-get install linux-perf). Numbers under perf are lower than in bench/http.sh;
# use this for the shape of the profile only. All traffic goes to 127.0.0.1.
# Env: WORKERS, DURATION (perf window, default 10), CONNS (64), BENCH_NO_BUILD=1, KEEP=1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUTE=${1:-healthz}
CONNS=${CONNS:-64}
WRKDIR="$(cd "$(dirname "$0")" && pwd)/wrk"
need_tools wrk curl jq perf
build_release
trap cleanup EXIT
make_tmp

URL_PATH=/$ROUTE
WRK_ARGS=()
if [ "$ROUTE" = me ]; then
  "$BIN" tenant create --data-dir "$TMP" --name Bench --owner-email o@bench.example \
    --owner-password 'bench password 123' >"$TMP/tenant.json" 2>"$TMP/tenant-create.log" ||
    die "tenant create failed"
fi
start_server "$TMP/server.log"
if [ "$ROUTE" = me ]; then
  TID=$(jq -r .id "$TMP/tenant.json")
  TOKEN=$(curl -fsS -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "grant_type=password&tenant=$TID&username=o%40bench.example&password=bench+password+123" \
    "$BASE/v1/auth/token" | jq -r .access_token)
  export BENCH_TOKEN=$TOKEN
  URL_PATH=/v1/$TID/users/me
  WRK_ARGS=(-s "$WRKDIR/bearer.lua")
fi

# Statements of one request, from the cluster's own log.
pg psql -X -q -d postgres -c "ALTER SYSTEM SET log_statement = 'all'" -c 'SELECT pg_reload_conf()' >/dev/null
sleep 0.5
# Two requests first (caches warm, on each worker), then the one that is shown.
for _ in 1 2 3 4; do curl -fsS -o /dev/null -H "Authorization: Bearer ${BENCH_TOKEN:-}" "$BASE$URL_PATH"; done
sleep 0.5
before=$(wc -l <"$CLUSTER/postgres.log")
curl -fsS -o /dev/null -H "Authorization: Bearer ${BENCH_TOKEN:-}" "$BASE$URL_PATH"
sleep 0.5
say "== statements sent by one GET $URL_PATH after 4 warm-up requests (from postgres.log) =="
tail -n +"$((before + 1))" "$CLUSTER/postgres.log" | grep -o 'LOG:  statement: .*' | cut -c1-160 | sed 's/^/  /' || say "  (none)"
pg psql -X -q -d postgres -c 'ALTER SYSTEM RESET log_statement' -c 'SELECT pg_reload_conf()' >/dev/null

wrk -t1 -c"$CONNS" -d3s "${WRK_ARGS[@]}" "$BASE$URL_PATH" >/dev/null # warm-up
wrk -t1 -c"$CONNS" -d"$((DURATION + 2))s" "${WRK_ARGS[@]}" "$BASE$URL_PATH" >"$TMP/wrk-profile.txt" &
WRK_PID=$!
sleep 1
perf record -g -F 999 -p "$SERVER_PID" -o "$TMP/perf.data" -- sleep "$DURATION" 2>"$TMP/perf-record.log" >/dev/null
wait "$WRK_PID"
say "== wrk under perf: $(awk '/Requests\/sec/ {print $2}' "$TMP/wrk-profile.txt") req/s (perf lowers this) =="
report() { perf report -i "$TMP/perf.data" "$@" --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | cut -c1-110 | head -n 25 || true; }
say "== samples: $(perf report -i "$TMP/perf.data" --stdio 2>/dev/null | sed -n 's/^# Samples: \([^ ]*\).*/\1/p' | head -n1 || true) =="
say "== top symbols, self time (server process, all threads) =="
report --no-children --sort symbol
say "== top symbols, including callees =="
report --children --sort symbol
say "== self time by shared object =="
report --no-children --sort dso
say "== inside libcrypto (token verification) =="
report --no-children --sort symbol --dsos libcrypto.so.3
stop_server
exit 0
