#!/usr/bin/env bash
# Cross-builds the format and kernel layers for aarch64 (Debian's
# g++-aarch64-linux-gnu) and runs the kernel tests under qemu-user: the NEON
# sets against the scalar reference, once on a CPU with the dot-product
# extension (both sets) and once on one without it (Cortex-A72: the baseline
# set alone, as on a Raspberry Pi 4). Needs `scripts/setup.sh --tests`.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build-arm -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DCMAKE_BUILD_TYPE=Release -DPOCKETOPS_KERNELS_ONLY=ON -DPOCKETOPS_BENCH=OFF >/dev/null
ninja -C build-arm -j"$jobs"
ctest --test-dir build-arm --output-on-failure -j"$jobs" --timeout 900   # qemu -cpu max (toolchain file)
echo "== the same tests on a CPU without dotprod (qemu -cpu cortex-a72)"
qemu-aarch64 -cpu cortex-a72 build-arm/tests/kernels/test_kernels --gtest_brief=1
