#!/usr/bin/env bash
# Installs poppler-utils (pdftoppm, pdftotext) for the report tests and the DejaVu fonts the PDF
# writer embeds. Idempotent: does nothing when both are present.
set -euo pipefail
need=()
command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/deps/poppler.sh: need root to install ${need[*]} with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
command -v pdftoppm >/dev/null && echo "deploy/deps/poppler.sh: installed ${need[*]}"
