#!/usr/bin/env bash
# `attest add` of a large file against the fastest plain way to do the same work with standard
# tools: hash it with `openssl dgst -sha256` (OpenSSL's SHA-256, the same code attest hashes
# with, using the CPU's SHA extensions where it has them), copy it with `cp`, and `sync` the
# copy (attest fsyncs what it stores before it answers). attest is measured twice: a public
# record (stored in the clear) and a restricted one, the default (encrypted at rest,
# doc/format/blob_store.md), so the cost of encryption is a figure of its own. Same file, same
# disk, page cache warm for all, no dirty pages left by the run before; RUNS rounds, the order rotated every round; each figure the
# median with min and max. Usage: add_vs_cp.sh [SIZE_MIB (2048)] [RUNS (3)]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
ATTEST=${ATTEST:-$here/../build/attest}
bench_build attest
MIB=${1:-2048}
RUNS=${2:-3}
bench_provenance "bash bench/add_vs_cp.sh $MIB $RUNS"
echo "# peer: openssl dgst -sha256 FILE, then cp FILE COPY, then sync COPY (an fsync of the copy," \
  "as attest fsyncs what it stores); and the same without the sync. OpenSSL's SHA-256 uses the" \
  "CPU's SHA extensions where it has them ($(grep -q -w sha_ni /proc/cpuinfo && echo 'sha_ni: yes' || echo 'sha_ni: no'))"
echo "# same: the file, its page cache warm, the file system, no dirty pages at the start of a run;" \
  "the order rotates each round and reverses every other round"
work=$(mktemp -d /var/tmp/attest-bench-add-XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/src.bin"
# Random content, so no layer below can shortcut it.
set +o pipefail  # openssl ends on SIGPIPE when head has enough
openssl enc -aes-128-ctr -pass pass:attest-bench -nosalt -pbkdf2 -in /dev/zero 2>/dev/null \
  | head -c $((MIB * 1024 * 1024)) > "$src"
set -o pipefail
cat "$src" > /dev/null  # warm the page cache for everyone

# Timed: the work itself. Untimed before each run (prepare): the previous run's output removed,
# the archive created, and every dirty page written back (sync), so no run pays for the
# write-back of the one before it (a copy without sync leaves 1 GiB dirty for the next).
prepare() {
  rm -rf "$work/copy.bin" "$work/archive"
  "$ATTEST" init "$work/archive" --origin bench.attest.invalid/add > /dev/null
  sync
}
peer() { openssl dgst -sha256 "$src" && cp "$src" "$work/copy.bin"; }
peer_sync() { openssl dgst -sha256 "$src" && cp "$src" "$work/copy.bin" && sync "$work/copy.bin"; }
attest_add() {  # CONSENT
  "$ATTEST" --archive "$work/archive" add "$src" --consent "$1" 2> "$work/add.err"
}
attest_public() { attest_add public; }
attest_restricted() { attest_add restricted; }

engines=(peer peer_sync attest_public attest_restricted)
declare -A t
for ((r = 0; r < RUNS; r++)); do
  for ((i = 0; i < ${#engines[@]}; i++)); do
    # Rotated, and reversed every other round, so no engine always follows the same one.
    if ((r % 2)); then e=${engines[$(((${#engines[@]} - 1 - i + r) % ${#engines[@]}))]}
    else e=${engines[$(((i + r) % ${#engines[@]}))]}; fi
    prepare
    t[$e]+="$(bench_seconds "$e") "
  done
done
ratios() {  # A B: A/B per round
  local -a a=(${t[$1]}) b=(${t[$2]})
  for ((r = 0; r < RUNS; r++)); do echo "${a[$r]} / ${b[$r]}" | bc -l; done
}
# Peak memory of one restricted add (the default) of the file into a fresh archive.
prepare
/usr/bin/time -f "%M" -o "$work/rss" "$ATTEST" --archive "$work/archive" add "$src" \
  --consent restricted > /dev/null 2> "$work/add.err"
rss=$(tail -1 "$work/rss")
echo "$BENCH_COLUMNS"
bench_row "add_${MIB}MiB_openssl_cp" s "" "peer: openssl dgst -sha256 then cp (no fsync)" ${t[peer]}
bench_row "add_${MIB}MiB_openssl_cp_sync" s "" "peer: openssl dgst -sha256 then cp then sync of the copy" ${t[peer_sync]}
bench_row "add_${MIB}MiB_attest_public" s "" "attest add --consent public (stored in the clear: hash + write + fsync + log)" ${t[attest_public]}
bench_row "add_${MIB}MiB_attest_restricted" s "" "attest add --consent restricted (the default: encrypted at rest)" ${t[attest_restricted]}
bench_row "add_${MIB}MiB_ratio_public_vs_peer_sync" x "<=1.3" "attest public / (openssl + cp + sync), per round" $(ratios attest_public peer_sync)
bench_row "add_${MIB}MiB_ratio_restricted_vs_peer_sync" x "" "attest restricted (encrypted) / (openssl + cp + sync), per round" $(ratios attest_restricted peer_sync)
bench_row "add_${MIB}MiB_max_rss" KiB constant "peak memory of attest add --consent restricted of the file into a fresh archive (one run)" "$rss"
bench_load_after
