#!/usr/bin/env bash
# Embedding throughput (issue 9): attest's Embedder against llama.cpp's own `llama-embedding`,
# built from the same llama.cpp source, in the same run, on the same model and texts, with the
# same threads and batch size, each writing every vector as a line of numbers. The model has
# multilingual-e5-small's shape (250,037 tokens, 384 wide, 12 layers) with random weights,
# written by the bench (search/embedder_testing.h), its vocabulary holding the words of the UDHR
# samples so a text is read in about as many tokens as a real model reads it in. The texts are
# the UDHR samples' sentences in four languages. Each tool's wall time (model load included)
# is the best of RUNS, alternating. Prints CSV `benchmark,value,unit,target,note`.
#   bash bench/embed_bench.sh [TEXTS] [RUNS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
TEXTS=${1:-2000}
RUNS=${2:-3}
THREADS=${3:-2}
cmake --build build --target embed_bench llama-embedding > /dev/null
peer=$(find build -name llama-embedding -type f -perm -u+x | head -1)
work=/tmp/attest-embed-bench
mkdir -p "$work"
python3 - "$work" "$TEXTS" <<'PY'
import os, re, sys
out, n = sys.argv[1], int(sys.argv[2])
lines, words = [], set()
for name in ['eng', 'fra', 'arb', 'heb']:
    for l in open(f'samples/udhr/{name}.txt', encoding='utf-8'):
        l = l.strip()
        for s in re.split(r'(?<=[.;:])\s+', l):
            if len(s) > 20:
                lines.append(s)
        for w in re.findall(r'\w+', l):
            words.add(w)
            words.add(w.lower())
texts = [lines[i % len(lines)] for i in range(n)]
open(os.path.join(out, 'texts.txt'), 'w', encoding='utf-8').write('\n'.join(texts) + '\n')
open(os.path.join(out, 'words.txt'), 'w', encoding='utf-8').write('\n'.join(sorted(words)) + '\n')
PY
model=$work/random-multilingual-e5-small-shape.gguf
[ -f "$model" ] || ./build/bench/embed_bench --write-model "$model" "$work/words.txt"
wall() { /usr/bin/time -f %e "$@" 2>&1 > /dev/null | tail -1; }
best_attest=999999; best_peer=999999
for _ in $(seq "$RUNS"); do
  a=$(wall ./build/bench/embed_bench "$model" "$work/texts.txt" "$THREADS")
  p=$(wall "$peer" -m "$model" -f "$work/texts.txt" -t "$THREADS" -tb "$THREADS" -c 2048 -b 2048 \
        -ub 2048 --pooling mean --embd-normalize 2 --embd-output-format raw --no-warmup -lv 0)
  best_attest=$(echo "if ($a < $best_attest) $a else $best_attest" | bc -l)
  best_peer=$(echo "if ($p < $best_peer) $p else $best_peer" | bc -l)
done
tokens=$(./build/bench/embed_bench "$model" "$work/texts.txt" "$THREADS" 2>&1 > /dev/null | tail -1)
echo "embed_attest,$(echo "$TEXTS / $best_attest" | bc -l | cut -c1-8),segments/s,,best of $RUNS; $best_attest s for $TEXTS texts; $THREADS threads; $tokens"
echo "embed_llama_embedding,$(echo "$TEXTS / $best_peer" | bc -l | cut -c1-8),segments/s,,best of $RUNS; $best_peer s; llama.cpp de3ff81 llama-embedding"
echo "embed_overhead,$(echo "($best_attest / $best_peer - 1) * 100" | bc -l | cut -c1-6),%,<=5,attest's wall time over llama-embedding's"
