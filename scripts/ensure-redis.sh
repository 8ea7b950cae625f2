#!/usr/bin/env bash
# Installs redis-server and redis-cli (the cluster tests create a cluster with it) from Debian's
# packages when they are not on PATH (needs root or sudo).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  exit 0
fi
echo "redis-server not found: installing it from Debian's packages" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
# Debian may start a system instance on 6379; tests use private servers, `make run` reuses it.
command -v redis-server >/dev/null && command -v redis-cli >/dev/null
