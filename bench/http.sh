#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# HTTP engine and simplest database route, each against a baseline measured in the same run.
#
#   bench/http.sh                 # WORKERS=nproc, DURATION=10, RUNS=1
#   WORKERS=1 RUNS=3 bench/http.sh
#
# Starts a throw-away server on the embedded PostgreSQL in a temp data dir, runs wrk against
# /healthz (no DB) and /readyz (one DB round trip on the worker's own connection), pgbench
# select-only against the same cluster, and prints numbers and ratios:
#   readyz req/s / pgbench -S tps (same run, same cluster, same machine)
#   healthz req/s / 42.2k req/s   (ANCHOR: Qt HTTP Server hello world, one core, another 2-core
#                                  machine; ../shared/reference/qt-httpserver-6.4.md §9)
# Not a test; CI does not run it. All traffic goes to 127.0.0.1 and the cluster's Unix socket.
# Env: WORKERS, DURATION (s per wrk/pgbench run), RUNS, CONNS (default 64), PGBENCH_SCALE (10),
#      BENCH_NO_BUILD=1, KEEP=1 (keep the temp dir and the server log), TENANTRY_BIN.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-1}
CONNS=${CONNS:-64}
PGBENCH_SCALE=${PGBENCH_SCALE:-10}
ANCHOR_HELLO=42200 # req/s, median of 5, 1 server thread, wrk on the same 2-vCPU machine

need_tools wrk curl jq awk
[ -x "$PGBIN/pgbench" ] || die "no $PGBIN/pgbench (apt-get install postgresql-contrib / postgresql-15)"
build_release
trap cleanup EXIT
make_tmp

say "== tenantry http bench =="
say "date       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "commit     $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$BENCH_ROOT" diff --quiet HEAD -- backend app 2>/dev/null || echo ' (+local changes)')"
say "machine    $NPROC cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
say "server     $BIN --workers $WORKERS (embedded PostgreSQL, data dir $TMP)"
say "load       wrk -c$CONNS -d${DURATION}s --latency, runs=$RUNS; wrk, server and PostgreSQL share the machine"

LOG="$TMP/server.log"
start_server "$LOG"
say "listening  $BASE (pid $SERVER_PID, $(threads_of "$SERVER_PID") threads); cluster $CLUSTER, socket $SOCK"
RSS0=$(rss_kib "$SERVER_PID")
say "rss idle   ${RSS0} KiB"

# pgbench tables in their own database, created before the HTTP runs so that the load and the
# checkpoint it causes are over before anything is measured.
pg psql -X -q -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
pg pgbench -i -q -s "$PGBENCH_SCALE" pgbench >"$TMP/pgbench-init.txt" 2>&1 ||
  { cat "$TMP/pgbench-init.txt" >&2; die "pgbench -i failed"; }
pg psql -X -q -d pgbench -c 'VACUUM ANALYZE' -c 'CHECKPOINT' >/dev/null
PGVER=$(pg psql -X -At -d postgres -c 'SHOW server_version')
say "postgres   $PGVER; pgbench scale $PGBENCH_SCALE in database \"pgbench\""

note "warm-up (not recorded)"
wrk -t1 -c"$CONNS" -d3s "$BASE/healthz" >/dev/null
wrk -t1 -c"$CONNS" -d3s "$BASE/readyz" >/dev/null

