#!/usr/bin/env bash
# Install Debian's postgresql package when its server binaries are missing (needs root; CI runs as root).
# Exit 3 when it cannot be installed, so callers can skip with a clear message.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "postgres/install.sh: postgresql is not installed and installing it needs root" >&2; exit 3; fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq postgresql >/dev/null 2>&1 \
  || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq postgresql >/dev/null 2>&1; } \
  || { echo "postgres/install.sh: apt-get install postgresql failed" >&2; exit 3; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "postgres/install.sh: no initdb after installing postgresql" >&2; exit 3; }
