#!/usr/bin/env bash
# Builds attest with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/ and runs
# every test there. Its own step, kept out of the default build so CI stays lean.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DATTEST_SANITIZE=ON -DATTEST_BUILD_BENCH=OFF
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j2
