#!/usr/bin/env bash
# Re-measures every figure that README.md, doc/ and bench/README.md quote, at HEAD, in one go,
# and writes each bench's CSV to bench/results/DATE-NAME.csv. The CSVs of earlier runs are
# deleted first: a figure is quoted only from the newest run, never kept beside a stale one.
#
#   bash bench/run-all.sh            # reduced sizes (below), about an hour on 2 cores
#   bash bench/run-all.sh --full     # the targets' own sizes: 1,000,000 leaves and segments, a
#                                    # 2 GiB add; several hours
#
# Run it on an otherwise idle machine: each CSV records the load average before and after.
# Build first (README). Needs the bench dependencies of scripts/install-deps.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
full=0
[ "${1:-}" = "--full" ] && full=1
if ((full)); then
  LEAVES=1000000 ADD_MIB=2048 SEARCH_SEGMENTS=1000000 HTTP_SEGMENTS=1000000 ASK_SEGMENTS=1000000
  ASR_SHAPES=tiny,base,small,large-v3-turbo ASR_SECONDS=90 EMBED_TEXTS=2000 INGEST_FILES=10000
else
  LEAVES=200000 ADD_MIB=1024 SEARCH_SEGMENTS=100000 HTTP_SEGMENTS=200000 ASK_SEGMENTS=200000
  ASR_SHAPES=tiny,base,small ASR_SECONDS=30 EMBED_TEXTS=1000 INGEST_FILES=1000
fi
cmake --build build > /dev/null || { echo "run-all: the build failed" >&2; exit 1; }
cmake --build build --target whisper-cli llama-embedding > /dev/null || exit 1
day=$(date -u +%Y-%m-%d)
out=bench/results
mkdir -p "$out"
rm -f "$out"/*.csv "$out"/*.log
failed=()
run() {  # NAME COMMAND...: the CSV to $out/DAY-NAME.csv, what it says on stderr to a .log
  local name=$1
  shift
  local t0=$SECONDS
  echo "run-all: $name: $*" >&2
  if "$@" > "$out/$day-$name.csv" 2> "$out/$day-$name.log"; then
    rm -f "$out/$day-$name.log"
    echo "run-all: $name done in $((SECONDS - t0)) s" >&2
  else
    echo "run-all: $name FAILED after $((SECONDS - t0)) s (see $out/$day-$name.log)" >&2
    failed+=("$name")
  fi
}
run log bash bench/log_bench.sh "$LEAVES" 3
run add bash bench/add_vs_cp.sh "$ADD_MIB" 3
run media bash bench/media_bench.sh 64 7
run search bash bench/search_bench.sh "$SEARCH_SEGMENTS"
run http bash bench/http_bench.sh "$HTTP_SEGMENTS" 10 3
run ask bash bench/ask_bench.sh "$ASK_SEGMENTS" 3 2100
run asr bash bench/asr_bench.sh "$ASR_SHAPES" "$ASR_SECONDS" 3
run embed bash bench/embed_bench.sh "$EMBED_TEXTS" 3 2
run ingest python3 bench/ingest_bench.py --files "$INGEST_FILES" --runs 3
if ((${#failed[@]})); then
  echo "run-all: failed: ${failed[*]}" >&2
  exit 1
fi
echo "run-all: every CSV is in $out/ (sizes: $([ $full = 1 ] && echo full || echo reduced))" >&2
