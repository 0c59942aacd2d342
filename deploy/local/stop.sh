#!/usr/bin/env bash
# Stop the nodes started by start.sh: SIGTERM (graceful leave, hand-off), SIGKILL after 20 s.
#   deploy/local/stop.sh [-d DATA] [--only I] [--kill]     (--kill: SIGKILL at once, a crash)
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$root/artifacts/local-cluster"; only=""; signal=TERM
while [ $# -gt 0 ]; do
  case "$1" in
    -d) data="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --kill) signal=KILL; shift ;;
    *) echo "stop.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
pids=()
for pidfile in "$data"/node-*.pid; do
  [ -f "$pidfile" ] || continue
  i="${pidfile##*/node-}"; i="${i%.pid}"
  [ -z "$only" ] || [ "$only" = "$i" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then kill -s "$signal" "$pid"; pids+=("$pid"); echo "node $i: SIG$signal to pid $pid"; fi
  rm -f "$pidfile"
done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || continue 2; sleep 0.1; done
  echo "pid $pid still running after 20 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null
done
exit 0
