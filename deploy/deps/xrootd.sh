#!/usr/bin/env bash
# Installs Debian's XRootD server (xrootd-server) for the storage tests and deploy/lab, and the client tools
# (xrdfs, xrdcp from xrootd-client) operators use to look at what GainCal wrote. GainCal itself speaks the
# protocol in managed code (docs/storage.md) and needs no client library. Idempotent: does nothing when present.
set -euo pipefail
need=()
command -v xrootd >/dev/null 2>&1 || need+=(xrootd-server)
command -v xrdfs >/dev/null 2>&1 || need+=(xrootd-client)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/deps/xrootd.sh: need root to install ${need[*]} with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
command -v xrootd >/dev/null && command -v xrdfs >/dev/null && echo "deploy/deps/xrootd.sh: installed ${need[*]}"
