#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The first README command: install what is missing, build, start the backend on the embedded
# database with a demo tenant, and open the desktop console when there is a display.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/packaging/deps.sh" run
"$root/packaging/build.sh" release
bin="$root/build/release/app"
data=${TENANTRY_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/tenantry}
listen=${TENANTRY_LISTEN:-127.0.0.1:8080}
mkdir -p "$data"
creds="$data/demo-credentials"
if [ ! -f "$creds" ]; then
  umask 077
  printf 'email=demo@tenantry.example\npassword=%s\n' "$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" >"$creds"
fi
email=$(sed -n 's/^email=//p' "$creds")
password=$(sed -n 's/^password=//p' "$creds")
"$bin/tenantry-server" tenant create --name "Demo" --slug demo --data-dir "$data" \
  --owner-email "$email" --owner-password "$password" --log-format text >/dev/null
"$bin/tenantry-server" serve --data-dir "$data" --listen "$listen" --log-format text &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fsS "http://$listen/readyz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "tenantry: the server did not start" >&2; exit 1; }
  sleep 0.2
done
echo "Tenantry is running at http://$listen (demo tenant \"demo\"; owner $email, password in $creds)."
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$bin/tenantry" ]; then
  "$bin/tenantry" --server "http://$listen" || true
else
  echo "No display: the console is not started. Stop the server with Ctrl+C."
  wait $server
fi
