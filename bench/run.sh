#!/usr/bin/env bash
# Runs every benchmark and prints one CSV (header once). Not part of ctest: long-running.
# Usage: bench/run.sh [LEAVES (default 1000000)] [ADD_MIB (default 2048)] [SEGMENTS (1000000)]
# Needs a build in build/ (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
LEAVES=${1:-1000000}
MIB=${2:-2048}
SEGMENTS=${3:-1000000}
B=build/bench
echo "benchmark,value,unit,target,note"
"$B/hash_bench" | tail -n +2
"$B/tlog_bench" --leaves "$LEAVES" --batch 1000 | tail -n +2
dir=$(mktemp -d /var/tmp/attest-bench-archive-XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$B/make_archive" "$dir/a" "$LEAVES" 1000
t0=$(date +%s.%N)
build/attest --archive "$dir/a" verify > /dev/null
t1=$(date +%s.%N)
printf "attest_verify,%.2f,s,<30,attest verify of a %d-leaf archive (every leaf, manifest and blob)\n" \
  "$(echo "$t1 - $t0" | bc -l)" "$LEAVES"
bash bench/add_vs_cp.sh "$MIB" | tail -n +2
"$B/search_bench" --segments "$SEGMENTS" --dir "$dir/search" | tail -n +2
