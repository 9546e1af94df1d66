#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Tenantry needs, only when something is missing (fast re-runs).
# Usage: packaging/deps.sh [run|test]
set -euo pipefail
mode=${1:-run}
pkgs=(
  cmake ninja-build ccache g++ pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev libqt6sql6-psql
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev libgl-dev
  libssl-dev libargon2-dev liboath-dev libqrencode-dev libcurl4-openssl-dev qtkeychain-qt6-dev
  postgresql-15 postgresql-contrib util-linux
)
if [ "$mode" = test ]; then
  pkgs+=(curl python3 python3-aiosmtpd xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools)
  # Node.js for the interoperability tests (npm "jose"). A machine may already have Node from
  # elsewhere, whose npm conflicts with Debian's: only install Debian's when there is none.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    pkgs+=(nodejs npm)
  fi
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "tenantry: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
