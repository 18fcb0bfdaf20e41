#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (+ASan/UBSan) and runs each for
# FUZZ_SECONDS (default 20). Crashes stop the script with the reproducer path.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-20}"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOCKETOPS_FUZZ=ON \
  -DPOCKETOPS_TESTS=OFF -DPOCKETOPS_BENCH=OFF -DPOCKETOPS_SANITIZE=ON >/dev/null
ninja -C build-fuzz fuzz_gguf fuzz_tool_call fuzz_tokenizer fuzz_logs
mkdir -p build-fuzz/corpus
for t in fuzz_gguf fuzz_tool_call fuzz_tokenizer fuzz_logs; do
  mkdir -p "build-fuzz/corpus/$t"
  echo "== $t ($secs s)"
  ./build-fuzz/fuzz/$t -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/$t-" "build-fuzz/corpus/$t" 2>&1 | tail -n 3
done
