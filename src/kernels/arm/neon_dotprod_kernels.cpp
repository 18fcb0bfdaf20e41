// ARMv8.2 NEON + dot-product kernel set: integer dots with SDOT (vdotq_s32;
// Neoverse N1+, Graviton 2+, Cortex-A76+). This file alone is compiled with
// +dotprod.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/arm/arm_sets.h"
#include "kernels/dispatch.h"
#include "kernels/quant_blocks.h"

namespace pocketops::kernels::arm {
namespace {
#define PO_DOTPROD 1
#include "kernels/arm/neon_set.inc"
#undef PO_DOTPROD
}  // namespace

void fill_neon_dotprod_kernels(KernelSet& k) { fill_neon_common(k); }

}  // namespace pocketops::kernels::arm
#endif
