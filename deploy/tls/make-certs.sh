#!/usr/bin/env bash
# The lab's certificates for mutual TLS between GainCal nodes (Akka.Remote, docs/security.md 5): a certificate
# authority, made once, and one certificate per node signed by it.
#
#   deploy/tls/make-certs.sh [-d DIR] [--days N] NODE...
#
# NODE is the node's address as the others reach it (an IP address or a host name; it goes into the certificate's
# subject alternative name). Writes, in DIR (default ./tls):
#   ca.key      the authority's private key: keep it off the nodes, it is only needed to issue certificates
#   ca.crt      the authority's certificate: every node trusts exactly this (TlsCa)
#   NODE.pfx    the node's key and certificate, PKCS#12 (TlsCertificate); its password is read from
#               $GAINCAL_TLSCERTIFICATEPASSWORD (empty when unset), the variable the node reads too
# An existing ca.key is reused (so new nodes join the same cluster); an existing NODE.pfx is replaced (rotation).
set -euo pipefail
dir="tls"; days=365; nodes=()
while [ $# -gt 0 ]; do
  case "$1" in
    -d) dir="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "make-certs.sh: unknown option $1" >&2; exit 2 ;;
    *) nodes+=("$1"); shift ;;
  esac
done
[ ${#nodes[@]} -gt 0 ] || { echo "make-certs.sh: name at least one NODE (its address), e.g. 10.0.0.11" >&2; exit 2; }
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077
pass="${GAINCAL_TLSCERTIFICATEPASSWORD:-}"

if [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -days $((days * 5)) -subj "/CN=GainCal lab CA $(date -u +%Y%m%d%H%M%S)" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "made the authority: $dir/ca.crt (key $dir/ca.key)"
fi
chmod 644 "$dir/ca.crt"

for node in "${nodes[@]}"; do
  if [[ "$node" =~ ^[0-9.]+$ || "$node" == *:* ]]; then san="IP:$node"; else san="DNS:$node"; fi
  work="$(mktemp -d)"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/node.key" -out "$work/node.csr" \
    -subj "/CN=$node" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' \
    "$san" > "$work/ext"
  openssl x509 -req -in "$work/node.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$days" -extfile "$work/ext" -out "$work/node.crt" 2>/dev/null
  openssl pkcs12 -export -inkey "$work/node.key" -in "$work/node.crt" -certfile "$dir/ca.crt" -name "$node" \
    -out "$dir/$node.pfx" -passout "pass:$pass"
  rm -rf "$work"
  echo "node $node: $dir/$node.pfx (valid $days days, $(openssl x509 -noout -enddate -in <(openssl pkcs12 -in "$dir/$node.pfx" -nokeys -clcerts -passin "pass:$pass" 2>/dev/null)))"
done
