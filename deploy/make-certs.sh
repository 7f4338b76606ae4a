#!/usr/bin/env bash
# Makes a small PKI for cellfleet with openssl: a CA, agent certificates and client
# certificates, renews them, and revokes them. Idempotent: an existing CA or certificate
# is kept until the last third of its life, when running the same command renews it.
#
#   make-certs.sh DIR ca
#   make-certs.sh DIR agent NAME [SAN ...]   SAN: DNS:board.example or IP:10.8.0.11
#   make-certs.sh DIR client IDENTITY        the identity (CN) that agent roles name
#   make-certs.sh DIR gateway NAME [SAN ...] a cellfleet-gateway's (serves only)
#   make-certs.sh DIR renew FILE             re-issue DIR/FILE.crt now (e.g. client-ops)
#   make-certs.sh DIR revoke FILE            revoke DIR/FILE.crt: DIR/crl/ is what agents'
#                                            security.tls.crl_dir holds (cellfleet cert crl)
#   make-certs.sh DIR token NAME             a one-time enrollment token for board NAME
#   make-certs.sh DIR sign NAME CSR          DIR/agent-NAME.crt for a key made on the board
#                                            (its CSR; cellfleet cert enroll/renew run this)
set -euo pipefail

usage() { sed -n '2,17p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
dir=$1 kind=$2
shift 2
mkdir -p "$dir"
umask 077  # private keys readable by their owner only

ca_key="$dir/ca.key" ca_crt="$dir/ca.crt"
lifetime_days=825
renew_within=$((lifetime_days / 3 * 86400))  # seconds: the last third of a certificate's life

# The CA's revocation list, with the database `openssl ca` keeps; DIR/crl/ holds it under
# its hash name, which is how OpenSSL (and so gRPC's crl_directory) finds it.
ca_config() {
  mkdir -p "$dir/ca-db"
  [ -f "$dir/ca-db/index.txt" ] || : >"$dir/ca-db/index.txt"
  [ -f "$dir/ca-db/crlnumber" ] || echo 1000 >"$dir/ca-db/crlnumber"
  cat >"$dir/ca-db/openssl.cnf" <<CNF
[ca]
default_ca = cellfleet
[cellfleet]
database = $dir/ca-db/index.txt
crlnumber = $dir/ca-db/crlnumber
certificate = $ca_crt
private_key = $ca_key
default_md = sha256
default_crl_days = $lifetime_days
CNF
  echo "$dir/ca-db/openssl.cnf"
}
write_crl() {
  local config
  config=$(ca_config)
  openssl ca -config "$config" -gencrl -out "$dir/crl.pem.new" 2>/dev/null
  mv "$dir/crl.pem.new" "$dir/crl.pem"
  mkdir -p "$dir/crl"
  rm -f "$dir/crl/"*.r0
  cp "$dir/crl.pem" "$dir/crl/$(openssl crl -in "$dir/crl.pem" -hash -noout).r0"
  chmod 755 "$dir/crl"
  chmod 644 "$dir/crl.pem" "$dir/crl/"*.r0
}

make_ca() {
  [ -s "$ca_crt" ] && return 0
  openssl ecparam -name prime256v1 -genkey -noout -out "$ca_key"
  openssl req -x509 -new -key "$ca_key" -sha256 -days 3650 -subj "/CN=cellfleet CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$ca_crt"
  chmod 644 "$ca_crt"
  write_crl  # empty: a board checking revocation needs its CA's list, even with nothing in it
}

agent_extensions() {
  local name=$1 sans="DNS:$1"
  shift
  for san in "$@"; do sans="$sans,$san"; done
  # clientAuth too: the board shows it to a gateway it dials out to (docs/gateway.md).
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=$sans"
}

# sign_request CSR NAME CN EXTENSIONS: DIR/NAME.crt for the CSR's key, named CN whatever
# the CSR says (the operator names boards, not the boards themselves).
sign_request() {
  local csr=$1 name=$2 cn=$3 ext=$4
  printf '%s\n' "$ext" >"$dir/$name.ext"
  printf '%s\n' "$cn" >"$dir/$name.cn"
  openssl x509 -req -in "$csr" -CA "$ca_crt" -CAkey "$ca_key" -CAcreateserial -sha256 \
    -subj "/CN=$cn" -days "$lifetime_days" -extfile "$dir/$name.ext" -out "$dir/$name.crt.new" 2>/dev/null
  chmod 644 "$dir/$name.crt.new" "$dir/$name.ext" "$dir/$name.cn"
}

# issue NAME CN EXTENSIONS [force]: a new key and certificate, unless one is kept. The
# extensions are kept beside it, so that `renew` can issue the same again.
issue() {
  local name=$1 cn=$2 ext=$3 force=${4:-}
  if [ -s "$dir/$name.crt" ] && [ -z "$force" ]; then
    if openssl x509 -in "$dir/$name.crt" -noout -checkend "$renew_within" >/dev/null; then
      echo "keeping $dir/$name.crt"
      return 0
    fi
    echo "renewing $dir/$name.crt: it expires within a third of its life"
  fi
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key.new"
  openssl req -new -key "$dir/$name.key.new" -subj "/CN=$cn" -out "$dir/$name.csr"
  sign_request "$dir/$name.csr" "$name" "$cn" "$ext"
  rm -f "$dir/$name.csr"
  # Key first, then certificate, each by rename: a reader sees the old pair or the new.
  mv "$dir/$name.key.new" "$dir/$name.key"
  mv "$dir/$name.crt.new" "$dir/$name.crt"
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
    make_ca
    issue "agent-$name" "$name" "$(agent_extensions "$name" "$@")"
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
  renew)
    [ $# -eq 1 ] && [ -s "$dir/$1.ext" ] || { echo "make-certs.sh: no $dir/$1.ext to renew from" >&2; exit 2; }
    issue "$1" "$(cat "$dir/$1.cn")" "$(cat "$dir/$1.ext")" force
    ;;
  revoke)
    [ $# -eq 1 ] && [ -s "$dir/$1.crt" ] || { echo "make-certs.sh: no $dir/$1.crt to revoke" >&2; exit 2; }
    openssl ca -config "$(ca_config)" -revoke "$dir/$1.crt" 2>/dev/null || true  # again: no-op
    write_crl
    echo "revoked $dir/$1.crt; copy $dir/crl/ to the agents' security.tls.crl_dir"
    ;;
  token)
    [ $# -eq 1 ] || usage
    make_ca
    mkdir -p "$dir/tokens"
    openssl rand -hex 32 >"$dir/tokens/$1.token.new"
    mv "$dir/tokens/$1.token.new" "$dir/tokens/$1.token"
    rm -f "$dir/tokens/$1.spent"
    echo "token for board $1 in $dir/tokens/$1.token: put it on the board (security.tls.enrollment_token), then run cellfleet cert enroll" >&2
    cat "$dir/tokens/$1.token"
    ;;
  sign)
    [ $# -eq 2 ] || usage
    name=$1 csr=$2
    [ -s "$ca_key" ] || { echo "make-certs.sh: no CA in $dir" >&2; exit 2; }
    openssl req -in "$csr" -verify -noout 2>/dev/null || { echo "make-certs.sh: $csr is not a signed certificate request" >&2; exit 2; }
    sign_request "$csr" "agent-$name" "$name" "$(agent_extensions "$name")"
    mv "$dir/agent-$name.crt.new" "$dir/agent-$name.crt"
    echo "issued $dir/agent-$name.crt (CN=$name) for a key kept on the board" >&2
    ;;
  *) usage ;;
esac
