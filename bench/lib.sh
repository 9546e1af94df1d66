# SPDX-License-Identifier: GPL-3.0-or-later
# Shared helpers for the benchmark scripts in bench/. Sourced, not run.
#
# Everything here talks to 127.0.0.1 or to the embedded cluster's Unix socket only, and every
# load loop is bounded in time (wrk -d, pgbench -T, fixed iteration counts).

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${TENANTRY_BIN:-$BENCH_ROOT/build/release/app/tenantry-server}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
NPROC=$(nproc)
WORKERS=${WORKERS:-$NPROC}
DURATION=${DURATION:-10}
KEEP=${KEEP:-0}

# Say where a script died under set -e instead of exiting silently.
set -E
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

TMP=""
SERVER_PID=""
PORT=""
BASE=""
CLUSTER=""
SOCK=""

say() { printf '%s\n' "$*"; }
note() { printf '# %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

need_tools() {
  local missing=()
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (apt-get install wrk postgresql-contrib argon2 jq curl)"
}

# Release build (incremental). BENCH_NO_BUILD=1 skips it and uses $BIN as is.
build_release() {
  if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    note "building release preset (incremental)"
    "$BENCH_ROOT/packaging/build.sh" release -DTENANTRY_BUILD_UI=OFF >/dev/null ||
      die "release build failed (run packaging/build.sh release -DTENANTRY_BUILD_UI=OFF)"
  fi
  [ -x "$BIN" ] || die "no server binary at $BIN"
  note "binary $BIN built $(date -u -r "$BIN" +%Y-%m-%dT%H:%M:%SZ) (HEAD now $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
}

# Runs a PostgreSQL client tool against the embedded cluster. When we are root the cluster runs
# as the postgres account; root may use the 0700 socket directory directly (root bypasses
# directory permissions), so no account switch is needed for clients.
pg() {
  local tool=$1; shift
  "$PGBIN/$tool" -h "$SOCK" -U tenantry "$@"
}

make_tmp() {
  TMP=$(mktemp -d /tmp/tbench.XXXXXX)
  # Running as root, the embedded cluster runs as "postgres", which must be able to walk into
  # the data dir, otherwise the server keeps the cluster under /var/lib/tenantry/clusters.
  chmod 0711 "$TMP"
}

resolve_cluster() {
  if [ -f "$TMP/postgres.location" ]; then
    CLUSTER=$(head -n1 "$TMP/postgres.location")
  else
    CLUSTER="$TMP/postgres"
  fi
  # The server moves the socket to /tmp/tenantry-pg-<hash> when <cluster>/run is too long for
  # sun_path; postgresql.conf has the truth.
  SOCK=$(sed -n "s/^unix_socket_directories = '\(.*\)'$/\1/p" "$CLUSTER/postgresql.conf" | tail -n1)
  [ -n "$SOCK" ] || SOCK="$CLUSTER/run"
}

# start_server LOGFILE [extra serve args...]
start_server() {
  local log=$1; shift
  "$BIN" serve --data-dir "$TMP" --listen 127.0.0.1:0 --workers "$WORKERS" --log-format json \
    "$@" >"$TMP/server.stdout" 2>"$log" &
  SERVER_PID=$!
  local i
  for ((i = 0; i < 1200; i++)); do # up to 120 s (first start runs initdb and migrations)
    PORT=$(sed -n 's#^tenantry-server: serving http://127\.0\.0\.1:\([0-9]*\)$#\1#p' "$TMP/server.stdout")
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$log" >&2; die "server exited during start"; }
    sleep 0.1
  done
  [ -n "$PORT" ] || die "server did not report its port within 120 s"
  BASE="http://127.0.0.1:$PORT"
  for ((i = 0; i < 100; i++)); do
    curl -fs -o /dev/null "$BASE/readyz" && break
    sleep 0.1
  done
  curl -fs -o /dev/null "$BASE/readyz" || die "server at $BASE never became ready"
  resolve_cluster
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
threads_of() { awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# Sends SIGTERM, waits (bounded) and sets DRAIN_MS and EXIT_CODE.
stop_server() {
  DRAIN_MS="" EXIT_CODE=""
  [ -n "$SERVER_PID" ] || return 0
  local t0 t1 state i
  t0=$(date +%s%N)
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for ((i = 0; i < 1200; i++)); do # up to 120 s
    state=$(awk '{print $3}' "/proc/$SERVER_PID/stat" 2>/dev/null || true)
    [ -z "$state" ] || [ "$state" = Z ] && break
    sleep 0.05
  done
  t1=$(date +%s%N)
  if [ -n "$state" ] && [ "$state" != Z ]; then
    note "server did not exit 120 s after SIGTERM; sending SIGKILL"
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  EXIT_CODE=0
  wait "$SERVER_PID" || EXIT_CODE=$?
  DRAIN_MS=$(((t1 - t0) / 1000000))
  SERVER_PID=""
}

cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 600; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$CLUSTER" ] && [ -f "$CLUSTER/postmaster.pid" ]; then
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$PGBIN/pg_ctl" stop -D "$CLUSTER" -m fast -w -t 60 -s >/dev/null 2>&1 || true
    else
      "$PGBIN/pg_ctl" stop -D "$CLUSTER" -m fast -w -t 60 -s >/dev/null 2>&1 || true
    fi
  fi
  if [ "$KEEP" = 1 ]; then
    note "kept $TMP"
  elif [ -n "$TMP" ]; then
    [ -n "$CLUSTER" ] && [ "$CLUSTER" != "$TMP/postgres" ] && rm -rf "$CLUSTER"
    rm -rf "$TMP"
  fi
  return $rc
}

# CPU time (clock ticks, user+system) of one process, and of the embedded cluster's postmaster
# and all its children (the backends serving the server and pgbench). Backends that have exited
# (pgbench's) are counted through the postmaster's cutime/cstime.
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_cpu_ticks() {
  local pm
  pm=$(head -n1 "$CLUSTER/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  # /proc/PID/stat: field 2 (comm) has no spaces for postgres processes.
  # Processes come and go while we read /proc: cat may fail on some, which is fine.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } |
    awk -v pm="$pm" '$1 == pm {t += $14 + $15 + $16 + $17} $4 == pm {t += $14 + $15} END {print t + 0}'
}

# wrk_run LABEL URL THREADS CONNS [extra wrk args...] -> prints one summary line and sets
# W_RPS, W_P50, W_P99, W_AVG, W_NON2XX, W_ERRS, W_REQS.
wrk_run() {
  local label=$1 url=$2 t=$3 c=$4; shift 4
  local out s0 s1 p0 p1
  s0=$(cpu_ticks "$SERVER_PID") p0=$(pg_cpu_ticks)
  out=$(wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 5s --latency "$@" "$url" 2>&1)
  s1=$(cpu_ticks "$SERVER_PID") p1=$(pg_cpu_ticks)
  printf '%s\n' "$out" >>"$TMP/wrk.txt"
  W_RPS=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  W_REQS=$(awk '/requests in/ {print $1}' <<<"$out")
  W_AVG=$(awk '$1 == "Latency" {print $2; exit}' <<<"$out")
  W_P50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  W_P99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  W_NON2XX=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  W_ERRS=$(awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print}' <<<"$out")
  # CPU per request: robust against other load on the machine, unlike req/s.
  W_SRV_US=$(awk -v d=$((s1 - s0)) -v n="${W_REQS:-0}" -v hz="$CLK_TCK" 'BEGIN {if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "?"}')
  W_PG_US=$(awk -v d=$((p1 - p0)) -v n="${W_REQS:-0}" -v hz="$CLK_TCK" 'BEGIN {if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "?"}')
  printf '%-34s %10s req/s  avg %-8s p50 %-8s p99 %-8s cpu/req server %6s us, postgres %6s us  non2xx %s errors %s\n' \
    "$label" "${W_RPS:-?}" "${W_AVG:-?}" "${W_P50:-?}" "${W_P99:-?}" "$W_SRV_US" "$W_PG_US" "${W_NON2XX:-0}" "${W_ERRS:-none}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }

# Summarises the JSON server log: lines per level, statuses of request lines, and the distinct
# messages of warnings and errors (these matter more than the throughput). grep/sed rather than
# jq: the log has one line per request, easily millions of lines.
log_summary() {
  local log=$1
  note "server log: $(wc -l <"$log") lines, $(du -h "$log" | cut -f1)"
  note "lines per level:"
  grep -o '"level":"[a-z]*"' "$log" | sort | uniq -c | sed 's/^/#   /'
  local bad
  bad=$(grep -vc '^{' "$log" || true)
  [ "$bad" = 0 ] || note "non-JSON lines in the log: $bad (first: $(grep -v '^{' "$log" | head -n1 | cut -c1-200))"
  note "request lines per route and status:"
  # Compact QJsonDocument output sorts keys, so "route" is directly followed by "status".
  grep -o '"route":"[^"]*","status":[0-9]*' "$log" | sort | uniq -c | sort -rn | head -n 12 |
    sed 's/^/#   /'
  note "distinct warning/error messages (count, category, msg):"
  { grep -E '"level":"(warning|error|fatal)"' "$log" || true; } |
    jq -r '"\(.category) \(.msg) \(.reason // "")"' | cut -c1-200 | sort | uniq -c | sort -rn |
    head -n 15 | sed 's/^/#   /'
  return 0
}

# Other work on the machine skews every number here (e.g. compilers of other sessions).
noise() {
  local running
  running=$(ps -eo stat=,comm= 2>/dev/null | awk '$1 ~ /^R/ && $2 != "ps" && $2 != "awk" {print $2}' | sort | uniq -c |
    awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}' || true)
  note "load average $(cut -d' ' -f1-3 /proc/loadavg); running now: ${running:-nothing}"
}
