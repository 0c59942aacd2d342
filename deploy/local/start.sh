#!/usr/bin/env bash
# Start N GainCal nodes on this host: remoting ports BASE..BASE+N-1, command hosts CMD..CMD+N-1, the first
# (up to) three nodes as seeds, one shared data directory (the SQLite journal and snapshot files are shared).
# Each node writes DATA/node-<i>.log and DATA/node-<i>.pid. Waits until every started command host answers.
#
#   deploy/local/start.sh [-n N] [-d DATA] [-p BASE_PORT] [-c COMMAND_PORT] [-w HTTP_PORT] [-r ALLOWED_ROOTS] [--only I] [-- NODE ARGS...]
#
# -w: each node also serves its dashboard, /health and /metrics on HTTP_PORT+i-1 (docs/operations.md).
#
# NODE_DLL overrides the node binary (default: GainCal.Node/bin/Release/net10.0/GainCal.Node.dll, built if missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n=3; data="$root/artifacts/local-cluster"; base=4053; cmd=9110; http=""; roots=""; only=""; extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n="$2"; shift 2 ;;
    -d) data="$2"; shift 2 ;;
    -p) base="$2"; shift 2 ;;
    -c) cmd="$2"; shift 2 ;;
    -w) http="$2"; shift 2 ;;
    -r) roots="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "start.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$data"; data="$(cd "$data" && pwd)"
[ -n "$roots" ] || roots="$data"
dll="${NODE_DLL:-$root/GainCal.Node/bin/Release/net10.0/GainCal.Node.dll}"
if [ ! -f "$dll" ]; then
  dotnet build "$root/GainCal.Node/GainCal.Node.csproj" -c Release -nologo -v q >&2
fi
seeds=""
for i in $(seq 1 $(( n < 3 ? n : 3 ))); do seeds="$seeds${seeds:+,}127.0.0.1:$((base + i - 1))"; done

started=()
for i in $(seq 1 "$n"); do
  [ -z "$only" ] || [ "$only" = "$i" ] || continue
  pidfile="$data/node-$i.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "node $i already running (pid $(cat "$pidfile"))"; continue
  fi
  # cwd = data dir, so an appsettings.json there applies to these nodes only.
  web=(); [ -z "$http" ] || web=(--http-port $((http + i - 1)))
  ( cd "$data" && exec dotnet "$dll" --port $((base + i - 1)) --command-port $((cmd + i - 1)) --seeds "$seeds" \
      --data-dir "$data" --allowed-roots "$roots" "${web[@]}" "${extra[@]}" >>"$data/node-$i.log" 2>&1 ) &
  echo $! > "$pidfile"
  started+=("$i")
  echo "node $i: pid $! remoting 127.0.0.1:$((base + i - 1)) command host 127.0.0.1:$((cmd + i - 1))${http:+ dashboard http://127.0.0.1:$((http + i - 1))/} log $data/node-$i.log"
done

for i in "${started[@]}"; do
  port=$((cmd + i - 1))
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue 2; fi
    if ! kill -0 "$(cat "$data/node-$i.pid")" 2>/dev/null; then
      echo "start.sh: node $i exited; last lines of its log:" >&2; tail -20 "$data/node-$i.log" >&2; exit 1
    fi
    sleep 0.1
  done
  echo "start.sh: node $i's command host did not open port $port within 60 s" >&2; exit 1
done
