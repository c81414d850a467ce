#!/usr/bin/env bash
# Ask's latency at SEGMENTS segments (default 1,000,000; issue 9): an archive of public text
# records of 200 paragraphs, each paragraph two sentences of the UDHR samples in its record's
# language (four languages; 97 witnesses; each file marked as a sample), imported and indexed
# with `attest import` and `attest worker`; then build/bench/ask_bench measures the whole Ask
# without a model and with the semantic path (see the head of ask_bench.cc). Prints CSV
# `benchmark,value,unit,target,note`.
#   bash bench/ask_bench.sh [SEGMENTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SEGMENTS=${1:-1000000}
ROUNDS=${2:-3}
ATTEST=${ATTEST:-$PWD/build/attest}
cmake --build build --target ask_bench > /dev/null
work=$(mktemp -d /tmp/attest-ask-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
PER_FILE=200
FILES=$(( (SEGMENTS + PER_FILE - 1) / PER_FILE ))
python3 bench/udhr_corpus.py "$work/corpus" "$FILES" "$PER_FILE"
start=$(date +%s)
"$ATTEST" init "$work/archive" --origin bench.attest.invalid/ask > /dev/null
"$ATTEST" --archive "$work/archive" import "$work/corpus/manifest.csv" > /dev/null
"$ATTEST" --archive "$work/archive" worker --jobs 2 --until-idle > /dev/null 2>&1
echo "ask_archive_build,$(( $(date +%s) - start )),s,,import + worker of $FILES files"
./build/bench/ask_bench "$work/archive" "$ROUNDS"
