#!/usr/bin/env bash
# Stop the server started by deploy/postgres/start.sh and delete its directory.
set -uo pipefail
dir="${TMPDIR:-/tmp}/gaincal-postgres"
[ "${1:-}" = "-d" ] && dir="$2"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -n "$bin" ] && [ -f "$dir/postmaster.pid" ]; then
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null; else "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null; fi
fi
rm -rf "$dir" "$dir.initdb.log"
