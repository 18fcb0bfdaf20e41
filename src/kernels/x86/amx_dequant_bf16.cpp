// Long prompts over Q4_0 / Q8_0 / Q4_K weights on AMX-BF16 tiles
// (amx set). The INT8 tiles (amx_packed.cpp, amx_packed_k.cpp) must store
// and scale results per block (Q4_0 / Q8_0: every 32 elements, each with its
// own float scale) or per super-block; here each pair of 16-row groups of
// the avx512 packed layout is dequantized once (w = q * d, or d * sc * q -
// dmin * m, in fp32, rounded to BF16) into a panel in the packed BF16
// layout, and the BF16 tiles accumulate in fp32 over the whole row
// (amx_bf16_tiles.inc) for all tokens. The 8-bit activation rows (Q8_0 /
// Q8_K) are widened to BF16 A tiles (q * d, rounded). Batches of up to
// kExactBatchTokens tokens (decode, verification) keep the INT8 / VNNI
// kernels, so a token's result in them stays the same in any batch; this
// path changes only the rounding of long prefills (BF16 products instead of
// 8-bit integer ones: about as precise, another rounding).
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
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

using gguf::TensorType;

#include "kernels/x86/amx_tiles.inc"       // TileConfig, load_tile_config, tiles_after, Scratch
#include "kernels/x86/prefetch.inc"        // prefetch_lines
#include "kernels/x86/amx_bf16_tiles.inc"  // kG, kK, bf16_a_tile, tiles_all_tokens

static_assert(kG == kB32GroupRows, "a packed Q4_0 / Q8_0 / K-quant group is one BF16 group");

// Q5_K and Q6_K stay on their INT8 tiles: the gain did not show clearly,
// and the Q6_K fixture model's long case came to min cosine 0.992 against
// the reference (0.991 is the bound for float activations; round 17).
enum class Src { Q4_0, Q8_0, Q4_K };
constexpr int kSrcs = 3;
constexpr TensorType kTypes[kSrcs] = {TensorType::Q4_0, TensorType::Q8_0, TensorType::Q4_K};

// The amx set's INT8 kernels (and preps) for batches this path leaves.
PackedGemmFn g_int8_gemm[kSrcs] = {};
PackedPrepFn g_int8_prep[kSrcs] = {};

thread_local Scratch t_panel;

// Batches of more than kExactBatchTokens tokens take the BF16 path (a
// panel's dequant is shared by every token); shorter ones must stay exact
// (decode, verification), and the dequant pays from the first batch above
// (pp72, docs/performance.md round 17).
bool on_bf16(int64_t n_tok) { return n_tok > kExactBatchTokens; }

// Bits [kS, kS + width) of each dword of v (kMask: the width) as floats,
// times d, plus c (the offset or min times its scale), rounded once: exact
// for Q4_0 / Q8_0 (a 4- or 8-bit integer times an fp16).
template <int kS, int kMask>
inline __m512 field(__m512i v, __m512 d, __m512 c) {
  __m512i f = kS ? _mm512_srli_epi32(v, kS) : v;
  if (kS + 8 < 32 || kMask != 0xFF) f = _mm512_and_si512(f, _mm512_set1_epi32(kMask));
  return _mm512_fmadd_ps(_mm512_cvtepi32_ps(f), d, c);
}

// One 16-row group's pair of blocks (packed Q4_0 / Q8_0, kB32PairBytes<kZ>
// bytes) -> 2 x 16 vectors of the BF16 layout (vector v of a block: the
// columns 2v, 2v + 1 of the 16 rows). Q4_0: zmm j's low nibbles are the
// block's columns 4j..4j+3 (byte i: column 4j + i), its high nibbles
// columns 16 + 4j..; Q8_0: zmm j holds columns 4j..4j+3, sign bit flipped.
template <int kZ>
void dequant_pair(const uint8_t* pair, uint8_t* out) {
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
    const uint8_t* wp = pair + h * kZ * 64;
    uint8_t* o = out + h * 16 * 64;
    const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(pair + 2 * kZ * 64 + 32 * h)));
    if constexpr (kZ == 4) {
      const __m512 c = _mm512_mul_ps(d, _mm512_set1_ps(-8.f));
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        const __m512i v = _mm512_loadu_si512(wp + 64 * j);
        _mm512_storeu_si512(o + 64 * (2 * j), bf16_pairs(field<0, 0xF>(v, d, c), field<8, 0xF>(v, d, c)));
        _mm512_storeu_si512(o + 64 * (2 * j + 1), bf16_pairs(field<16, 0xF>(v, d, c), field<24, 0xF>(v, d, c)));
        _mm512_storeu_si512(o + 64 * (8 + 2 * j), bf16_pairs(field<4, 0xF>(v, d, c), field<12, 0xF>(v, d, c)));
        _mm512_storeu_si512(o + 64 * (9 + 2 * j), bf16_pairs(field<20, 0xF>(v, d, c), field<28, 0xF>(v, d, c)));
      }
    } else {
      const __m512 c = _mm512_mul_ps(d, _mm512_set1_ps(-128.f));
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) {
        const __m512i v = _mm512_loadu_si512(wp + 64 * j);
        _mm512_storeu_si512(o + 64 * (2 * j), bf16_pairs(field<0, 0xFF>(v, d, c), field<8, 0xFF>(v, d, c)));
        _mm512_storeu_si512(o + 64 * (2 * j + 1), bf16_pairs(field<16, 0xFF>(v, d, c), field<24, 0xFF>(v, d, c)));
      }
    }
  }
}

