#!/usr/bin/env bash
# Ask's latency at SEGMENTS segments (default 1,000,000; issue 9): an archive of public text
# records of 200 paragraphs, each paragraph two sentences of the UDHR samples in its record's
# language (four languages; 97 witnesses; each file marked as a sample), imported and indexed
# with `attest import` and `attest worker`; then build/bench/ask_bench measures the whole Ask
# without a model and with the semantic path (see the head of ask_bench.cc) on QUESTIONS
# distinct timed questions after 200 warm-up questions that share none of them, dealt into
# ROUNDS rounds. Prints provenance and bench/lib.sh's columns.
#   bash bench/ask_bench.sh [SEGMENTS] [ROUNDS] [QUESTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SEGMENTS=${1:-1000000}
ROUNDS=${2:-3}
QUESTIONS=${3:-2100}
ATTEST=${ATTEST:-$PWD/build/attest}
bench_provenance "bash bench/ask_bench.sh $SEGMENTS $ROUNDS $QUESTIONS"
bench_build ask_bench
work=$(mktemp -d /var/tmp/attest-ask-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
PER_FILE=200
FILES=$(( (SEGMENTS + PER_FILE - 1) / PER_FILE ))
python3 bench/udhr_corpus.py "$work/corpus" "$FILES" "$PER_FILE"
# Questions: distinct windows of three to seven words of the UDHR samples, in four languages;
# the first 200 are the warm-up, the rest timed.
python3 - "$work" "$QUESTIONS" <<'PY'
import random, re, sys
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
words = []
for name in ['eng', 'fra', 'arb', 'heb']:
    words.append(re.findall(r"[\w'’-]+", open(f'samples/udhr/{name}.txt', encoding='utf-8').read()))
seen, qs = set(), []
while len(qs) < n + 200:
    w = words[len(qs) % 4]
    k = rng.randint(3, 7)
    i = rng.randrange(len(w) - k)
    q = ' '.join(w[i:i + k])
    if q.lower() not in seen:
        seen.add(q.lower())
        qs.append(q)
open(f'{out}/warmup.txt', 'w', encoding='utf-8').write('\n'.join(qs[:200]) + '\n')
open(f'{out}/timed.txt', 'w', encoding='utf-8').write('\n'.join(qs[200:]) + '\n')
PY
start=$(date +%s)
"$ATTEST" init "$work/archive" --origin bench.attest.invalid/ask > /dev/null
"$ATTEST" --archive "$work/archive" import "$work/corpus/manifest.csv" > /dev/null
"$ATTEST" --archive "$work/archive" worker --jobs 2 --until-idle > /dev/null 2>&1
echo "$BENCH_COLUMNS"
bench_row ask_archive_build s "" "import + worker of $FILES files (one run)" "$(( $(date +%s) - start ))"
./build/bench/ask_bench "$work/archive" "$work/warmup.txt" "$work/timed.txt" "$ROUNDS"
bench_load_after