declare -A BEST
keep_best() { BEST[$1]="${BEST[$1]:-} $2"; } # every run's value; the summary takes the median
median() { tr ' ' '\n' <<<"$1" | awk 'NF' | sort -n | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

for ((run = 1; run <= RUNS; run++)); do
  say ""
  say "-- run $run/$RUNS"
  noise
  for path in healthz readyz; do
    for t in 1 2; do
      wrk_run "/$path wrk -t$t -c$CONNS" "$BASE/$path" "$t" "$CONNS"
      keep_best "$path-$t" "$W_RPS"
      keep_best "cpu-$path-$t" "$W_SRV_US"
      keep_best "pgcpu-$path-$t" "$W_PG_US"
      [ -z "$W_NON2XX" ] || note "INVALID: /$path had $W_NON2XX non-2xx responses"
    done
  done
  p0=$(pg_cpu_ticks)
  out=$(pg pgbench -n -S -c "$WORKERS" -j "$WORKERS" -T "$DURATION" pgbench 2>&1)
  p1=$(pg_cpu_ticks)
  printf '%s\n' "$out" >>"$TMP/pgbench.txt"
  tps=$(awk '/without initial connection time/ {printf "%.0f", $3}' <<<"$out")
  lat=$(awk '/^latency average/ {print $4}' <<<"$out")
  n=$(awk '/number of transactions actually processed/ {print $NF}' <<<"$out")
  pgus=$(awk -v d=$((p1 - p0)) -v n="${n:-0}" -v hz="$CLK_TCK" 'BEGIN {if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "?"}')
  printf '%-34s %10s tps    avg %s ms  cpu/txn postgres %s us\n' "pgbench -S -c$WORKERS -j$WORKERS (simple)" "$tps" "$lat" "$pgus"
  keep_best pgcpu "$pgus"
  keep_best pgbench "$tps"
done

noise
RSS1=$(rss_kib "$SERVER_PID")
HWM=$(hwm_kib "$SERVER_PID")
say ""
say "rss after  ${RSS1} KiB (idle ${RSS0} KiB, delta $((RSS1 - RSS0)) KiB), peak VmHWM ${HWM} KiB"

stop_server
say "shutdown   SIGTERM -> exit in ${DRAIN_MS} ms, exit code $EXIT_CODE"
# Server-side split of that time: signal received -> workers drained -> PostgreSQL stopped.
jq -r 'select(.msg | test("draining|stopped")) | "#   \(.ts) \(.category) \(.msg)"' "$LOG" 2>/dev/null || true

H1=$(median "${BEST[healthz-1]}") H2=$(median "${BEST[healthz-2]}")
R1=$(median "${BEST[readyz-1]}") R2=$(median "${BEST[readyz-2]}")
PB=$(median "${BEST[pgbench]}")
say ""
say "== summary (median of $RUNS run(s)) =="
say "/healthz  wrk -t1: $H1 req/s   wrk -t2: $H2 req/s"
say "/readyz   wrk -t1: $R1 req/s   wrk -t2: $R2 req/s"
say "pgbench -S (-c$WORKERS, simple protocol, same cluster): $PB tps"
say "ratio readyz(-t1) / pgbench -S tps  = $(ratio "$R1" "$PB")   (same run)"
say "ratio readyz(-t2) / pgbench -S tps  = $(ratio "$R2" "$PB")   (same run)"
say "ratio healthz(-t1) / anchor 42.2k   = $(ratio "$H1" $ANCHOR_HELLO)   (ANCHOR from another machine: Qt hello world, 1 thread)"
say "ratio healthz(-t2) / anchor 42.2k   = $(ratio "$H2" $ANCHOR_HELLO)   (ANCHOR from another machine)"
# CPU per request does not depend on what else runs on the machine, req/s does.
HC=$(median "${BEST[cpu-healthz-1]}") RC=$(median "${BEST[cpu-readyz-1]}")
RPC=$(median "${BEST[pgcpu-readyz-1]}") PBC=$(median "${BEST[pgcpu]}")
ANCHOR_US=$(awk -v a=$ANCHOR_HELLO 'BEGIN {printf "%.1f", 1e6 / a}')
say "server CPU per request: /healthz $HC us, /readyz $RC us; postgres CPU per /readyz $RPC us, per pgbench -S txn $PBC us"
say "ratio anchor CPU/request (${ANCHOR_US} us) / healthz CPU/request = $(ratio "$ANCHOR_US" "$HC")   (ANCHOR from another machine)"
say "ratio postgres CPU: per pgbench txn / per /readyz = $(ratio "$PBC" "$RPC")   (same run)"
say ""
log_summary "$LOG"
[ "$KEEP" = 1 ] && note "raw wrk output: $TMP/wrk.txt, pgbench: $TMP/pgbench.txt, log: $LOG"
exit 0
