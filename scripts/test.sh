#!/usr/bin/env bash
# The test command: installs dependencies, builds, runs the whole suite, then
# rebuilds with ASan+UBSan and runs the suite again (minus the slow
# conformance sweep, which the first pass covers), then builds the libFuzzer
# targets with clang and runs each briefly; last, cross-builds the kernel
# layer for aarch64 and runs its tests under qemu (the NEON sets).
# Conformance tests read ../shared/fixtures (or $POCKETOPS_FIXTURES) and skip
# with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
jobs=$(nproc)

echo "== release build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build -j"$jobs"
echo "== release tests"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 1800

if [ "${POCKETOPS_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== ASan + UBSan build"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOCKETOPS_SANITIZE=ON -DPOCKETOPS_BENCH=OFF >/dev/null
  ninja -C build-asan -j"$jobs"
  echo "== ASan + UBSan tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 1800 -E "Conformance|Slow"
fi

if [ "${POCKETOPS_SKIP_FUZZ:-0}" != 1 ]; then
  # Also proves the kernels build with clang (GCC-only constructs slipped in before).
  echo "== libFuzzer smoke run (clang, ASan+UBSan)"
  FUZZ_SECONDS="${FUZZ_SECONDS:-10}" bash scripts/fuzz.sh
fi

if [ "${POCKETOPS_SKIP_ARM:-0}" != 1 ]; then
  echo "== aarch64 kernels under qemu (NEON sets against the scalar reference)"
  bash scripts/test-arm.sh
fi
