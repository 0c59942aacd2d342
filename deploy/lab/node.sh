#!/usr/bin/env bash
# Starts lab node I again (after a kill -9 or a partition that made it down itself), with the settings up.sh
# gave it: same address, seeds, journal, certificate, data directory and extra node arguments.
#   deploy/lab/node.sh [-d DATA] I
set -euo pipefail
source "$(dirname "$0")/env.sh"
data="$lab_root/artifacts/lab"
while [ $# -gt 1 ]; do
  case "$1" in
    -d) data="$2"; shift 2 ;;
    *) echo "lab/node.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ $# -eq 1 ] && [[ "$1" =~ ^[1-9]$ ]] || { echo "usage: deploy/lab/node.sh [-d DATA] I (1..9)" >&2; exit 2; }
lab_need_root
i="$1"
[ -f "$data/nodes" ] && [ "$i" -le "$(cat "$data/nodes")" ] || { echo "lab/node.sh: no node$i in the lab at $data (run up.sh)" >&2; exit 2; }
dir="$data/node$i"
if [ -f "$dir/node.pid" ] && kill -0 "$(cat "$dir/node.pid")" 2>/dev/null; then
  echo "lab/node.sh: node$i runs already (pid $(cat "$dir/node.pid"))" >&2; exit 1
fi
n="$(cat "$data/nodes")"
seeds=""
for s in $(seq 1 "$(( n < 3 ? n : 3 ))"); do seeds="$seeds${seeds:+,}$(lab_node_ip "$s"):$lab_node_port"; done
extra=()
[ -f "$data/node-args" ] && mapfile -t extra < "$data/node-args"
mkdir -p "$dir"
( cd "$dir" && exec ip netns exec "$(lab_ns "node$i")" dotnet "$lab_node_dll" --host "$(lab_node_ip "$i")" --port "$lab_node_port" \
    --tls-certificate "$data/tls/$(lab_node_ip "$i").pfx" --tls-ca "$data/tls/ca.crt" \
    --seeds "$seeds" --data-dir "$dir" --allowed-roots "$dir,root://$lab_storage_ip:$lab_xrootd_port//" \
    --persistence postgresql --connection-string "$(cat "$data/connection-string")" \
    --command-port "$lab_command_port" "${extra[@]}" >>"$dir/node.log" 2>&1 ) &
echo $! > "$dir/node.pid"
echo "node$i: pid $! at $(lab_node_ip "$i"):$lab_node_port, data $dir, log $dir/node.log"
