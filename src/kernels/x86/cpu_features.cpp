// Baseline-compiled CPU feature checks and the avx2_kernels() / avx512vnni_kernels() /
// avx512_kernels() hooks: SIMD code runs only after __builtin_cpu_supports says it may.

#include <cpuid.h>

#include "kernels/dispatch.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels {

namespace {

// F16C from CPUID leaf 1 (clang's __builtin_cpu_supports has no "f16c").
bool has_f16c() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C) != 0;
}

bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && has_f16c() &&
         __builtin_cpu_supports("bmi2");
}

bool has_avx512_vnni() {
  __builtin_cpu_init();
  return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vnni");
}

bool has_avx512_bf16() { return has_avx512_vnni() && __builtin_cpu_supports("avx512bf16"); }

void fill_avx512_with_bf16(KernelSet& k) {
  x86::fill_avx512_kernels(k);
  x86::fill_avx512_bf16(k);
}

}  // namespace

const KernelSet* avx2_kernels() {
  static const KernelSet* k = has_avx2() ? make_kernel_set("avx2", x86::fill_avx2_kernels) : nullptr;
  return k;
}

const KernelSet* avx512vnni_kernels() {
  static const KernelSet* k =
      has_avx512_vnni() ? make_kernel_set("avx512vnni", x86::fill_avx512_kernels) : nullptr;
  return k;
}

const KernelSet* avx512_kernels() {
  static const KernelSet* k = has_avx512_bf16() ? make_kernel_set("avx512", fill_avx512_with_bf16) : nullptr;
  return k;
}

}  // namespace pocketops::kernels
