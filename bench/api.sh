#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The tenant API against the database's own limits, in one run on one machine (issue 4,
# "Benchmark bench/api").
#
#   bench/api.sh                         # TENANTS=100, WORKERS=nproc, DURATION=10
#   TENANTS=20 DURATION=5 bench/api.sh   # quicker
#
# 1. Starts a throw-away server on the embedded PostgreSQL (temp data dir, like http.sh).
# 2. Provisions $TENANTS tenants (CLI `tenant create`, one owner each), LIFTS THEIR RATE LIMITS
#    (`tenant update --rate-limit-rps 100000 --rate-limit-burst 200000`, otherwise the tier's token
#    bucket answers 429 long before anything else is measured), gets one access token per tenant
#    (password grant) and creates one project per tenant.
# 3. pgbench -c64 -j2 -T$DURATION -M prepared in a scratch database on the same cluster:
#      read limit   = one prepared single-row SELECT per transaction (pgbench_accounts by pk)
#      commit limit = one prepared single-row INSERT per transaction (autocommit)
#    and, against the server's own tables, the statement sequences the server sends (below), so
#    the cost of the round trips is visible: "get-shape" (BEGIN / context / SELECT / COMMIT) and
#    "post-shape" (BEGIN / context / idempotency lookup / INSERT project / append_event /
#    INSERT idempotency record / COMMIT), at 64 clients and at $WORKERS clients (the server has
#    one connection per worker, so at most $WORKERS transactions are in flight).
# 4. wrk -t2 -c64 --latency: GET /v1/{t}/projects/{id} over all tenants (bench/wrk/api-get.lua,
#    tenant, token and project chosen per request) and POST /v1/{t}/projects with a unique
#    Idempotency-Key per request (bench/wrk/api-post.lua). Prints req/s, p50/p99, non-2xx, CPU per
#    request, and each ratio to its pgbench figure next to the targets of issue 4:
#      GET  >= 0.5  x read limit, p99 < 10 ms;   POST >= 0.25 x commit limit.
# 5. Statements per request: log_statement=all on the throw-away cluster for ONE GET and ONE POST
#    (after warm-up requests), then for a short loaded window (PREPARE/EXECUTE counts per request:
#    shows whether the per-connection statement cache holds).
# 6. perf record -g on the server PID while wrk loads the GET; top 10 symbols (self), top objects;
#    perf stat: syscalls and context switches of the server per GET.
#    Falls back to valgrind --tool=callgrind on a short run when perf cannot record.
#
# Not a test; CI does not run it. All traffic goes to 127.0.0.1 and the cluster's Unix socket;
# every load loop is bounded in time.
# Env: TENANTS (100), WORKERS (nproc), DURATION (10 s per wrk/pgbench run), CONNS (64),
#      WRK_THREADS (2), PGBENCH_SCALE (10), PROFILE (1; 0 skips step 6), PROFILE_SECONDS (10),
#      SHAPES (1; 0 skips the shape pgbench runs), BENCH_NO_BUILD=1, KEEP=1, TENANTRY_BIN.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TENANTS=${TENANTS:-100}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
PGBENCH_SCALE=${PGBENCH_SCALE:-10}
PROFILE=${PROFILE:-1}
PROFILE_SECONDS=${PROFILE_SECONDS:-10}
SHAPES=${SHAPES:-1}
PASSWORD='bench password 123'
WRKDIR="$(cd "$(dirname "$0")" && pwd)/wrk"
TARGET_GET=0.5
TARGET_GET_P99_MS=10
TARGET_POST=0.25

need_tools wrk curl jq awk
[ -x "$PGBIN/pgbench" ] || die "no $PGBIN/pgbench (apt-get install postgresql-15)"
build_release
trap cleanup EXIT
make_tmp

say "== tenantry API bench (issue 4) =="
say "date       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "commit     $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$BENCH_ROOT" diff --quiet HEAD -- backend app 2>/dev/null || echo ' (+local changes in backend/ app/)')"
say "machine    $NPROC cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
say "server     $BIN --workers $WORKERS (embedded PostgreSQL, data dir $TMP)"
say "load       wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s --latency; pgbench -c64 -j2 -T$DURATION -M prepared; wrk, server and PostgreSQL share the machine"
noise

