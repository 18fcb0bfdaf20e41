// The avxvnni set's kernels over Q4_K / Q5_K / Q6_K weights repacked into 8-row
// super-block groups (packed8_k.inc), with AVX-VNNI vpdpbusd.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/packed_k_layout.h"
#include "kernels/quant_blocks.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {
#define PO_VNNI 2
#include "kernels/x86/token_tiles.inc"
#include "kernels/x86/packed8_k.inc"
#undef PO_VNNI
}  // namespace

void fill_avxvnni_packed_k(KernelSet& k) { fill_packed8_k(k); }

}  // namespace pocketops::kernels::x86
#endif
