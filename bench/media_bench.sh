#!/usr/bin/env bash
# What encryption at rest costs when a file is served (issue 8, doc/format/blob_store.md
# "Encrypted blobs"): the same size of random bytes added once as a public record (stored in
# the clear) and once as a restricted one (encrypted), served to an archivist's token on
# loopback: the whole file, and 1 MiB at an offset near its end (an encrypted file is
# decrypted from its start up to the offset). Prints CSV `benchmark,value,unit,note`, the
# median of RUNS requests each.
#   bash bench/media_bench.sh [MIB] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-64}
RUNS=${2:-7}
ATTEST=${ATTEST:-$PWD/build/attest}
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$ATTEST" init "$DIR/a" > /dev/null 2>&1
id_of() { python3 -c "import json,sys;print(json.load(sys.stdin)['records'][0]['id'])"; }
head -c $((MIB << 20)) /dev/urandom > "$DIR/plain.bin"
head -c $((MIB << 20)) /dev/urandom > "$DIR/sealed.bin"
PLAIN=$("$ATTEST" --archive "$DIR/a" add --json --consent public "$DIR/plain.bin" | id_of)
SEALED=$("$ATTEST" --archive "$DIR/a" add --json --consent restricted "$DIR/sealed.bin" | id_of)
TOKEN=$("$ATTEST" --archive "$DIR/a" token create --role archivist --json |
  python3 -c "import json,sys;print(json.load(sys.stdin)['token'])")
PORT=$((20000 + RANDOM % 10000))
"$ATTEST" --archive "$DIR/a" serve --listen 127.0.0.1:$PORT > "$DIR/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/" && break; sleep 0.1; done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {  # ID [RANGE]
  for _ in $(seq "$RUNS"); do
    if [ -n "${2:-}" ]; then
      curl -s -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $TOKEN" \
        -H "Range: bytes=$2" "http://127.0.0.1:$PORT/api/v1/records/$1/media/original"
    else
      curl -s -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/api/v1/records/$1/media/original"
    fi
  done | median
}
FROM=$(((MIB - 4) << 20))
RANGE="$FROM-$((FROM + (1 << 20) - 1))"
echo "benchmark,value,unit,note"
echo "whole file in the clear,$(measure "$PLAIN"),s,$MIB MiB"
echo "whole file encrypted,$(measure "$SEALED"),s,$MIB MiB"
echo "1 MiB near the end in the clear,$(measure "$PLAIN" "$RANGE"),s,at $((MIB - 4)) MiB"
echo "1 MiB near the end encrypted,$(measure "$SEALED" "$RANGE"),s,at $((MIB - 4)) MiB (decrypted from the start)"
