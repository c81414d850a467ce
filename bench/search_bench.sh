#!/usr/bin/env bash
# Search at scale against SQLite FTS5 and Xapian at their best (bench/search_bench.cc's head says
# how the corpus, the variant set and each peer's configuration are made).
#
# Usage: bench/search_bench.sh [SEGMENTS] [QUERIES] [ROUNDS] [WARMUP]
#   SEGMENTS  generated segments (default 100000; the whole bench then takes about 10 minutes
#             on 2 cores)
#   QUERIES   timed queries a round for each query set (default 2000: p99 from 2,000)
#   ROUNDS    indexing runs of each configuration and timed query rounds (default 3)
#   WARMUP    warm-up queries, distinct from the timed ones (default 500)
# Builds build/bench/search_bench if need be. Needs Debian's
# hunspell-ar, hunspell-he, hunspell-fr-classical and hunspell-en-us.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
segments=${1:-100000}
queries=${2:-2000}
rounds=${3:-3}
warmup=${4:-500}
bin=build/bench/search_bench
bench_build search_bench
dir=$(mktemp -d /var/tmp/attest-search-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
bench_provenance "bash bench/search_bench.sh $segments $queries $rounds $warmup"
echo "# sizes: $segments segments, $queries timed queries a round, $rounds rounds, $warmup warm-up queries"
echo "# peers: SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1) (FTS5), Xapian $(xapian-config --version 2>/dev/null | awk '{print $NF}')"
echo "$BENCH_COLUMNS"
"$bin" --segments "$segments" --queries "$queries" --rounds "$rounds" --warmup "$warmup" \
  --dir "$dir/work"
bench_load_after
