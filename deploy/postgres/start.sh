#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for tests: Debian's postgresql package (installed with apt-get when
# missing), a fresh cluster in DIR owned by the postgres user, listening on 127.0.0.1:PORT only, trust
# authentication (loopback, test data only). Prints the Npgsql connection string on its last line.
#
#   deploy/postgres/start.sh [-d DIR] [-p PORT] [-l ADDRESS -a CIDR]     stop with deploy/postgres/stop.sh -d DIR
#
# -l/-a (deploy/lab): listen on ADDRESS instead of 127.0.0.1 and trust connections from CIDR (a private lab
# network inside network namespaces); the connection string then names ADDRESS.
set -euo pipefail
dir="${TMPDIR:-/tmp}/gaincal-postgres"; port=55432; listen=127.0.0.1; trusted=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d) dir="$2"; shift 2 ;;
    -p) port="$2"; shift 2 ;;
    -l) listen="$2"; shift 2 ;;
    -a) trusted="$2"; shift 2 ;;
    *) echo "postgres/start.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

bash "$(dirname "$0")/install.sh"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

# initdb and the server refuse to run as root: run them as the postgres user (as Debian's own scripts do).
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ -f "$dir/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1 || true; fi
rm -rf "$dir"; mkdir -p "$dir"
[ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
  || { cat "$dir.initdb.log" >&2; exit 3; }
[ -z "$trusted" ] || echo "host all all $trusted trust" >> "$dir/pg_hba.conf"
as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=$listen -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 3; }
echo "Host=$listen;Port=$port;Username=postgres;Database=postgres;Pooling=true"
