#!/usr/bin/env bash
# Runs a command on a lab host (inside its network namespace), e.g.
#   deploy/lab/exec.sh node1 dotnet GainCal.Cli/bin/Release/net10.0/gaincal.dll pbm 127.0.0.1:9110 cluster show
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ $# -ge 2 ] || { echo "usage: deploy/lab/exec.sh HOST COMMAND... (HOST: storage, db, node1..)" >&2; exit 2; }
lab_need_root
host="$1"; shift
exec ip netns exec "$(lab_ns "$host")" "$@"
