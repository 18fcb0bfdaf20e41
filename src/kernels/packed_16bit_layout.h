// The packed 16-bit float layout (F16, BF16) the SIMD sets repack to at
// load: rows in groups of g (16 for avx512, 8 for avx2); per group cols/2
// vectors of 4g bytes, vector p holding the column pair (2p, 2p+1) of the g
// rows. BF16: one dword per row (w[r][2p] in the low half, w[r][2p+1] in
// the high half). F16: column 2p of the g rows, then column 2p+1. The ISA
// files pack (register transposes) and multiply; single-row reads (tied
// embedding lookups) are plain C++ and live here once.
#pragma once
#include "kernels/dispatch.h"

namespace pocketops::kernels::packed_16bit {

// Sets k.packed_row for F16 and BF16 to this layout with groups of g rows
// (8 or 16): row r as floats, bit-identical to dequantize_row of the
// original.
void fill_rows(KernelSet& k, int g);

}  // namespace pocketops::kernels::packed_16bit
