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
python3 - "$work/corpus" "$FILES" "$PER_FILE" <<'PY'
import os, random, sys
out, files, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rng = random.Random(7)
langs = {'en': 'eng', 'fr': 'fra', 'he': 'heb', 'ar': 'arb'}
sentences = {}
for code, name in langs.items():
    text = open(f'samples/udhr/{name}.txt', encoding='utf-8').read()
    sentences[code] = [l.strip() for l in text.splitlines() if len(l.strip()) > 40]
rows = ['id,file,witness,collection,language,consent,title']
for i in range(files):
    code = list(langs)[i % 4]
    paras = [' '.join(rng.sample(sentences[code], 2)) for _ in range(per)]
    name = f'sample-{i:05d}.txt'
    with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
        f.write('\n\n'.join(paras) + '\n')
    rows.append(f'b{i},{name},w-{i % 97},bench-{code},{code},public,Sample {i} (UDHR sentences; not testimony)')
open(os.path.join(out, 'manifest.csv'), 'w').write('\n'.join(rows) + '\n')
PY
start=$(date +%s)
"$ATTEST" init "$work/archive" --origin bench.attest.invalid/ask > /dev/null
"$ATTEST" --archive "$work/archive" import "$work/corpus/manifest.csv" > /dev/null
"$ATTEST" --archive "$work/archive" worker --jobs 2 --until-idle > /dev/null 2>&1
echo "ask_archive_build,$(( $(date +%s) - start )),s,,import + worker of $FILES files"
./build/bench/ask_bench "$work/archive" "$ROUNDS"
