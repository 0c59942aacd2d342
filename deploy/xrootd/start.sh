#!/usr/bin/env bash
# Start Debian's XRootD server (xrootd-server, installed by deploy/deps/xrootd.sh) serving DIR as the root of
# its namespace: root://HOST:PORT//a/b is DIR/a/b. No authentication (test and lab data only). The server
# refuses to run as root, so as root it runs as Debian's `xrootd` user, and DIR is handed to that user.
# Its config, pid, admin socket and log live in WORK. Waits until the port answers; prints the URL prefix.
#
#   deploy/xrootd/start.sh -d DIR [-p PORT] [-w WORK] [-a ALLOWED_HOST]...    stop with deploy/xrootd/stop.sh -w WORK
#
# -a: a host (address) allowed to connect; default 127.0.0.1 only (repeat for more; deploy/lab allows its bridge).
set -euo pipefail
dir=""; port=11094; work=""; allow=()
while [ $# -gt 0 ]; do
  case "$1" in
    -d) dir="$2"; shift 2 ;;
    -p) port="$2"; shift 2 ;;
    -w) work="$2"; shift 2 ;;
    -a) allow+=("$2"); shift 2 ;;
    *) echo "xrootd/start.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$dir" ] || { echo "xrootd/start.sh: -d DIR (the directory to serve) is required" >&2; exit 2; }
[ -n "$work" ] || work="${TMPDIR:-/tmp}/gaincal-xrootd-$port"
[ ${#allow[@]} -gt 0 ] || allow=(127.0.0.1)
command -v xrootd >/dev/null 2>&1 || { echo "xrootd/start.sh: no xrootd binary; run deploy/deps/xrootd.sh as root" >&2; exit 3; }

bash "$(dirname "$0")/stop.sh" -w "$work" >/dev/null 2>&1 || true
mkdir -p "$dir" "$work/admin" "$work/run"
dir="$(cd "$dir" && pwd)"; work="$(cd "$work" && pwd)"
as=()
if [ "$(id -u)" -eq 0 ]; then
  getent passwd xrootd >/dev/null || { echo "xrootd/start.sh: running as root but Debian's xrootd user is missing" >&2; exit 3; }
  chown -R xrootd: "$dir" "$work"
  as=(runuser -u xrootd --)
fi
{
  echo "all.export / nolock"
  echo "oss.localroot $dir"
  echo "all.adminpath $work/admin"
  echo "all.pidpath $work/run"
  echo "xrd.port $port"
  echo "xrd.network nodnr"
  for a in "${allow[@]}"; do echo "xrd.allow host $a"; done
} > "$work/xrootd.cfg"
"${as[@]}" xrootd -b -c "$work/xrootd.cfg" -l "$work/xrootd.log" -s "$work/xrootd.pid" -n gaincal >/dev/null 2>&1 \
  || { echo "xrootd/start.sh: xrootd did not start; its log:" >&2; tail -20 "$work/xrootd.log"* >&2 2>/dev/null; exit 3; }
for _ in $(seq 1 100); do
  # Probe over loopback only (the server listens on every address of its namespace, loopback included).
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "root://127.0.0.1:$port/"; exit 0
  fi
  sleep 0.1
done
echo "xrootd/start.sh: port $port did not open within 10 s; its log:" >&2; tail -20 "$work/xrootd.log"* >&2 2>/dev/null; exit 3
