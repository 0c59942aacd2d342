#!/usr/bin/env bash
# Tears the lab down: nodes (SIGTERM, SIGKILL after 20 s), xrootd, PostgreSQL, then every gclab-* namespace
# (which removes the bridge and the veth pairs). Idempotent; works after a crash or a half-built lab.
#   deploy/lab/down.sh [-d DATA] [--keep-data]
set -uo pipefail
source "$(dirname "$0")/env.sh"
data="$lab_root/artifacts/lab"; keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    -d) data="$2"; shift 2 ;;
    --keep-data) keep=1; shift ;;
    *) echo "lab/down.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
lab_need_root
pids=()
for pidfile in "$data"/node*/node.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; pids+=("$pid"); fi
  rm -f "$pidfile"
done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || continue 2; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
done
[ -d "$data/storage/work" ] && bash "$lab_root/deploy/xrootd/stop.sh" -w "$data/storage/work"
[ -d "$data/db" ] && bash "$lab_root/deploy/postgres/stop.sh" -d "$data/db"
# Whatever still runs inside a lab namespace was started by the lab (a node whose pid file was lost in a crash).
# A killed process counts as gone once it is a zombie (its reaping is its parent's business).
running() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^gclab-'); do
  stray=($(ip netns pids "$ns" 2>/dev/null))
  for pid in "${stray[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for pid in "${stray[@]}"; do
    for _ in $(seq 1 50); do running "$pid" || break; sleep 0.1; done
  done
  ip netns del "$ns" 2>/dev/null
done
[ "$keep" = 1 ] || rm -rf "$data"
echo "lab down"
exit 0
