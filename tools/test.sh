#!/usr/bin/env bash
# Builds bianmin and runs the whole test suite, as CI does (.ci/run calls this).
#  1. installs the Debian packages (tools/install-deps.sh);
#  2. gcc build with AddressSanitizer + UndefinedBehaviorSanitizer, every CTest test;
#  3. clang build with -Werror and the fuzz targets, each fuzzer run for a bounded time;
#  4. the optimised gcc build a kiosk runs (RelWithDebInfo, -Werror): -O2 warns of what -O0
#     does not see.
# Extra arguments go to the first ctest (e.g. -L unit, -R test_log).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh

jobs=$(nproc)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=gcc \
      -DBM_SANITIZE=ON >/dev/null
ninja -C build/test
ctest --test-dir build/test --output-on-failure -j "$jobs" "$@"

if [ $# -eq 0 ]; then
    cmake -S . -B build/clang -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
          -DBM_SANITIZE=ON -DBM_FUZZ=ON >/dev/null
    ninja -C build/clang
    ctest --test-dir build/clang --output-on-failure -j "$jobs" -R '^fuzz_'
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DCMAKE_C_COMPILER=gcc >/dev/null
    ninja -C build/release
fi
