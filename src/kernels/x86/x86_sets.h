// Internal: fill functions implemented by the ISA-specific translation units
// (avx2_kernels.cpp, avx512_kernels.cpp, ...). Call only after a CPU feature check.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/dispatch.h"
#include "kernels/scratch_pages.h"  // scratch.inc's memory (included inside the ISA files' namespaces)

namespace pocketops::kernels::x86 {

// The 16-row packed Q4_0 / Q8_0 layout (written by avx512_packed.cpp, read
// by it and amx_packed.cpp): rows in groups of kB32GroupRows; per group and
// pair of 32-element blocks, kZ zmm of each block (Q4_0 kZ = 4, Q8_0 8),
// then 16 fp16 row scales of each: kB32PairBytes<kZ> bytes. Constants, not
// functions (the ISA safety rules in docs/kernels.md).
constexpr int kB32GroupRows = 16;
template <int kZ>
inline constexpr size_t kB32PairBytes = 2 * kZ * 64 + 64;

// Activation side data of the packed Q4_0 / Q8_0 kernels, per token and
// 32-element block: scale and -offset * sum(qs) (avx512_packed.cpp's prep
// writes it; amx_packed.cpp's prep extends it).
struct PackedB32Act {
  float d;
  int32_t corr;
};

// The same for the 16-row packed K-quant kernels, per token and super-block
// (avx512_packed_k.cpp writes it; amx_packed_k.cpp's prep extends it):
// scale and correction words (Q6_K: -32 * bsums[j]; Q4_K / Q5_K: c[p] =
// int16 pair (sum of sub-block 2p, sum of sub-block 2p + 1), p < 4).
struct PackedKAct {
  float d;
  int32_t c[16];
};

// CPUID vendor is GenuineIntel (cpu_features.cpp): prefetch choices that
// were measured to differ between Intel and AMD cores.
bool intel_cpu();

// avx2_packed_16bit.cpp: F16 / BF16 activation rows widened to floats, the
// packed_prep of the 16-bit kernels of both the avx2 and the avx512 sets
// (AVX2 + F16C code, which every AVX-512 CPU runs).
size_t prep_f16_rows(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out);
size_t prep_bf16_rows(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out);

void fill_avx2_kernels(KernelSet& k);
void fill_avxvnni_kernels(KernelSet& k);  // avxvnni_kernels.cpp: the avx2 set with AVX-VNNI dots
void fill_avx512_kernels(KernelSet& k);  // the avx512vnni set
// avx512bf16_packed.cpp: on top of it, the avx512 set (packed_dp: also the
// packed BF16 GEMM, not only the row dot)
void fill_avx512_bf16(KernelSet& k, bool packed_dp);
void fill_avx512_packed(KernelSet& k);  // avx512_packed.cpp
void fill_avx512_packed_k(KernelSet& k);  // avx512_packed_k.cpp (Q4_K, Q5_K, Q6_K)
void fill_avx512_packed_16bit(KernelSet& k);  // avx512_packed_16bit.cpp
void fill_amx_packed(KernelSet& k);    // amx_packed.cpp: AMX tiles over the avx512 Q4_0 / Q8_0 layout
void fill_amx_packed_k(KernelSet& k);  // amx_packed_k.cpp: the same over the avx512 Q4_K / Q5_K / Q6_K layout
void fill_amx_bf16(KernelSet& k);      // amx_bf16_packed.cpp: AMX-BF16 tiles over the packed BF16 layout
void fill_amx_dequant_bf16(KernelSet& k);  // amx_dequant_bf16.cpp: after fill_amx_packed(_k), long Q4_0 / Q8_0 / Q4_K prompts on BF16 tiles
void fill_amx_attention(KernelSet& k);  // amx_attention.cpp: after fill_avx512_rows, long-prompt attention on BF16 tiles
void fill_avx2_packed_16bit(KernelSet& k);    // avx2_packed_16bit.cpp (F16, BF16)
void fill_avx512_rows(KernelSet& k);    // avx512_rows.cpp
void fill_avx2_rows(KernelSet& k);      // avx2_rows.cpp

}  // namespace pocketops::kernels::x86
