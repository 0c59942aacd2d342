#!/usr/bin/env bash
# Installs Debian's chromium (used headless by the dashboard test) unless a chromium is already on the PATH.
# Idempotent; needs root (or sudo) only when it actually installs.
set -euo pipefail
for c in chromium chromium-browser; do
  if command -v "$c" >/dev/null 2>&1; then echo "chromium present: $(command -v "$c")"; exit 0; fi
done
run() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
  echo "chromium.sh: not root and no sudo; install Debian's chromium package by hand" >&2; exit 1; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -q
run apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
command -v chromium
