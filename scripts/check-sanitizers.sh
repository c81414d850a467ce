#!/usr/bin/env bash
# Builds attest with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/ and runs
# every test there. Its own step, kept out of the default build so CI stays lean.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DATTEST_SANITIZE=ON -DATTEST_BUILD_BENCH=OFF
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j2
# ThreadSanitizer over the code with threads of its own (the search index's writer lanes, the
# ingestion worker's job threads and heartbeat, transcriptions sharing one loaded model, and
# `attest serve`'s gate and request threads, driven by api_test). ggml
# uses its own thread pool here instead of OpenMP, whose runtime TSan cannot see into.
# ICU and Xapian are not instrumented; their own locking is invisible to TSan, which is why
# LexicalIndex::Open warms ICU up before the lanes start.
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTEST_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
  -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread -DGGML_OPENMP=OFF
cmake --build build-tsan --target search_test archive_test relevance_test ingest_test attest api_test
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure -j2 \
  -R '^(LexicalIndex|Relevance|Archive|Query|Dates|Pipeline|Speech|ApiTest)'
