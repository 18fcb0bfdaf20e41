// Internal: fill functions of the aarch64 kernel sets (neon_kernels.cpp,
// neon_dotprod_kernels.cpp). Call only after a CPU feature check.
#pragma once
#include "kernels/dispatch.h"

namespace pocketops::kernels::arm {

void fill_neon_kernels(KernelSet& k);          // baseline ARMv8 Advanced SIMD
void fill_neon_dotprod_kernels(KernelSet& k);  // + ARMv8.2 SDOT (compiled with +dotprod)

}  // namespace pocketops::kernels::arm
