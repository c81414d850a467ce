#!/bin/bash
# Speech recognition speed, attest against whisper.cpp's whisper-cli (bench/README.md).
# Usage: bash bench/asr_bench.sh [SHAPES] [SECONDS] [RUNS]   e.g. bash bench/asr_bench.sh tiny,base 30 3
# Defaults (tiny,base; 30 s of audio; 3 runs) fit in about 10 minutes on 2 cores; small and
# large-v3-turbo are shapes too. Each tool runs RUNS times, alternating (build/bench/asr_bench).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
shapes=${1:-tiny,base}
seconds=${2:-30}
runs=${3:-3}
bench_provenance "bash bench/asr_bench.sh $shapes $seconds $runs"
echo "# peer: whisper-cli built from the same whisper.cpp source as attest" \
  "($(grep '^nodejs-whisper ' third_party/npm-pins.txt | cut -d' ' -f1-2) in third_party/npm-pins.txt)," \
  "-t $(nproc) -bs 1 -bo 1 -l en -nf -fa -p 1 -np -ojf: every core, greedy, the language given," \
  "no temperature fallback, flash attention, token times in its full JSON"
echo "# same: model file (read once before timing), audio, threads, decoding, word times; the" \
  "order of the tools rotates every round"
bench_build whisper-cli asr_bench
cli=$(find build -type f -name whisper-cli -perm -u+x | head -1)
work=$(mktemp -d /tmp/attest-asr-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
# Speech: espeak-ng reading the opening of the Universal Declaration in the four languages
# (samples, not testimony), repeated to SECONDS, 16 kHz mono WAV (what whisper-cli reads).
parts=()
for pair in he:heb ar:arb en:eng fr:fra; do
  voice=${pair%%:*} file=${pair##*:}
  sed -n 2p samples/udhr/$file.txt > "$work/$file.txt"
  espeak-ng -v "$voice" -s 150 -f "$work/$file.txt" -w "$work/$file.wav"
  parts+=("$work/$file.wav")
done
sox "${parts[@]}" -r 16000 -c 1 -b 16 "$work/once.wav"
sox "$work/once.wav" "$work/speech.wav" repeat 10 trim 0 "$seconds"
echo "$BENCH_COLUMNS"
./build/bench/asr_bench --cli "$cli" --audio "$work/speech.wav" --out "$work" \
  --models "$work/models" --shapes "$shapes" --threads "$(nproc)" --beam 1 --runs "$runs" \
  --auto-language
bench_load_after