// Q4_K: one 16-row group's super-block (packed_k_layout.h) -> 128 vectors
// of the BF16 layout. Nibble vector 8c + i holds elements 4i..4i+3 of
// sub-block 2c (low nibbles) and 2c + 1 (high); w = d sc q - dmin m.
void dequant_q4_k(const uint8_t* sb, uint8_t* out) {
  namespace pk = packed_k;
  const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(sb + pk::q4_k_d(kG))));
  const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(sb + pk::q4_k_dmin(kG))));
  for (int c = 0; c < 4; ++c) {
    // sub-blocks 2c, 2c + 1: scales (a byte per row), mins (byte pairs per row)
    auto scale = [&](int j) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(sb + pk::q4_k_scales(kG) + j * kG));
      return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(v)), d);
    };
    const __m512i mp = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(sb + pk::q4_k_mins(kG) + c * 2 * kG)));
    const __m512 s0 = scale(2 * c), s1 = scale(2 * c + 1);
    const __m512 m0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_and_si512(mp, _mm512_set1_epi32(0xFF))), dmin);
    const __m512 m1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(mp, 8)), dmin);
    const __m512 c0 = _mm512_sub_ps(_mm512_setzero_ps(), m0), c1 = _mm512_sub_ps(_mm512_setzero_ps(), m1);
    uint8_t* o0 = out + 64 * 16 * (2 * c);
    uint8_t* o1 = out + 64 * 16 * (2 * c + 1);
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      const __m512i v = _mm512_loadu_si512(sb + 64 * (8 * c + i));
      _mm512_storeu_si512(o0 + 64 * (2 * i), bf16_pairs(field<0, 0xF>(v, s0, c0), field<8, 0xF>(v, s0, c0)));
      _mm512_storeu_si512(o0 + 64 * (2 * i + 1), bf16_pairs(field<16, 0xF>(v, s0, c0), field<24, 0xF>(v, s0, c0)));
      _mm512_storeu_si512(o1 + 64 * (2 * i), bf16_pairs(field<4, 0xF>(v, s1, c1), field<12, 0xF>(v, s1, c1)));
      _mm512_storeu_si512(o1 + 64 * (2 * i + 1), bf16_pairs(field<20, 0xF>(v, s1, c1), field<28, 0xF>(v, s1, c1)));
    }
  }
}

// Packed bytes per 16-row group of n columns.
template <Src S>
size_t src_group_bytes(int64_t n) {
  if constexpr (S == Src::Q4_0) return static_cast<size_t>(n / (2 * QK)) * kB32PairBytes<4>;
  if constexpr (S == Src::Q8_0) return static_cast<size_t>(n / (2 * QK)) * kB32PairBytes<8>;
  return static_cast<size_t>(n / QK_K) * packed_k::q4_k_bytes(kG);
}

// Columns [k0, k0 + kc) of groups [g, g + n_groups) of the packed matrix
// (n columns) -> a panel of BF16 groups (kc / 2 * 64 bytes each). k0 and kc
// are multiples of the source's block pair (Q4_0 / Q8_0: 64) or super-block
// (Q4_K: 256).
template <Src S>
void dequant_groups(const uint8_t* packed, int64_t g, int64_t n_groups, int64_t n, int64_t k0, int64_t kc,
                    uint8_t* panel) {
  const size_t src_bytes = src_group_bytes<S>(n), gb = static_cast<size_t>(kc / 2) * 64;
  for (int64_t i = 0; i < n_groups; ++i) {
    const uint8_t* src = packed + (g + i) * src_bytes;
    uint8_t* o = panel + i * gb;
    if constexpr (S == Src::Q4_0 || S == Src::Q8_0) {
      constexpr int kZ = S == Src::Q4_0 ? 4 : 8;
      const int64_t p0 = k0 / (2 * QK);
      for (int64_t p = 0; p < kc / (2 * QK); ++p)
        dequant_pair<kZ>(src + (p0 + p) * kB32PairBytes<kZ>, o + p * 2 * 16 * 64);
    } else {
      const int64_t b0 = k0 / QK_K;
      for (int64_t b = 0; b < kc / QK_K; ++b) dequant_q4_k(src + (b0 + b) * packed_k::q4_k_bytes(kG), o + b * 128 * 64);
    }
  }
}

