#!/usr/bin/env bash
# The sanitizer and fuzzing step of CI (.ci/run runs it after ctest; README.md). Three parts,
# each its own argument (all three when none is given):
#
#   asan  clang with AddressSanitizer and UndefinedBehaviorSanitizer in build-san/: the unit
#         tests of the libraries (core, blob, tlog, meta, text, access, search, http, archive).
#   fuzz  the libFuzzer targets of tests/fuzz, built in the same tree (its libraries carry
#         -fsanitize=fuzzer-no-link, so coverage guides the fuzzer), each for
#         ATTEST_FUZZ_SECONDS (60) on a copy of its seed corpus, two at a time. A crash, leak,
#         timeout or out-of-memory fails the step; the input is kept under
#         build-san/fuzz-run/<target>/artifacts/ and printed.
#   tsan  clang with ThreadSanitizer in build-tsan/: the tests of code whose threads share
#         state (TSAN_TESTS below), the attest binary included for `attest serve`'s gate.
#         ggml, ICU, Xapian and cpp-httplib are not instrumented (tests/tsan.supp says why one
#         of them needs a suppression); LexicalIndex::Open warms ICU up before its lanes start.
#   whole every test under ASan/UBSan in build-san/, the attest binary too; by hand, not in CI.
#
# ggml, llama.cpp and whisper.cpp are not rebuilt: both trees link the shared libraries of the
# default build in build/ (ATTEST_THIRD_PARTY_FROM), which is built first if need be. They are
# not instrumented, as before. Everything is written under the build trees, nothing in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FUZZ_SECONDS=${ATTEST_FUZZ_SECONDS:-60}
# Another checkout, or another build directory of this one, still hits the compiler cache.
export CCACHE_BASEDIR=$ROOT CCACHE_NOHASHDIR=1

UNIT_TESTS=(core_test blob_test tlog_test meta_test text_test access_test search_test http_test
            archive_test)
FUZZ_TARGETS=(note proof leaf bundle query http_head range)
TSAN_TESTS=(search_test access_test meta_test ingest_test http_hardening_test api_test)
# Tests whose code runs threads of its own: the index's writer lanes, the login throttle under
# guesses sent at once, two store connections, the ingestion worker's jobs and heartbeat,
# transcription and OCR threads, and `attest serve`'s gate with its request threads under
# hostile and ordinary clients. The rest of those programs is single-threaded.
TSAN_FILTER='^(LexicalIndexTest|AccessTest|StoreTest|PipelineTest|SpeechTest|OcrTest|HttpHardeningTest|ApiTest)\.'

steps=("$@")
if [ ${#steps[@]} -eq 0 ]; then steps=(asan fuzz tsan); fi

stamp() { echo "== $(date +%T) $*"; }

third_party() {
  if [ ! -f build/CMakeCache.txt ]; then cmake -S . -B build -G Ninja; fi
  cmake --build build --target ggml llama whisper
}

# clang, linking the default build's third-party libraries. OpenMP is GCC's libgomp, the runtime
# Tesseract and ggml use, so attest's hold on Tesseract's thread teams reaches theirs.
CLANG_ARGS=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DATTEST_BUILD_BENCH=OFF
            -DATTEST_THIRD_PARTY_FROM="$ROOT/build" -DOpenMP_CXX_FLAGS=-fopenmp=libgomp
            -DOpenMP_CXX_LIB_NAMES=gomp -DOpenMP_gomp_LIBRARY="$(gcc -print-file-name=libgomp.so)")

configure_san() {
  cmake -S . -B build-san -G Ninja -DATTEST_SANITIZE=ON -DATTEST_FUZZ=ON "${CLANG_ARGS[@]}" > /dev/null
}

labels() { local IFS='|'; echo "^($*)\$"; }

# ASan reports leaks too; UBSan stops at the first finding (-fno-sanitize-recover=all).
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

asan() {
  stamp "asan: build"
  configure_san
  cmake --build build-san --target "${UNIT_TESTS[@]}"
  stamp "asan: test"
  ctest --test-dir build-san --output-on-failure -j2 --no-tests=error -L "$(labels "${UNIT_TESTS[@]}")"
}

# fuzz_one NAME: runs fuzz_NAME for FUZZ_SECONDS in build-san/fuzz-run/NAME/, its log in log.txt.
fuzz_one() {
  local name=$1 dir=build-san/fuzz-run/$1
  rm -rf "$dir" && mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/tmp"
  cp tests/fuzz/corpus/"$name"/* "$dir/corpus/"
  # New inputs go into the copy; the seeds in tests/fuzz/corpus are never written.
  TMPDIR=$ROOT/$dir/tmp build-san/tests/fuzz/fuzz_"$name" -max_total_time="$FUZZ_SECONDS" \
    -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus" > "$dir/log.txt" 2>&1
}

fuzz() {
  stamp "fuzz: build"
  configure_san
  cmake --build build-san --target "${FUZZ_TARGETS[@]/#/fuzz_}"
  stamp "fuzz: ${FUZZ_SECONDS} s a target, two at a time"
  local failed=0 i name
  for ((i = 0; i < ${#FUZZ_TARGETS[@]}; i += 2)); do
    local pids=() names=()
    for name in "${FUZZ_TARGETS[@]:i:2}"; do
      fuzz_one "$name" & pids+=($!); names+=("$name")
    done
    for j in "${!pids[@]}"; do
      name=${names[j]}
      local dir=build-san/fuzz-run/$name
      if wait "${pids[j]}"; then
        echo "fuzz_$name: $(grep -E '^stat::number_of_executed_units' "$dir/log.txt" | awk '{print $2}') runs," \
             "corpus $(ls "$dir/corpus" | wc -l) inputs ($(ls tests/fuzz/corpus/"$name" | wc -l) seeds)"
      else
        failed=1
        echo "fuzz_$name FAILED; its log ($dir/log.txt) ends:"
        tail -n 60 "$dir/log.txt"
        for f in "$dir"/artifacts/*; do
          [ -e "$f" ] || continue
          echo "input kept in $f:"
          od -A d -c "$f" | head -n 40
        done
      fi
    done
  done
  rm -rf build-san/fuzz-run/*/tmp
  return $failed
}

tsan() {
  stamp "tsan: build"
  cmake -S . -B build-tsan -G Ninja -DATTEST_SANITIZE=thread "${CLANG_ARGS[@]}" > /dev/null
  cmake --build build-tsan --target "${TSAN_TESTS[@]}"
  stamp "tsan: test"
  TSAN_OPTIONS="halt_on_error=1 suppressions=$ROOT/tests/tsan.supp" ctest --test-dir build-tsan --output-on-failure -j2 --no-tests=error \
    -L "$(labels "${TSAN_TESTS[@]}")" -R "$TSAN_FILTER"
}

whole() {
  stamp "whole: build"
  configure_san
  cmake --build build-san
  stamp "whole: test"
  ctest --test-dir build-san --output-on-failure -j2
}

stamp "third-party libraries from build/"
third_party
for step in "${steps[@]}"; do
  case $step in
    asan | fuzz | tsan | whole) "$step" ;;
    *) echo "unknown step $step (asan, fuzz, tsan, whole)" >&2; exit 2 ;;
  esac
done
stamp "done"
