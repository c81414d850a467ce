#!/usr/bin/env bash
# What encryption at rest costs when a file is served (issue 8, doc/format/blob_store.md
# "Encrypted blobs"): the same size of random bytes added once as a public record (stored in
# the clear) and once as a restricted one (encrypted), served to an archivist's token on
# loopback: the whole file, and 1 MiB at an offset near its end (an encrypted file is
# decrypted from its start up to the offset). Each figure is the median of RUNS requests, with
# min and max, the clear and the encrypted file asked in turn (bench/lib.sh's columns).
#   bash bench/media_bench.sh [MIB] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
MIB=${1:-64}
RUNS=${2:-7}
bench_provenance "bash bench/media_bench.sh $MIB $RUNS"
ATTEST=${ATTEST:-$PWD/build/attest}
bench_build attest
DIR=$(mktemp -d /var/tmp/attest-bench-media-XXXXXX)
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
fetch() {  # ID [RANGE]: seconds for one request
  if [ -n "${2:-}" ]; then
    curl -sf -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $TOKEN" \
      -H "Range: bytes=$2" "http://127.0.0.1:$PORT/api/v1/records/$1/media/original"
  else
    curl -sf -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $TOKEN" \
      "http://127.0.0.1:$PORT/api/v1/records/$1/media/original"
  fi
}
FROM=$(((MIB - 4) << 20))
RANGE="$FROM-$((FROM + (1 << 20) - 1))"
declare -A t
for ((r = 0; r < RUNS; r++)); do
  if ((r % 2)); then order="sealed plain"; else order="plain sealed"; fi
  for which in $order; do
    id=$PLAIN; [ "$which" = sealed ] && id=$SEALED
    t[$which.whole]+="$(fetch "$id") "
    t[$which.range]+="$(fetch "$id" "$RANGE") "
  done
done
echo "$BENCH_COLUMNS"
bench_row media_whole_clear s "" "$MIB MiB public record, whole" ${t[plain.whole]}
bench_row media_whole_encrypted s "" "$MIB MiB restricted record (encrypted at rest), whole" ${t[sealed.whole]}
bench_row media_range_clear s "" "1 MiB at $((MIB - 4)) MiB, public record" ${t[plain.range]}
bench_row media_range_encrypted s "" "1 MiB at $((MIB - 4)) MiB, restricted record (decrypted from the start)" ${t[sealed.range]}
bench_load_after
