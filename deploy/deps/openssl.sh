#!/usr/bin/env bash
# Installs openssl for deploy/tls/make-certs.sh, which makes the certificates of the mutual-TLS test
# (Cluster/RemotingTlsTests). Idempotent: does nothing when it is present.
set -euo pipefail
command -v openssl >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/deps/openssl.sh: need root to install openssl with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends openssl >/dev/null
command -v openssl >/dev/null && echo "deploy/deps/openssl.sh: installed openssl"
