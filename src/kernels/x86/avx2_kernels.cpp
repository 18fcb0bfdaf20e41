// AVX2 + FMA + F16C kernel set: the shared 256-bit kernels with
// maddubs/madd integer dot products (no VNNI).
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/quant_blocks.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {
#define PO_VNNI 0
#include "kernels/x86/dot256.inc"
#include "kernels/x86/gemm256.inc"
#undef PO_VNNI
}  // namespace

void fill_avx2_kernels(KernelSet& k) {
  fill_256(k);
  fill_gemm_256(k);
  fill_avx2_packed(k);
  fill_avx2_packed_k(k);
  fill_avx2_packed_16bit(k);
  fill_avx2_rows(k);
}

}  // namespace pocketops::kernels::x86
#endif
