#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Starts (or stops) the real PostgreSQL cluster the test suite runs against: a throw-away cluster
# in DIR, reachable only through the Unix socket in DIR/run, superuser "tenantry".
# PostgreSQL refuses to run as root, so as root the cluster runs as the "postgres" account.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
bindir=${TENANTRY_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
[ -x "$bindir/pg_ctl" ] || { echo "pg-fixture: PostgreSQL server binaries not found" >&2; exit 1; }

as_db() {
  if [ "$(id -u)" = 0 ]; then runuser -u "${TENANTRY_PG_USER:-postgres}" -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if [ -f "$dir/data/postmaster.pid" ] && as_db "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
    as_db "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  mkdir -p "$dir/run"
  chmod 0755 "$dir"
  chmod 0700 "$dir/run"
  [ "$(id -u)" = 0 ] && chown -R "${TENANTRY_PG_USER:-postgres}:" "$dir"
  as_db "$bindir/initdb" -D "$dir/data" -U tenantry --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir/run'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
CONF
  as_db "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -s \
    || { cat "$dir/postgres.log" >&2; exit 1; }
  echo "pg-fixture: PostgreSQL running, socket in $dir/run"
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_db "$bindir/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 -s || true
  fi
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
