// AVX2 + FMA + F16C kernel set: the shared 256-bit kernels and the 8-row
// packed Q4_0 / Q8_0 / K-quant kernels with maddubs/madd integer dot
// products (no VNNI): CPUs without AVX-512 or AVX-VNNI, e.g. Zen 2/3,
// Haswell to Comet Lake.
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
#define PO_VNNI 0
#include "kernels/x86/dot256.inc"
#include "kernels/x86/gemm256.inc"
#include "kernels/x86/packed8_b32.inc"
#include "kernels/x86/packed8_k.inc"
#undef PO_VNNI
}  // namespace

void fill_avx2_kernels(KernelSet& k) {
  fill_256(k);
  fill_gemm_256(k);
  fill_packed8_b32(k);
  fill_packed8_k(k);
  fill_avx2_packed_16bit(k);
  fill_avx2_rows(k);
}

}  // namespace pocketops::kernels::x86
#endif
