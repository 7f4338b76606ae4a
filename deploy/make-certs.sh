#!/usr/bin/env bash
# Makes a small PKI for cellfleet with openssl: a CA, agent certificates and client
# certificates. Idempotent: an existing CA or certificate is kept.
#
#   make-certs.sh DIR ca
#   make-certs.sh DIR agent NAME [SAN ...]   SAN: DNS:board.example or IP:10.8.0.11
#   make-certs.sh DIR client IDENTITY        the identity (CN) that agent roles name
#   make-certs.sh DIR gateway NAME [SAN ...] a cellfleet-gateway's (serves only)
set -euo pipefail

usage() { sed -n '2,9p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
dir=$1 kind=$2
shift 2
mkdir -p "$dir"
umask 077  # private keys readable by their owner only

ca_key="$dir/ca.key" ca_crt="$dir/ca.crt"
make_ca() {
  [ -s "$ca_crt" ] && return 0
  openssl ecparam -name prime256v1 -genkey -noout -out "$ca_key"
  openssl req -x509 -new -key "$ca_key" -sha256 -days 3650 -subj "/CN=cellfleet CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$ca_crt"
  chmod 644 "$ca_crt"
}

issue() {  # issue NAME CN EXTENSIONS
  local name=$1 cn=$2 ext=$3
  [ -s "$dir/$name.crt" ] && { echo "keeping $dir/$name.crt"; return 0; }
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/CN=$cn" -out "$dir/$name.csr"
  printf '%s\n' "$ext" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$ca_crt" -CAkey "$ca_key" -CAcreateserial -sha256 -days 825 \
    -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
  chmod 644 "$dir/$name.crt"
  echo "issued $dir/$name.crt (CN=$cn)"
}

case "$kind" in
  ca) make_ca ;;
  agent)
    [ $# -ge 1 ] || usage
    name=$1
    shift
    # Its own name only (and any SAN given): a certificate that also named localhost would
    # pass for any board to a client that asked for localhost.
    sans="DNS:$name"
    for san in "$@"; do sans="$sans,$san"; done
    make_ca
    # clientAuth too: the board shows it to a gateway it dials out to (docs/gateway.md).
    issue "agent-$name" "$name" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans"
    ;;
  gateway)
    [ $# -ge 1 ] || usage
    name=$1
    shift
    sans="DNS:$name"
    for san in "$@"; do sans="$sans,$san"; done
    make_ca
    issue "gateway-$name" "$name" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$sans"
    ;;
  client)
    [ $# -eq 1 ] || usage
    make_ca
    issue "client-$1" "$1" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
    ;;
  *) usage ;;
esac
