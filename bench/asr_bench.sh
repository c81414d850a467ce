#!/bin/bash
# Speech recognition speed, attest against whisper.cpp's whisper-cli (bench/README.md).
# Usage: bash bench/asr_bench.sh [SHAPES] [SECONDS]   e.g. bash bench/asr_bench.sh tiny,base,small 90
set -euo pipefail
cd "$(dirname "$0")/.."
shapes=${1:-tiny,base,small,large-v3-turbo}
seconds=${2:-90}
cmake --build build --target whisper-cli asr_bench >/dev/null
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
./build/bench/asr_bench --cli "$cli" --audio "$work/speech.wav" --shapes "$shapes" \
  --threads "$(nproc)" --beam 1 --auto-language
