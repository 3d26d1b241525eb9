#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Makes the test certificates in this directory (run once by hand; the files
# are kept in the tree, and the tests never run this). Needs openssl(1)
# (Debian: openssl). Valid for 100 years, on elliptic-curve P-256 keys.
#
#   ca.pem                 a test CA (its key is thrown away)
#   server.pem, server-key.pem
#                          signed by ca.pem, for 127.0.0.1 and localhost
#   wrong-host.pem, wrong-host-key.pem
#                          signed by ca.pem, for wrong-host.invalid only
#   self-signed.pem, self-signed-key.pem
#                          self-signed, for 127.0.0.1 and localhost
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
days=36500
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

openssl req -x509 $ec -keyout "$tmp/ca-key.pem" -out ca.pem -days $days \
  -subj "/CN=sse-glib test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"

leaf () {
  name=$1 cn=$2 san=$3
  openssl req $ec -keyout "$name-key.pem" -out "$tmp/$name.csr" -subj "/CN=$cn"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' > "$tmp/$name.ext"
  printf 'extendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" >> "$tmp/$name.ext"
  openssl x509 -req -in "$tmp/$name.csr" -CA ca.pem -CAkey "$tmp/ca-key.pem" \
    -CAcreateserial -CAserial "$tmp/ca.srl" -days $days -extfile "$tmp/$name.ext" \
    -out "$name.pem"
}
leaf server 127.0.0.1 "IP:127.0.0.1,DNS:localhost"
leaf wrong-host wrong-host.invalid "DNS:wrong-host.invalid"

openssl req -x509 $ec -keyout self-signed-key.pem -out self-signed.pem -days $days \
  -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"
