// AVX2 + FMA + F16C + AVX-VNNI kernel set (avxvnni): the avx2 set's
// 256-bit and 8-row packed kernels with vpdpbusd (VEX form) for every int8
// dot product, for CPUs that have AVX-VNNI
// but no AVX-512 (Alder Lake and later client cores, Sierra Forest E-core
// Xeons). Same layouts and integer sums as the avx2 set, so the same results.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/packed_k_layout.h"
#include "kernels/quant_blocks.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {
#define PO_VNNI 2
#include "kernels/x86/dot256.inc"
#include "kernels/x86/gemm256.inc"
#include "kernels/x86/packed8_b32.inc"
#include "kernels/x86/packed8_k.inc"
#undef PO_VNNI
}  // namespace

void fill_avxvnni_kernels(KernelSet& k) {
  fill_256(k);
  fill_gemm_256(k);
  fill_packed8_b32(k);
  fill_packed8_k(k);
  fill_avx2_packed_16bit(k);  // no int8 dots: the avx2 set's
  fill_avx2_rows(k);
}

}  // namespace pocketops::kernels::x86
#endif
