// Baseline ARMv8 NEON kernel set: integer dots with vmull_s8 + pairwise
// widening adds (every aarch64 CPU, e.g. Cortex-A72 / Raspberry Pi 4).
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
#define PO_DOTPROD 0
#include "kernels/arm/neon_set.inc"
#undef PO_DOTPROD
}  // namespace

void fill_neon_kernels(KernelSet& k) { fill_neon_common(k); }

}  // namespace pocketops::kernels::arm
#endif
