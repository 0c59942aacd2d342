#!/usr/bin/env bash
# Cuts a lab host off the bridge (down) or reconnects it (up): a network partition of that host alone.
# Its processes keep running and see their peers stop answering.
#   deploy/lab/link.sh HOST down|up
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ $# -eq 2 ] && [[ "$2" =~ ^(up|down)$ ]] || { echo "usage: deploy/lab/link.sh HOST down|up" >&2; exit 2; }
lab_need_root
ip -n "$(lab_ns net)" link set "v-$1" "$2"
echo "$1: link $2"
