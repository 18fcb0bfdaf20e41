// Baseline-compiled CPU feature checks and the avx2_kernels() / avxvnni_kernels() / avx512vnni_kernels() /
// avx512_kernels() / amx_kernels() hooks: SIMD code runs only after __builtin_cpu_supports says it may.

#include <cpuid.h>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>

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

// AVX-VNNI: CPUID leaf 7 sub-leaf 1, EAX bit 4 (from CPUID, as for F16C:
// not every compiler's __builtin_cpu_supports knows "avxvnni"); sub-leaf 1
// exists when sub-leaf 0 reports it in EAX. Uses the AVX state has_avx2 checked.
bool has_avx_vnni() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!has_avx2() || !__get_cpuid_count(7, 0, &a, &b, &c, &d) || a < 1) return false;
  return __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 4)) != 0;
}

bool has_avx512_vnni() {
  __builtin_cpu_init();
  return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vnni");
}

bool has_avx512_bf16() { return has_avx512_vnni() && __builtin_cpu_supports("avx512bf16"); }

// AMX-BF16, AMX-TILE and AMX-INT8 (CPUID leaf 7 EDX bits 22, 24, 25), and the kernel's
// permission to use the tile data state (Linux 5.16+ grants it on request,
// once per process, for all its threads).
bool amx_in_cpuid() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  constexpr unsigned kAmx = (1u << 22) | (1u << 24) | (1u << 25);
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & kAmx) == kAmx;
}

bool has_amx() {
  if (!has_avx512_bf16() || !amx_in_cpuid()) return false;
  constexpr long kReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;  // ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA
  return syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureXtiledata) == 0;
}

// The avx512 set: packed BF16 weights through vdpbf16ps except on Intel,
// whose cores issue it at half the FMA rate (fill_avx512_bf16).
void fill_avx512_with_bf16(KernelSet& k) {
  x86::fill_avx512_kernels(k);
  x86::fill_avx512_bf16(k, !x86::intel_cpu());
}

// The avx512 set with vdpbf16ps for packed BF16 on every vendor: beneath
// the amx set's BF16 tiles (amx_bf16_packed.cpp falls back to it for shapes
// off the tiles; its prep writes no float rows for the FMA tiles), and the
// test-only avx512-dpbf16 set.
void fill_avx512_dp(KernelSet& k) {
  x86::fill_avx512_kernels(k);
  x86::fill_avx512_bf16(k, true);
}

void fill_amx(KernelSet& k) {
  fill_avx512_dp(k);
  x86::fill_amx_packed(k);
  x86::fill_amx_packed_k(k);
  x86::fill_amx_dequant_bf16(k);
  x86::fill_amx_bf16(k);
  x86::fill_amx_attention(k);
}

}  // namespace

bool x86::intel_cpu() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  // "GenuineIntel" in EBX, EDX, ECX
  return __get_cpuid(0, &a, &b, &c, &d) && b == 0x756e6547u && d == 0x49656e69u && c == 0x6c65746eu;
}

std::string unused_cpu_features() {
  AmxFacts f;
  f.intel = x86::intel_cpu();
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    const int family = static_cast<int>((a >> 8) & 0xF), model = static_cast<int>((a >> 4) & 0xF);
    f.family = family == 0xF ? family + static_cast<int>((a >> 20) & 0xFF) : family;
    f.model = family == 6 || family == 0xF ? model | static_cast<int>((a >> 12) & 0xF0) : model;
  }
  f.in_cpuid = amx_in_cpuid();
  f.usable = amx_kernels() != nullptr;
  return amx_note(f);
}

const KernelSet* avx2_kernels() {
  static const KernelSet* k = has_avx2() ? make_kernel_set("avx2", x86::fill_avx2_kernels) : nullptr;
  return k;
}

const KernelSet* avxvnni_kernels() {
  static const KernelSet* k = has_avx_vnni() ? make_kernel_set("avxvnni", x86::fill_avxvnni_kernels) : nullptr;
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

const KernelSet* avx512_dpbf16_kernels() {
  static const KernelSet* k =
      has_avx512_bf16() && x86::intel_cpu() ? make_kernel_set("avx512-dpbf16", fill_avx512_dp) : nullptr;
  return k;
}

const KernelSet* amx_kernels() {
  static const KernelSet* k = has_amx() ? make_kernel_set("amx", fill_amx) : nullptr;
  return k;
}

}  // namespace pocketops::kernels
