#!/usr/bin/env bash
# Installs what the tests need that Go does not fetch itself: the PostgreSQL
# server binaries that internal/pgtest starts a throw-away cluster from.
set -euo pipefail

have_pg() {
  local bindir
  bindir=$(pg_config --bindir 2>/dev/null || true)
  [ -n "$bindir" ] && [ -x "$bindir/initdb" ] && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if ! have_pg; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: PostgreSQL server binaries are missing; run as root or: sudo apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "test-deps: installing PostgreSQL server binaries (Debian package postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