LOG="$TMP/server.log"
start_server "$LOG"
say "listening  $BASE (pid $SERVER_PID, $(threads_of "$SERVER_PID") threads); cluster $CLUSTER, socket $SOCK"
PGVER=$(pg psql -X -At -d postgres -c 'SHOW server_version')
APPDB=$(pg psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY oid LIMIT 1")
say "postgres   $PGVER, application database \"$APPDB\"; $(pg psql -X -At -d postgres -c "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_sync_method')")"

# ---------------------------------------------------------------------------------------------
# Provisioning. The CLI talks to the running embedded cluster; the server's per-worker tenant
# cache picks new tenants up on first use.
t0=$(date +%s%N)
: >"$TMP/tenants.jsonl"
for ((i = 1; i <= TENANTS; i++)); do
  "$BIN" tenant create --data-dir "$TMP" --name "Bench $i" --owner-email "o$i@bench.example" \
    --owner-password "$PASSWORD" >>"$TMP/tenants.jsonl" 2>>"$TMP/tenant-create.log" ||
    { tail -n 5 "$TMP/tenant-create.log" >&2; die "tenant create $i failed"; }
done
t1=$(date +%s%N)
while read -r id; do
  "$BIN" tenant update --data-dir "$TMP" --tenant "$id" --rate-limit-rps 100000 \
    --rate-limit-burst 200000 >>"$TMP/tenant-update.jsonl" 2>>"$TMP/tenant-update.log" ||
    { tail -n 5 "$TMP/tenant-update.log" >&2; die "tenant update $id failed"; }
done < <(jq -r .id "$TMP/tenants.jsonl")
t2=$(date +%s%N)
say "tenants    $TENANTS created in $(((t1 - t0) / 1000000)) ms; rate limits LIFTED to 100000 rps / burst 200000 for all of them in $(((t2 - t1) / 1000000)) ms"

# One token and one project per tenant. Token requests run two at a time (Argon2 per grant).
TARGETS="$TMP/targets.txt"
get_target() { # id slug n -> "id token project owner"
  local id=$1 slug=$2 n=$3 tok pid
  tok=$(curl -fsS -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "grant_type=password&tenant=$slug&username=o$n%40bench.example&password=bench+password+123" \
    "$BASE/v1/auth/token" | jq -r .access_token) || return 1
  pid=$(curl -fsS -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: setup-$n" --data "{\"name\":\"Bench project $n\"}" \
    "$BASE/v1/$id/projects" | jq -r .id) || return 1
  [ -n "$tok" ] && [ "$tok" != null ] && [ -n "$pid" ] && [ "$pid" != null ] || return 1
  printf '%s %s %s\n' "$id" "$tok" "$pid"
}
export -f get_target
export BASE
t0=$(date +%s%N)
jq -r '[.id, .slug] | @tsv' "$TMP/tenants.jsonl" | awk '{print $1, $2, NR}' |
  xargs -P 2 -n 3 bash -c 'get_target "$@"' _ >"$TARGETS" || die "token or project setup failed"
t1=$(date +%s%N)
[ "$(wc -l <"$TARGETS")" = "$TENANTS" ] || die "only $(wc -l <"$TARGETS") of $TENANTS tenants have a token and a project"
say "tokens     $TENANTS access tokens + $TENANTS projects (POST via the API) in $(((t1 - t0) / 1000000)) ms"
read -r TID1 TOKEN1 PID1 < <(head -n1 "$TARGETS")
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN1" "$BASE/v1/$TID1/projects/$PID1" ||
  die "GET /v1/$TID1/projects/$PID1 failed"

# ---------------------------------------------------------------------------------------------
# Database limits (pgbench) in a scratch database on the same cluster, before the HTTP runs.
pg psql -X -q -d postgres -c 'CREATE DATABASE apibench' >/dev/null
pg pgbench -i -q -s "$PGBENCH_SCALE" apibench >"$TMP/pgbench-init.txt" 2>&1 ||
  { cat "$TMP/pgbench-init.txt" >&2; die "pgbench -i failed"; }
pg psql -X -q -d apibench \
  -c 'CREATE TABLE ins (id bigserial PRIMARY KEY, aid int NOT NULL, at timestamptz NOT NULL DEFAULT now())' \
  -c 'VACUUM ANALYZE' -c 'CHECKPOINT' >/dev/null
cat >"$TMP/read.sql" <<'EOF'
\set aid random(1, 100000 * :scale)
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
EOF
cat >"$TMP/insert.sql" <<'EOF'
\set aid random(1, 100000 * :scale)
INSERT INTO ins (aid) VALUES (:aid);
EOF

# The server's statement sequences, per tenant (one script per tenant, equal weights, so rows
# and audit hash-chain heads are spread like the wrk runs). Statement texts as in
# TenantPipeline.cpp / TenantRoutes.cpp / AuditLog.cpp (parameters inlined where QPSQL inlines
# them too, since QPSQL's EXECUTE sends literals).
mkdir -p "$TMP/shapes"
COLS="id::text, name, owner_id::text, created_at, updated_at, (extract(epoch FROM created_at) * 1000000)::bigint"
n=0
while read -r id tok pid; do
  n=$((n + 1))
  j=$(sed -n "${n}p" "$TMP/tenants.jsonl")
  schema=$(jq -r '.schema // .schema_name // empty' <<<"$j")
  owner=$(jq -r '.owner_user_id // empty' <<<"$j")
  [ -n "$schema" ] && [ -n "$owner" ] || { SHAPES=0; break; }
  qs="\"$schema\""
  cat >"$TMP/shapes/get-$n.sql" <<EOF
BEGIN;
SELECT set_config('app.current_tenant', '$id', true), CASE WHEN true THEN set_config('transaction_read_only', 'on', true) END, CASE WHEN false THEN pg_try_advisory_xact_lock(0) ELSE true END, u.role, u.status FROM $qs.users u WHERE u.id = '$owner'::uuid;
SELECT $COLS FROM $qs.projects WHERE id = '$pid'::uuid;
COMMIT;
EOF
  cat >"$TMP/shapes/post-$n.sql" <<EOF
\set r random(1, 1000000000)
BEGIN;
SELECT set_config('app.current_tenant', '$id', true), CASE WHEN false THEN set_config('transaction_read_only', 'on', true) END, CASE WHEN true THEN pg_try_advisory_xact_lock(:r) ELSE true END, u.role, u.status FROM $qs.users u WHERE u.id = '$owner'::uuid;
SELECT request_hash, status, content_type, response_body, headers::text, created_at > now() - interval '24 hours' FROM $qs.idempotency_keys WHERE caller = '$owner' AND key = 'shape-' || :client_id || '-' || :r;
INSERT INTO $qs.projects (name, owner_id) VALUES ('shape ' || :r, '$owner'::uuid) RETURNING $COLS;
SELECT seq, hash FROM tenantry_shared.append_event('$id'::uuid, gen_random_uuid(), now(), '$owner', NULL, 'project.create', 'project/x', '127.0.0.1', '0af7651916cd43dd8448eb211c80319c', '{"name":"shape"}'::jsonb, convert_to('{"shape":' || :r || '}', 'UTF8'));
INSERT INTO $qs.idempotency_keys (caller, key, request_hash, status, content_type, response_body, headers) VALUES ('$owner', 'shape-' || :client_id || '-' || :r || '-' || clock_timestamp()::text, '\\x00'::bytea, 201, 'application/json', '\\x7b7d'::bytea, '{}'::jsonb);
COMMIT;
EOF
done <"$TARGETS"
[ "$SHAPES" = 1 ] || note "shape runs skipped (SHAPES=0, or tenant create printed no schema/owner_user_id)"

# pgbench_run LABEL DB CLIENTS script-args... -> one line; sets PB_TPS, PB_LAT
pgbench_run() {
  local label=$1 db=$2 c=$3; shift 3
  local out p0 p1 n
  p0=$(pg_cpu_ticks)
  out=$(pg pgbench -n -c "$c" -j "$((c < 2 ? c : 2))" -T "$DURATION" -M "${PGBENCH_MODE:-prepared}" "$@" "$db" 2>&1) ||
    { printf '%s\n' "$out" | tail -n 5 >&2; die "pgbench $label failed"; }
  p1=$(pg_cpu_ticks)
  printf '== %s\n%s\n' "$label" "$out" >>"$TMP/pgbench.txt"
  PB_TPS=$(awk '/without initial connection time/ {printf "%.0f", $3}' <<<"$out")
  PB_LAT=$(awk '/^latency average/ {print $4}' <<<"$out")
  n=$(awk '/number of transactions actually processed/ {print $NF}' <<<"$out")
  local fails
  fails=$(awk '/^number of failed transactions/ {print $5; exit}' <<<"$out")
  local us
  us=$(awk -v d=$((p1 - p0)) -v n="${n:-0}" -v hz="$CLK_TCK" 'BEGIN {if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "?"}')
  printf '%-44s %8s tps   avg %6s ms   cpu/txn postgres %6s us   failed %s\n' "$label" "${PB_TPS:-?}" "${PB_LAT:-?}" "$us" "${fails:-0}"
}

say ""
say "-- database limits (pgbench -M prepared, scale $PGBENCH_SCALE, database apibench)"
noise
pgbench_run "read limit: 1 SELECT by pk, -c64" apibench 64 -f "$TMP/read.sql"
READ_LIMIT=$PB_TPS
pgbench_run "commit limit: 1 INSERT autocommit, -c64" apibench 64 -f "$TMP/insert.sql"
COMMIT_LIMIT=$PB_TPS
if [ "$SHAPES" = 1 ]; then
  GET_SHAPE_ARGS=() POST_SHAPE_ARGS=()
  for f in "$TMP"/shapes/get-*.sql; do GET_SHAPE_ARGS+=(-f "$f@1"); done
  for f in "$TMP"/shapes/post-*.sql; do POST_SHAPE_ARGS+=(-f "$f@1"); done
  say "-- the server's statement sequences, replayed by pgbench ($TENANTS tenants, database $APPDB)"
  # At -c64 one script per tenant would mostly measure first-use PREPAREs (64 clients x 100
  # scripts x 4 statements in a 10 s run), so the GET sequence runs for one tenant there (reads
  # do not contend), and the POST sequence over all tenants with -M extended (parse + plan per
  # statement, no first-use PREPARE; one tenant would serialise on its audit chain head).
  pgbench_run "get-shape: 4 statements, -c64 (1 tenant)" "$APPDB" 64 -f "$TMP/shapes/get-1.sql"
  GET_SHAPE64=$PB_TPS
  pgbench_run "get-shape: 4 statements, -c$WORKERS (=workers)" "$APPDB" "$WORKERS" "${GET_SHAPE_ARGS[@]}"
  GET_SHAPEW=$PB_TPS
  PGBENCH_MODE=extended pgbench_run "post-shape: 7 statements, -c64 (-M extended)" "$APPDB" 64 "${POST_SHAPE_ARGS[@]}"
  POST_SHAPE64=$PB_TPS
  pgbench_run "post-shape: 7 statements, -c$WORKERS (=workers)" "$APPDB" "$WORKERS" "${POST_SHAPE_ARGS[@]}"
  POST_SHAPEW=$PB_TPS
  pgbench_run "read limit at -c$WORKERS (=workers)" apibench "$WORKERS" -f "$TMP/read.sql"
  READ_W=$PB_TPS
  pgbench_run "commit limit at -c$WORKERS (=workers)" apibench "$WORKERS" -f "$TMP/insert.sql"
  COMMIT_W=$PB_TPS
fi
pg psql -X -q -d postgres -c 'CHECKPOINT' >/dev/null

# ---------------------------------------------------------------------------------------------
# HTTP
export BENCH_TARGETS=$TARGETS
say ""
say "-- API (wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s --latency, $TENANTS tenants, token/tenant/project chosen per request)"
note "warm-up (not recorded): 3 s GET, 3 s POST"
wrk -t"$WRK_THREADS" -c"$CONNS" -d3s -s "$WRKDIR/api-get.lua" "$BASE" >/dev/null
BENCH_RUN=warm wrk -t"$WRK_THREADS" -c"$CONNS" -d3s -s "$WRKDIR/api-post.lua" "$BASE" >/dev/null
noise
wrk_run "GET /v1/{t}/projects/{id}" "$BASE" "$WRK_THREADS" "$CONNS" -s "$WRKDIR/api-get.lua"
G_RPS=$W_RPS G_P50=$W_P50 G_P99=$W_P99 G_NON2XX=${W_NON2XX:-0} G_ERRS=${W_ERRS:-none} G_SRV=$W_SRV_US G_PG=$W_PG_US
BENCH_RUN=main wrk_run "POST /v1/{t}/projects (Idempotency-Key)" "$BASE" "$WRK_THREADS" "$CONNS" \
  -s "$WRKDIR/api-post.lua"
P_RPS=$W_RPS P_P50=$W_P50 P_P99=$W_P99 P_NON2XX=${W_NON2XX:-0} P_ERRS=${W_ERRS:-none} P_SRV=$W_SRV_US P_PG=$W_PG_US
noise

# ---------------------------------------------------------------------------------------------
# Statements per request (statement logging on the throw-away cluster only).
PGLOG="$CLUSTER/postgres.log"
[ -f "$PGLOG" ] || PGLOG=$(ls -t "$CLUSTER"/log/* "$CLUSTER"/pg_log/* 2>/dev/null | head -n1 || true)
set_logging() {
  pg psql -X -q -d postgres -c "ALTER SYSTEM SET log_statement = '$1'" -c 'SELECT pg_reload_conf()' >/dev/null
  sleep 0.5
}
statements_of() { # label, then a command that sends the request(s)
  local label=$1; shift
  local before
  before=$(wc -l <"$PGLOG")
  "$@"
  sleep 0.5
  say "== statements sent by $label (postgres.log) =="
  # Transactions of the 10 s usage flush (own connection, tenantry_shared.usage_daily) are
  # background work that may fall into the window: grouped per backend pid and left out.
  tail -n +"$((before + 1))" "$PGLOG" | sed -n 's/^.*\[\([0-9]*\)\] LOG:  statement: /\1 /p' |
    awk '{pid = $1; sub(/^[0-9]+ /, "")}
         $0 == "BEGIN" {open[pid] = 1; buf[pid] = $0 "\n"; next}
         open[pid] {buf[pid] = buf[pid] $0 "\n"
                    if ($0 == "COMMIT" || $0 == "ROLLBACK") {
                      if (buf[pid] ~ /usage_daily/) skipped++; else printf "%s", buf[pid]
                      open[pid] = 0; buf[pid] = ""}
                    next}
         {print}
         END {for (p in open) if (open[p]) printf "%s", buf[p]
              if (skipped) printf "(left out: %d usage-flush transaction(s) of the background timer)\n", skipped}' |
    sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uuid>/g' |
    cut -c1-190 | nl -w2 -s'. ' | sed 's/^/  /' || say "  (none)"
}
one_get() { curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN1" "$BASE/v1/$TID1/projects/$PID1"; }
one_post() {
  curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $TOKEN1" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: stmt-$1-$RANDOM$RANDOM" --data '{"name":"statement count"}' "$BASE/v1/$TID1/projects"
}
if [ -n "$PGLOG" ] && [ -f "$PGLOG" ]; then
  say ""
  set_logging all
  # Warm both workers (statement cache, tenant cache) for this tenant, then the one shown.
  for k in 1 2 3 4; do one_get; one_post "w$k"; done
  sleep 0.3
  statements_of "ONE GET /v1/{t}/projects/{id}" one_get
  statements_of "ONE POST /v1/{t}/projects" one_post shown
  # Under load: statements per request over all tenants (does the statement cache hold?).
  for kind in get post; do
    before=$(wc -l <"$PGLOG")
    out=$(BENCH_RUN="stmt$RANDOM" wrk -t"$WRK_THREADS" -c"$CONNS" -d3s -s "$WRKDIR/api-$kind.lua" "$BASE" 2>&1)
    sleep 0.5
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    tail -n +"$((before + 1))" "$PGLOG" | grep -o 'statement: [A-Za-z]*' | awk '{print toupper($2)}' |
      sort | uniq -c | awk -v n="$reqs" -v k="$kind" '
        {c[$2] = $1; t += $1}
        END {printf "  under load (%s, 3 s, %d requests, log_statement=all): %.2f statements/request:", toupper(k), n, t / n;
             for (s in c) printf " %s %.2f", s, c[s] / n; printf "\n"}'
  done
  set_logging none
  pg psql -X -q -d postgres -c 'ALTER SYSTEM RESET log_statement' -c 'SELECT pg_reload_conf()' >/dev/null
else
  note "no postgres.log found in $CLUSTER: statements per request not shown"
fi

# ---------------------------------------------------------------------------------------------
# Profile of the GET under load.
if [ "$PROFILE" = 1 ]; then
  say ""
  if command -v perf >/dev/null && perf record -q -o /dev/null -- true >/dev/null 2>&1; then
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$((PROFILE_SECONDS + 2))s" -s "$WRKDIR/api-get.lua" "$BASE" >"$TMP/wrk-profile.txt" &
    WRK_PID=$!
    sleep 1
    perf record -g -F 999 -p "$SERVER_PID" -o "$TMP/perf.data" -- sleep "$PROFILE_SECONDS" \
      >/dev/null 2>"$TMP/perf-record.log" || note "perf record failed: $(tail -n1 "$TMP/perf-record.log")"
    wait "$WRK_PID" || true
    say "== perf record -g -F 999 on the server (pid $SERVER_PID) for ${PROFILE_SECONDS} s of GET load: $(awk '/Requests\/sec/ {print $2}' "$TMP/wrk-profile.txt") req/s under perf, $(perf report -i "$TMP/perf.data" --stdio 2>/dev/null | sed -n 's/^# Samples: \([^ ]*\).*/\1/p' | head -n1) samples =="
    report() { perf report -i "$TMP/perf.data" "$@" --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | cut -c1-120 || true; }
    # Syscalls and context switches of the server per GET (5 s of load, requests from the log).
    if perf stat -e raw_syscalls:sys_enter -o /dev/null -- true >/dev/null 2>&1; then
      wrk -t"$WRK_THREADS" -c"$CONNS" -d7s -s "$WRKDIR/api-get.lua" "$BASE" >/dev/null &
      WRK_PID=$!
      sleep 1
      r0=$(grep -c '"route":"/v1/{tenantId}/projects/{id}"' "$LOG" || true)
      perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$SERVER_PID" -o "$TMP/perf-stat.txt" -- sleep 5 >/dev/null 2>&1 || true
      r1=$(grep -c '"route":"/v1/{tenantId}/projects/{id}"' "$LOG" || true)
      wait "$WRK_PID" || true
      awk -F, -v n=$((r1 - r0)) '$3 ~ /sys_enter|context-switches/ && n > 0 {printf "%s%s %.1f", sep, $3, $1 / n; sep = ", "} END {printf " per GET (server process, %d requests in 5 s)\n", n}' "$TMP/perf-stat.txt" |
        sed 's/^/== perf stat: /'
    fi
    say "-- top 10 symbols, self time"
    report --no-children --sort dso,symbol | awk 'NR <= 10'
    say "-- top 10 user-space symbols, including callees (approximate: no frame pointers)"
    report --children --sort symbol | grep -v '\[k\]' | grep -v ' 0x0000' | awk 'NR <= 10'
    say "-- self time by shared object"
    report --no-children --sort dso | awk 'NR <= 10'
  elif command -v valgrind >/dev/null; then
    note "perf cannot record here; callgrind on a separate short run instead"
    stop_server
    valgrind --tool=callgrind --callgrind-out-file="$TMP/callgrind.out" "$BIN" serve --data-dir "$TMP" \
      --listen 127.0.0.1:0 --workers "$WORKERS" --log-format json >"$TMP/server.stdout" 2>"$TMP/cg.log" &
    SERVER_PID=$!
    for ((i = 0; i < 600; i++)); do
      PORT=$(sed -n 's#^tenantry-server: serving http://127\.0\.0\.1:\([0-9]*\)$#\1#p' "$TMP/server.stdout")
      [ -n "$PORT" ] && break; sleep 0.2
    done
    BASE="http://127.0.0.1:$PORT"
    wrk -t1 -c8 -d"${PROFILE_SECONDS}s" -s "$WRKDIR/api-get.lua" "$BASE" >"$TMP/wrk-profile.txt" || true
    stop_server
    say "-- callgrind, top 10 functions (inclusive)"
    callgrind_annotate --inclusive=yes "$TMP/callgrind.out" 2>/dev/null | sed -n '/^ *[0-9,]* ([ 0-9.]*%)/p' | awk 'NR <= 10'
  else
    note "neither perf nor valgrind: no profile"
  fi
fi

# ---------------------------------------------------------------------------------------------
RSS1=$(rss_kib "$SERVER_PID" || true)
HWM=$(hwm_kib "$SERVER_PID" || true)
stop_server
say ""
say "server     rss ${RSS1:-?} KiB, peak ${HWM:-?} KiB; SIGTERM -> exit in ${DRAIN_MS} ms, exit code $EXIT_CODE"

ms() { # wrk latency ("812.00us", "3.21ms", "1.02s") -> ms
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
                        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
                        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
                        else print "?" }'
}
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? "MET" : "NOT MET" }'; }
G_RATIO=$(ratio "$G_RPS" "$READ_LIMIT")
P_RATIO=$(ratio "$P_RPS" "$COMMIT_LIMIT")
G_P99_MS=$(ms "$G_P99")
P99_OK=$(awk -v p="$G_P99_MS" -v t="$TARGET_GET_P99_MS" 'BEGIN { print (p != "?" && p + 0 < t) ? "MET" : "NOT MET" }')
say ""
say "== summary ($TENANTS tenants, --workers $WORKERS, rate limits lifted; same run, same cluster, same machine) =="
say "read limit   (pgbench 1 prepared SELECT, -c64):  $READ_LIMIT tps"
say "commit limit (pgbench 1 prepared INSERT, -c64):  $COMMIT_LIMIT tps"
say "GET  /v1/{t}/projects/{id}: $G_RPS req/s  p50 $G_P50  p99 $G_P99  non-2xx $G_NON2XX  socket errors $G_ERRS  cpu/req server $G_SRV us, postgres $G_PG us"
say "POST /v1/{t}/projects:      $P_RPS req/s  p50 $P_P50  p99 $P_P99  non-2xx $P_NON2XX  socket errors $P_ERRS  cpu/req server $P_SRV us, postgres $P_PG us"
say "ratio GET  / read limit   = $G_RATIO   target >= $TARGET_GET   -> $(verdict "$G_RATIO" $TARGET_GET); p99 $G_P99_MS ms, target < $TARGET_GET_P99_MS ms -> $P99_OK"
say "ratio POST / commit limit = $P_RATIO   target >= $TARGET_POST  -> $(verdict "$P_RATIO" $TARGET_POST)"
if [ "$SHAPES" = 1 ]; then
  say "database alone, the server's statement sequences: get-shape $GET_SHAPE64 tps (-c64), $GET_SHAPEW (-c$WORKERS); post-shape $POST_SHAPE64 tps (-c64), $POST_SHAPEW (-c$WORKERS)"
  say "  get-shape / read limit   = $(ratio "$GET_SHAPE64" "$READ_LIMIT") (-c64), $(ratio "$GET_SHAPEW" "$READ_LIMIT") (-c$WORKERS)   read limit at -c$WORKERS: $READ_W tps"
  say "  post-shape / commit limit = $(ratio "$POST_SHAPE64" "$COMMIT_LIMIT") (-c64), $(ratio "$POST_SHAPEW" "$COMMIT_LIMIT") (-c$WORKERS)   commit limit at -c$WORKERS: $COMMIT_W tps"
  say "  GET / get-shape(-c$WORKERS) = $(ratio "$G_RPS" "$GET_SHAPEW")   POST / post-shape(-c$WORKERS) = $(ratio "$P_RPS" "$POST_SHAPEW")"
fi
[ "$G_NON2XX" = 0 ] && [ "$P_NON2XX" = 0 ] || note "INVALID run: non-2xx responses (see the log summary: 429 means a rate limit, 5xx a server problem)"
say ""
log_summary "$LOG"
[ "$KEEP" = 1 ] && note "raw output: $TMP/wrk.txt, $TMP/pgbench.txt, log $LOG, perf $TMP/perf.data"
exit 0