// 32 int8 activations times d -> one A tile row of 32 bf16.
inline __m512i bf16_row(const int8_t* q, __m512 d) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
  const __m512 lo = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(v))), d);
  const __m512 hi = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_extracti128_si256(v, 1))), d);
  return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
}

// The prep: the INT8 kernels' (all a short batch needs, and a long one's
// fallback when there is no memory for a panel), then for a long batch each
// token's activation blocks (Q8_0 / Q8_K: q * d) as BF16 A tiles
// (bf16_a_tile), 64-aligned.
template <Src S>
size_t prep(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  const PackedPrepFn int8 = g_int8_prep[static_cast<int>(S)];
  const size_t head = int8(n, a, as, n_tok, nullptr);
  if (!out) return on_bf16(n_tok) ? head + 64 + static_cast<size_t>(n_tok * n) * 2 : head;
  int8(n, a, as, n_tok, out);
  if (!on_bf16(n_tok)) return 0;
  uint8_t* o = const_cast<uint8_t*>(tiles_after(out, head));
  for (int64_t t = 0; t < n_tok; ++t) {
    if constexpr (S == Src::Q4_0 || S == Src::Q8_0) {
      const BlockQ8_0* blk = reinterpret_cast<const BlockQ8_0*>(a + t * as);
      for (int64_t c = 0; c < n / QK; ++c)
        _mm512_store_si512(o + bf16_a_tile(t, c, n, n_tok), bf16_row(blk[c].qs, _mm512_set1_ps(_cvtsh_ss(blk[c].d))));
    } else {
      const BlockQ8_K* blk = reinterpret_cast<const BlockQ8_K*>(a + t * as);
      for (int64_t c = 0; c < n / QK; ++c) {
        const BlockQ8_K& b = blk[c / (QK_K / QK)];
        _mm512_store_si512(o + bf16_a_tile(t, c, n, n_tok), bf16_row(b.qs + (c % (QK_K / QK)) * QK, _mm512_set1_ps(b.d)));
      }
    }
  }
  return 0;
}

static_assert(kPanelCols % QK_K == 0, "panels hold whole Q4_K super-blocks");

// A panel (kPanelRows x kPanelCols, amx_bf16_tiles.inc) at a time:
// dequantized into this thread's scratch (L2), then every token through
// the BF16 tiles.
template <Src S>
void gemm(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as, const void* pr,
          int64_t n_tok, float* y, int64_t ldy) {
  const int64_t cols = n < kPanelCols ? n : kPanelCols;
  uint8_t* panel = on_bf16(n_tok) ? t_panel.get(static_cast<size_t>(kPanelRows * cols) * 2) : nullptr;
  if (!panel) {  // a short batch, or no memory for a panel
    g_int8_gemm[static_cast<int>(S)](n, packed, r0, n_rows, a, as, pr, n_tok, y, ldy);
    return;
  }
  const uint8_t* at = tiles_after(pr, g_int8_prep[static_cast<int>(S)](n, a, as, n_tok, nullptr));
  for_each_panel(n, n_rows, [&](int64_t g0, int64_t nr, int64_t k0, int64_t kc) {
    dequant_groups<S>(packed, (r0 + g0) / kG, (nr + kG - 1) / kG, n, k0, kc, panel);
    panel_all_tokens(n, k0, kc, panel, static_cast<size_t>(kc / 2) * 64, nr, at, n_tok, y + g0, ldy, false);
  });
  _tile_release();
}

#undef PO_STORE_RESULT
#undef PO_LOAD_RESULT

}  // namespace

void fill_amx_dequant_bf16(KernelSet& k) {
  const PackedGemmFn gemms[kSrcs] = {gemm<Src::Q4_0>, gemm<Src::Q8_0>, gemm<Src::Q4_K>};
  const PackedPrepFn preps[kSrcs] = {prep<Src::Q4_0>, prep<Src::Q8_0>, prep<Src::Q4_K>};
  for (int i = 0; i < kSrcs; ++i) {
    const int t = static_cast<int>(kTypes[i]);
    g_int8_gemm[i] = k.packed_gemm[t];
    g_int8_prep[i] = k.packed_prep[t];
    k.packed_gemm[t] = gemms[i];
    k.packed_prep[t] = preps[i];
    k.bf16_prefill[t] = true;
  }
}

}  // namespace pocketops::kernels::x86
#endif
