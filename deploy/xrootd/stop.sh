#!/usr/bin/env bash
# Stop the XRootD server started by deploy/xrootd/start.sh with the same WORK directory (SIGTERM, SIGKILL
# after 5 s). The served directory is left as it is. Idempotent.
#   deploy/xrootd/stop.sh -w WORK [--kill]        (--kill: SIGKILL at once, a crash)
set -uo pipefail
work=""; signal=TERM
while [ $# -gt 0 ]; do
  case "$1" in
    -w) work="$2"; shift 2 ;;
    --kill) signal=KILL; shift ;;
    *) echo "xrootd/stop.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$work" ] || { echo "xrootd/stop.sh: -w WORK is required" >&2; exit 2; }
pidfile="$work/xrootd.pid"
[ -f "$pidfile" ] || exit 0
pid="$(cat "$pidfile")"
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q xrootd "/proc/$pid/comm" 2>/dev/null; then
  kill -s "$signal" "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
fi
rm -f "$pidfile"
exit 0
