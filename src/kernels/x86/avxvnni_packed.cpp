// The avxvnni set's kernels over Q4_0 / Q8_0 weights repacked into 8-row groups
// (packed8_b32.inc), with AVX-VNNI vpdpbusd: CPUs with AVX-VNNI but without AVX-512
// (Alder Lake and later client cores, Sierra Forest E-core Xeons).
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/quant_blocks.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {
#define PO_VNNI 2
#include "kernels/x86/token_tiles.inc"
#include "kernels/x86/packed8_b32.inc"
#undef PO_VNNI
}  // namespace

void fill_avxvnni_packed(KernelSet& k) { fill_packed8_b32(k); }

}  // namespace pocketops::kernels::x86
#endif
