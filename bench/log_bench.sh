#!/usr/bin/env bash
# The log and its verification: one Merkle node hash (hash_bench), appends, proofs and the
# audit of a log of LEAVES leaves (tlog_bench), and a full `attest verify` of an archive of
# LEAVES records over LEAVES distinct blobs of about 4 KB (make_archive: every record its own
# file, as a real archive of that many files would hold), page cache warm. No peer runs these:
# each figure is the median of RUNS runs, with min and max.
#   bash bench/log_bench.sh [LEAVES (1000000)] [RUNS (3)]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
LEAVES=${1:-1000000}
RUNS=${2:-3}
B=build/bench
bench_build hash_bench tlog_bench make_archive attest
bench_provenance "bash bench/log_bench.sh $LEAVES $RUNS"
python3 bench/aggregate.py "$RUNS" "$B/hash_bench"
python3 bench/aggregate.py "$RUNS" "$B/tlog_bench" --leaves "$LEAVES" --batch 1000 | tail -n +2
dir=$(mktemp -d /var/tmp/attest-bench-verify-XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$B/make_archive" "$dir/a" "$LEAVES" "$LEAVES" > "$dir/make.csv"
blobs=$(find "$dir/a/blobs" -type f | wc -l)
times=()
for ((r = 0; r < RUNS; r++)); do
  times+=("$(bench_seconds build/attest --archive "$dir/a" verify)")
done
per_leaf=()
for t in "${times[@]}"; do per_leaf+=("$(echo "$t * 1000000 / $LEAVES" | bc -l)"); done
bench_row attest_verify s "<30 at 1000000 leaves" \
  "attest verify of a $LEAVES-leaf archive: $LEAVES records; $blobs blob files, each re-hashed; every manifest, leaf, tile and the checkpoint" \
  "${times[@]}"
bench_row attest_verify_per_leaf us "<30 (30 s at 1000000 leaves)" "the same, per leaf" "${per_leaf[@]}"
bench_load_after
