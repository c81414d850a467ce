#!/usr/bin/env bash
# Embedding throughput (issue 9): attest's Embedder against llama.cpp's own `llama-embedding`,
# built from the same llama.cpp source, in the same run, on the same model and texts, with the
# same threads and the same batch shape, each writing every vector as a line of numbers. The
# model has multilingual-e5-small's shape (250,037 tokens, 384 wide, 12 layers) with random
# weights, written by the bench (search/embedder_testing.h), its vocabulary holding the words of
# the UDHR samples so a text is read in about as many tokens as a real model reads it in. The
# texts are the UDHR samples' sentences in four languages.
#
# A batch's size changes the speed of both (a non-causal model attends across the whole batch),
# so the batch is swept down to 256, the smallest this llama-embedding runs these texts at
# (at -b 128 it aborts: GGML_ASSERT(n_outputs_max <= cparams.n_outputs_max) in
# llama-context.cpp), and both sides are fastest there: for each B in BATCHES,
# llama-embedding runs with -c B -b B -ub B (its batch of B tokens, up to 256 texts), and
# attest is called with as many texts as fit in B tokens (at most 64, Embedder's most to a
# batch). The headline compares each at its best B.
# attest as the archive calls it (32 texts a call, SemanticSync::SyncSemantic) is a row too.
# Every figure: wall time with model load, the median of RUNS rounds (at least 3); in each round
# every configuration runs once, in an order that reverses every round.
#   bash bench/embed_bench.sh [TEXTS] [RUNS] [THREADS] [BATCHES]
#   (defaults: 1000 3 2 "256 512 1024 2048")
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
TEXTS=${1:-1000}
RUNS=${2:-3}
THREADS=${3:-2}
BATCHES=${4:-256 512 1024 2048}
if [ "$RUNS" -lt 3 ]; then
  echo "embed_bench: RUNS must be at least 3" >&2
  exit 2
fi
bench_provenance "bash bench/embed_bench.sh $TEXTS $RUNS $THREADS \"$BATCHES\""
# The peer's source: the pinned npm package that carries llama.cpp as a git bundle; the
# bundle's commit is read from the pinned tarball when it is still in third_party/_src.
# (llama-embedding --version names attest's own commit: llama.cpp's build-info asks git in a
# source tree that is not a git checkout.)
pin=$(grep '^node-llama-cpp ' third_party/npm-pins.txt | cut -d' ' -f1-2)
peer_commit=unknown
tgz=third_party/_src/node-llama-cpp-$(echo "$pin" | cut -d' ' -f2).tgz
if [ -f "$tgz" ]; then
  scratch=$(mktemp -d /tmp/attest-embed-pin-XXXXXX)
  tar -xzf "$tgz" -C "$scratch" package/llama/gitRelease.bundle
  peer_commit=$(git bundle list-heads "$scratch/package/llama/gitRelease.bundle" | awk '$2 == "HEAD" { print $1 }')
  rm -rf "$scratch"
fi
echo "# peer: llama-embedding from llama.cpp $peer_commit ($pin in third_party/npm-pins.txt)," \
  "-m MODEL -f TEXTS -t $THREADS -tb $THREADS -c B -b B -ub B --pooling mean --embd-normalize 2" \
  "--embd-output-format raw --no-warmup -lv 0, for B in $BATCHES"
echo "# same: model, texts, threads, batch of B tokens, mean pooling, unit vectors written as text;" \
  "no warm-up run for either; the files read once before timing"
