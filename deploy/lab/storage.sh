#!/usr/bin/env bash
# Starts or stops the lab's xrootd on the storage host (an outage of the storage, e.g. for 10 s mid-run):
# it serves DATA/storage/data as root://10.77.0.2:1094// to the node hosts' addresses.
#   deploy/lab/storage.sh [-d DATA] start|stop|kill        (kill: SIGKILL, as a crashed storage host)
set -euo pipefail
source "$(dirname "$0")/env.sh"
data="$lab_root/artifacts/lab"
while [ $# -gt 1 ]; do
  case "$1" in
    -d) data="$2"; shift 2 ;;
    *) echo "lab/storage.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ $# -eq 1 ] && [[ "$1" =~ ^(start|stop|kill)$ ]] || { echo "usage: deploy/lab/storage.sh [-d DATA] start|stop|kill" >&2; exit 2; }
lab_need_root
[ -f "$data/nodes" ] || { echo "lab/storage.sh: no lab at $data (run up.sh)" >&2; exit 2; }
case "$1" in
  start)
    allow=(-a 127.0.0.1)
    for i in $(seq 1 "$(cat "$data/nodes")"); do allow+=(-a "$(lab_node_ip "$i")"); done
    ip netns exec "$(lab_ns storage)" bash "$lab_root/deploy/xrootd/start.sh" -d "$data/storage/data" -w "$data/storage/work" \
      -p "$lab_xrootd_port" "${allow[@]}" >/dev/null
    echo "storage: root://$lab_storage_ip:$lab_xrootd_port// serves $data/storage/data" ;;
  stop) bash "$lab_root/deploy/xrootd/stop.sh" -w "$data/storage/work" ;;
  kill) bash "$lab_root/deploy/xrootd/stop.sh" -w "$data/storage/work" --kill ;;
esac
