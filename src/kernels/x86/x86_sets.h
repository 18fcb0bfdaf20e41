// Internal: fill functions implemented by the ISA-specific translation units
// (avx2_kernels.cpp, avx512_kernels.cpp). Call only after a CPU feature check.
#pragma once
#include "kernels/dispatch.h"

namespace pocketops::kernels::x86 {

void fill_avx2_kernels(KernelSet& k);
void fill_avx512_kernels(KernelSet& k);

}  // namespace pocketops::kernels::x86
