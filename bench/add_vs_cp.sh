#!/usr/bin/env bash
# `attest add` of a large file against `sha256sum` + `cp` of the same file, in the same run,
# on the same disk, page cache warm for both. Prints CSV rows. Usage: add_vs_cp.sh [SIZE_MIB]
set -euo pipefail
ATTEST=${ATTEST:-$(dirname "$0")/../build/attest}
MIB=${1:-2048}
work=$(mktemp -d /var/tmp/attest-bench-add-XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/src.bin"
# Random content, so no layer below can shortcut it.
set +o pipefail  # openssl ends on SIGPIPE when head has enough
openssl enc -aes-128-ctr -pass pass:attest-bench -nosalt -pbkdf2 -in /dev/zero 2>/dev/null \
  | head -c $((MIB * 1024 * 1024)) > "$src"
set -o pipefail
cat "$src" > /dev/null  # warm the page cache for everyone

now() { date +%s.%N; }
best_of() {  # best of 3 runs of "$@", in seconds
  local best=""
  for i in 1 2 3; do
    local t0 t1 d
    t0=$(now); "$@" > /dev/null; t1=$(now)
    d=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$d < $best" | bc -l)" = 1 ]; then best=$d; fi
  done
  echo "$best"
}
peer() { sha256sum "$src" && cp "$src" "$work/copy.bin" && rm -f "$work/copy.bin"; }
peer_sync() { sha256sum "$src" && cp "$src" "$work/copy.bin" && sync "$work/copy.bin" && rm -f "$work/copy.bin"; }
attest_add() {
  rm -rf "$work/archive"
  "$ATTEST" init "$work/archive" --origin bench.attest.invalid/add > /dev/null
  "$ATTEST" --archive "$work/archive" add "$src"
}
t_peer=$(best_of peer)
t_peer_sync=$(best_of peer_sync)
t_attest=$(best_of attest_add)
rss=$( { /usr/bin/time -f "%M" "$ATTEST" --archive "$work/archive" add --record \
        "$("$ATTEST" --archive "$work/archive" list | cut -f1 | head -1)" "$src" > /dev/null; } 2>&1 | tail -1)
echo "benchmark,value,unit,target,note"
printf "add_%dMiB_sha256sum_cp,%.2f,s,,peer: sha256sum then cp (no fsync)\n" "$MIB" "$t_peer"
printf "add_%dMiB_sha256sum_cp_sync,%.2f,s,,peer: sha256sum then cp then sync of the copy\n" "$MIB" "$t_peer_sync"
printf "add_%dMiB_attest,%.2f,s,,attest init + attest add (stream: hash + write + fsync + log)\n" "$MIB" "$t_attest"
printf "add_%dMiB_ratio_vs_cp,%.2f,x,<=1.3,attest / (sha256sum + cp)\n" "$MIB" "$(echo "$t_attest / $t_peer" | bc -l)"
printf "add_%dMiB_ratio_vs_cp_sync,%.2f,x,,attest / (sha256sum + cp + sync)\n" "$MIB" "$(echo "$t_attest / $t_peer_sync" | bc -l)"
printf "add_%dMiB_max_rss,%d,KiB,constant,attest add peak memory\n" "$MIB" "$rss"
