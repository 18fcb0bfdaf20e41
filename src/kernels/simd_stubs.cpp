// Default (weak) SIMD registration hooks: no SIMD sets until the x86 kernels
// provide strong definitions.
#include "kernels/dispatch.h"

namespace pocketops::kernels {
__attribute__((weak)) const KernelSet* avx2_kernels() { return nullptr; }
__attribute__((weak)) const KernelSet* avx512_kernels() { return nullptr; }
}  // namespace pocketops::kernels
