#!/bin/sh
# run.sh DIR [server.py options...] - the reference central service in one step, for trials.
#
# Makes the test PKI in DIR if it is not there yet (make_pki.py), prints the lines to put in
# the kiosk's config, and runs the server in the foreground (Ctrl-C stops it) with its
# database at DIR/central.db. Extra options go to server.py, e.g. --port 8443, --wrong-ca.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 DIR [server.py options...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
dir=$(cd "$1" && pwd)
shift
python3 "$here/make_pki.py" "$dir"

# The server prints its ports first; the config lines need the API's.
fifo="$dir/.ports.$$"
rm -f "$fifo"
mkfifo "$fifo"
python3 "$here/server.py" --pki "$dir" --db "$dir/central.db" "$@" >"$fifo" &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -f "$fifo"' INT TERM
exec 3<"$fifo"
rm -f "$fifo"
read -r listening <&3
read -r control <&3
port=${listening##*:}
cat <<EOF
# The reference central service is $listening (HTTPS, mutual TLS);
# its test control (faults, state) is http://${control#control }.
# Put these in the kiosk's config (the kiosk id must be DEMO-0001, the certificate's):
[central]
url = https://127.0.0.1:$port
ca_bundle = $dir/ca.pem
client_cert = $dir/kiosk.crt
client_key = $dir/kiosk.key
signing_public_key = $dir/signing.keys
EOF
cat <&3 &
wait "$pid"
