// The row-interleaved K-quant layout (Q4_K, Q5_K, Q6_K) that the SIMD sets
// repack to at load: the avx512 set in groups of 16 rows (one zmm = 4
// k-values of 16 rows), the avx2 set in groups of 8 (one ymm). Packing and
// single-row dequantization are plain C++ (load time, embedding lookups) and
// live here once; the ISA files keep only their kernels.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/dispatch.h"

namespace pocketops::kernels::packed_k {

// Per group of g rows and 256-element super-block; a "vector" is 4g bytes
// (dword r = 4 consecutive k-values of row r):
// Q4_K (148g bytes): 32 nibble vectors, vector 8c + i = qs[32c+4i..32c+4i+3]
//   (low nibbles: sub-block 2c, elements 4i..4i+3; high: sub-block 2c+1);
//   at 128g the scales (sub-block j, row r at j*g + r); at 136g the
//   mins in pairs (pair p, row r: m[2p], m[2p+1]); at 144g g fp16 d, at
//   146g g fp16 dmin.
// Q5_K (180g): the Q4_K layout, then at 148g 8 vectors of high bits (vector
//   i = qh[4i..4i+3]; bit j of a byte = fifth bit in sub-block j).
// Q6_K (212g): 4 steps s of 12 vectors (48g bytes): vector i (0..3) low
//   nibbles = sub-block s, high = s+4; 4+i: s+8 / s+12; 8+i: the 2-bit high
//   parts, bits 2u..2u+1 = sub-block s+4u; at 192g int8 scales (sub-block j,
//   row r: j*g + r); at 208g g fp16 d; 2g bytes of padding.

// Byte offsets within one group and super-block (used in constant
// expressions only, also by the ISA files).
constexpr size_t q4_k_scales(int g) { return 128 * static_cast<size_t>(g); }
constexpr size_t q4_k_mins(int g) { return 136 * static_cast<size_t>(g); }
constexpr size_t q4_k_d(int g) { return 144 * static_cast<size_t>(g); }
constexpr size_t q4_k_dmin(int g) { return 146 * static_cast<size_t>(g); }
constexpr size_t q4_k_bytes(int g) { return 148 * static_cast<size_t>(g); }
constexpr size_t q5_k_high(int g) { return q4_k_bytes(g); }
constexpr size_t q5_k_bytes(int g) { return 180 * static_cast<size_t>(g); }
constexpr size_t q6_k_step(int g) { return 48 * static_cast<size_t>(g); }
constexpr size_t q6_k_scales(int g) { return 192 * static_cast<size_t>(g); }
constexpr size_t q6_k_d(int g) { return 208 * static_cast<size_t>(g); }
constexpr size_t q6_k_bytes(int g) { return 212 * static_cast<size_t>(g); }

// Packed size of a rows x cols matrix (0: cols not a multiple of 256 or no
// rows); writes the layout when dst is not null. Rows past the last one in
// the final group get zero scales (they contribute 0).
size_t pack_q4_k(int g, int64_t rows, int64_t cols, const uint8_t* w, size_t w_stride, uint8_t* dst);
size_t pack_q5_k(int g, int64_t rows, int64_t cols, const uint8_t* w, size_t w_stride, uint8_t* dst);
size_t pack_q6_k(int g, int64_t rows, int64_t cols, const uint8_t* w, size_t w_stride, uint8_t* dst);

// The parts of one group and super-block that are not quant vectors, for
// row r of the group from its original block (Q4_K / Q5_K: scales, mins, d,
// dmin; Q6_K: scales, d): shared by the plain packers above and the SIMD
// ones that write the vectors themselves.
void q45_k_row_meta(int g, uint8_t* o, int r, const uint8_t* block);
void q6_k_row_meta(int g, uint8_t* o, int r, const uint8_t* block);

// Row r of a packed Q6_K matrix as floats, bit-identical to dequantize_row
// of the original.
void row_q6_k(int g, const uint8_t* packed, int64_t cols, int64_t r, float* y);

// Sets k.pack for Q4_K / Q5_K / Q6_K and k.packed_row for Q6_K to this
// layout with groups of g rows (8 or 16); the set adds its own packed_prep
// and packed_gemm.
void fill_packing(KernelSet& k, int g);

}  // namespace pocketops::kernels::packed_k