bench_build embed_bench llama-embedding
peer=$(find build -name llama-embedding -type f -perm -u+x | head -1)
work=$(mktemp -d /tmp/attest-embed-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
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
./build/bench/embed_bench --write-model "$model" "$work/words.txt"
declare -A plan_note
for b in $BATCHES; do
  plan_note[$b]=$(./build/bench/embed_bench --plan tokens "$b" "$model" "$work/texts.txt" 2>&1 > "$work/calls-$b.txt")
done
plan_note[sync]=$(./build/bench/embed_bench --plan texts 32 "$model" "$work/texts.txt" 2>&1 > "$work/calls-sync.txt")
cat "$model" "$work"/*.txt > /dev/null
# The configurations of one round: attest-B and peer-B side by side, and attest as synced.
configs=()
for b in $BATCHES; do configs+=("attest:$b" "peer:$b"); done
configs+=("attest:sync")
declare -A times
run() {  # run CONFIG: one timed run, appended to times[CONFIG]; it must write every vector
  local who=${1%%:*} b=${1##*:} t0 t1 cmd
  if [ "$who" = attest ]; then
    cmd=(./build/bench/embed_bench "$model" "$work/calls-$b.txt" "$THREADS")
  else
    cmd=("$peer" -m "$model" -f "$work/texts.txt" -t "$THREADS" -tb "$THREADS" -c "$b" -b "$b"
      -ub "$b" --pooling mean --embd-normalize 2 --embd-output-format raw --no-warmup -lv 0)
  fi
  t0=$(date +%s.%N)
  "${cmd[@]}" > "$work/out.txt" 2> "$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
  t1=$(date +%s.%N)
  if [ "$(grep -c . "$work/out.txt")" != "$TEXTS" ]; then
    echo "embed_bench: $1 wrote $(grep -c . "$work/out.txt") vectors for $TEXTS texts" >&2
    exit 1
  fi
  times[$1]="${times[$1]:-} $(echo "$t1 - $t0" | bc -l)"
}
for round in $(seq "$RUNS"); do
  if [ $((round % 2)) = 1 ]; then order=("${configs[@]}"); else
    order=(); for ((i = ${#configs[@]} - 1; i >= 0; i--)); do order+=("${configs[i]}"); done
  fi
  for c in "${order[@]}"; do run "$c"; done
done
rate() { for s in "$@"; do echo "$TEXTS / $s" | bc -l; done; }
echo "$BENCH_COLUMNS"
best_attest="" best_peer=""
for b in $BATCHES; do
  # shellcheck disable=SC2086
  bench_row "embed_attest_b$b" texts/s "" "attest Embedder, calls of at most $b tokens and 64 texts (${plan_note[$b]}); $THREADS threads; wall time with model load" $(rate ${times[attest:$b]})
  # shellcheck disable=SC2086
  bench_row "embed_llama_embedding_b$b" texts/s "" "llama-embedding -c $b -b $b -ub $b; $THREADS threads; wall time with model load" $(rate ${times[peer:$b]})
  # shellcheck disable=SC2086
  a=$(bench_median ${times[attest:$b]}) p=$(bench_median ${times[peer:$b]})
  if [ -z "$best_attest" ] || [ "$(echo "$a < $(bench_median ${times[attest:$best_attest]})" | bc -l)" = 1 ]; then best_attest=$b; fi
  if [ -z "$best_peer" ] || [ "$(echo "$p < $(bench_median ${times[peer:$best_peer]})" | bc -l)" = 1 ]; then best_peer=$b; fi
done
# shellcheck disable=SC2086
bench_row embed_attest_sync texts/s "" "attest as Archive::SyncSemantic calls it: 32 texts a call (${plan_note[sync]}); $THREADS threads" $(rate ${times[attest:sync]})
# shellcheck disable=SC2086
bench_row embed_attest texts/s "" "attest at its best batch, $best_attest tokens" $(rate ${times[attest:$best_attest]})
# shellcheck disable=SC2086
bench_row embed_llama_embedding texts/s "" "llama-embedding at its best batch, -b $best_peer (llama.cpp $peer_commit)" $(rate ${times[peer:$best_peer]})
# The overhead: attest's best median over the peer's best, minus 1; min and max, the rounds'.
read -r -a ta <<< "${times[attest:$best_attest]}"
read -r -a tp <<< "${times[peer:$best_peer]}"
ratios=()
for i in "${!ta[@]}"; do ratios+=("$(echo "(${ta[i]} / ${tp[i]} - 1) * 100" | bc -l)"); done
spread=$(bench_stats "${ratios[@]}" | cut -d, -f2-4)
# shellcheck disable=SC2086
overhead=$(echo "($(bench_median ${times[attest:$best_attest]}) / $(bench_median ${times[peer:$best_peer]}) - 1) * 100" | bc -l)
printf 'embed_overhead,%.6g,%s,percent,<=5,"attest'"'"'s median wall time at its best batch (%s) over llama-embedding'"'"'s at its best (-b %s), minus 1; min and max: the rounds'"'"' own ratios"\n' \
  "$overhead" "$spread" "$best_attest" "$best_peer"
bench_load_after
