#!/usr/bin/env bash
# deploy/lab (and its test) build hosts out of network namespaces with `ip` from Debian's iproute2.
# Idempotent: does nothing when `ip` is present.
set -euo pipefail
command -v ip >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/deps/iproute2.sh: need root to install iproute2 with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends iproute2 >/dev/null 2>&1 \
  || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends iproute2 >/dev/null; }
command -v ip >/dev/null && echo "deploy/deps/iproute2.sh: installed iproute2"
