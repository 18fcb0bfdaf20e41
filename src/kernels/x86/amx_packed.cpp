// AMX-INT8 tiles (Sapphire Rapids and later Xeons) for prefill GEMM over the
// avx512 set's 16-row packed Q4_0 / Q8_0 layout (avx512_packed.cpp). One
// TDPBSSD multiplies 16 tokens x 32 activations by one 32-element block of
// 16 weight rows; the block's int32 results are scaled into float
// accumulators with AVX-512, exactly as the VNNI kernels do (same integer
// dot products, same activation quantization). Fewer than 16 tokens
// (decode, verification, a prompt's last 1-15) stay on the avx512 kernels.
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
#include "kernels/quant_blocks.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

using gguf::TensorType;

// The avx512 packed layout (x86_sets.h, avx512_packed.cpp): a zmm is 4
// consecutive k-values of 16 rows, which is one row of an AMX B tile (K/4
// rows x 16 columns x 4 bytes).
constexpr int kGroupRows = kB32GroupRows;

#include "kernels/x86/amx_tiles.inc"

// The avx512 set's packed GEMMs and activation preps (same layout), for the
// tokens the 16-token tiles leave: a prompt's last 1-15, decode and
// verification (a tile's results are stored and scaled per 32-element block,
// a fixed cost that 8-token verification tiles measured slower with than
// VNNI).
PackedGemmFn g_vnni_gemm_q4_0 = nullptr, g_vnni_gemm_q8_0 = nullptr;
PackedPrepFn g_vnni_prep_q4_0 = nullptr, g_vnni_prep_q8_0 = nullptr;

// corr is unused here: the tiles multiply signed weights.
using ActInfo = PackedB32Act;

thread_local Scratch t_group;

// A group's weights unpacked once for all its token tiles: per block, the
// B tile (8 rows x 64 signed bytes: row j = k-values 4j..4j+3 of the 16
// rows) and the 16 row scales as floats.
constexpr size_t kBlockBytes = 512 + 64;

// Q4_0: zmm j's low nibbles are B rows j, high nibbles rows 4 + j, minus 8.
// Q8_0: stored with the sign bit flipped.
// cold: the group's weights are not in cache yet (prefetch them into L1
// four pairs ahead).
template <int kZ>
void unpack_group(const uint8_t* pw, int64_t nb, uint8_t* out, bool cold) {
  constexpr size_t kPair = kB32PairBytes<kZ>;
  const __m512i m4 = _mm512_set1_epi8(0x0F), eight = _mm512_set1_epi8(8);
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (int64_t p = 0; p < nb / 2; ++p) {
    const uint8_t* pair = pw + p * kPair;
    const char* pf = reinterpret_cast<const char*>(pair) + 4 * kPair;  // from memory: prefetch ahead
#pragma GCC unroll 9
    for (size_t o = 0; cold && o < kPair; o += 64) _mm_prefetch(pf + o, _MM_HINT_T0);
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const uint8_t* wp = pair + h * kZ * 64;
      uint8_t* o = out + (2 * p + h) * kBlockBytes;
      if constexpr (kZ == 4) {
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
          const __m512i v = _mm512_load_si512(wp + 64 * j);
          _mm512_store_si512(o + 64 * j, _mm512_sub_epi8(_mm512_and_si512(v, m4), eight));
          _mm512_store_si512(o + 256 + 64 * j, _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(v, 4), m4), eight));
        }
      } else {
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j)
          _mm512_store_si512(o + 64 * j, _mm512_xor_si512(_mm512_load_si512(wp + 64 * j), flip));
      }
      _mm512_store_ps(o + 512,
                      _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(pair + 2 * kZ * 64 + 32 * h))));
    }
  }
}

// The activation side: the avx512 prep (ActInfo per token and block) and,
// 64-aligned after it, the quants of each full 16-token tile repacked per
// block into an A tile (16 rows x 32 bytes), so tile loads are aligned.
size_t act_info_bytes(int64_t nb, int64_t n_tok) { return static_cast<size_t>(nb * n_tok) * sizeof(ActInfo); }
const uint8_t* act_tiles(const void* prep, int64_t nb, int64_t n_tok) {
  return tiles_after(prep, act_info_bytes(nb, n_tok));
}

template <int kZ>
size_t packed_prep(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  const PackedPrepFn vnni = kZ == 4 ? g_vnni_prep_q4_0 : g_vnni_prep_q8_0;
  const int64_t nb = n / QK, n_tiles = n_tok / kTile;
  if (!out) return act_info_bytes(nb, n_tok) + 64 + static_cast<size_t>(n_tiles * nb) * 512;
  vnni(n, a, as, n_tok, out);
  uint8_t* tiles = const_cast<uint8_t*>(act_tiles(out, nb, n_tok));
  for (int64_t i = 0; i < n_tiles; ++i)
    for (int64_t t = 0; t < kTile; ++t) {
      const BlockQ8_0* blk = reinterpret_cast<const BlockQ8_0*>(a + (i * kTile + t) * as);
      for (int64_t b = 0; b < nb; ++b)
        _mm256_store_si256(reinterpret_cast<__m256i*>(tiles + ((i * nb + b) * kTile + t) * 32),
                           _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[b].qs)));
    }
  return 0;
}

// acc[t] += one block's results (tile stored at c) * row scales * token scales.
inline void scale_into(__m512 (&acc)[kTile], const int32_t* c, const uint8_t* blk, const ActInfo* ai, int64_t nb_ai) {
  const __m512 dw = _mm512_load_ps(blk + 512);
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t) {
    const __m512 s = _mm512_cvtepi32_ps(_mm512_load_si512(c + 16 * t));
    acc[t] = _mm512_fmadd_ps(s, _mm512_mul_ps(dw, _mm512_set1_ps(ai[t * nb_ai].d)), acc[t]);
  }
}

// 16 tokens x the 16 rows of one unpacked group over all nb blocks. Blocks
// go in pairs through tiles 0/2/4 and 1/3/5; a pair's results are scaled
// while the next pair multiplies. pf_lines cache lines at pf (the next
// group's packed weights) are prefetched into L2 along the way.
void tile_group(const uint8_t* wg, int64_t nb, const uint8_t* at, const ActInfo* ai, int64_t nb_ai, float* y,
                int64_t ldy, int64_t n_rows, const uint8_t* pf, size_t pf_lines) {
  alignas(64) int32_t cb[2][2][16 * 16];  // results of pair p in cb[p & 1]
  __m512 acc[kTile];
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t) acc[t] = _mm512_setzero_ps();
  const int64_t np = nb / 2;
  for (int64_t p = 0; p <= np; ++p) {
    if (p < np) {
      const int64_t b = 2 * p;
      const uint8_t* w0 = wg + b * kBlockBytes;
      _tile_loadd(4, w0, 64);
      _tile_loadd(2, at + b * 512, 32);
      _tile_zero(0);
      _tile_dpbssd(0, 2, 4);
      _tile_loadd(5, w0 + kBlockBytes, 64);
      _tile_loadd(3, at + (b + 1) * 512, 32);
      _tile_zero(1);
      _tile_dpbssd(1, 3, 5);
      _tile_stored(0, cb[p & 1][0], 64);
      _tile_stored(1, cb[p & 1][1], 64);
    }
    if (p > 0) {  // the previous pair
      const int64_t q = p - 1, b = 2 * q;
      prefetch_l2_step(pf, pf_lines, q, np);
      scale_into(acc, cb[q & 1][0], wg + b * kBlockBytes, ai + b, nb_ai);
      scale_into(acc, cb[q & 1][1], wg + (b + 1) * kBlockBytes, ai + b + 1, nb_ai);
    }
  }
  const __mmask16 m = n_rows >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n_rows) - 1);
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t) _mm512_mask_storeu_ps(y + t * ldy, m, acc[t]);
}

template <int kZ>
void packed_gemm(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as,
                 const void* prep, int64_t n_tok, float* y, int64_t ldy) {
  const PackedGemmFn vnni = kZ == 4 ? g_vnni_gemm_q4_0 : g_vnni_gemm_q8_0;
  const int64_t nb = n / QK, full = n_tok / kTile * kTile;
  uint8_t* wg = full > 0 ? t_group.get(static_cast<size_t>(nb) * kBlockBytes) : nullptr;
  if (!wg) {  // fewer than 16 tokens (or no scratch memory)
    vnni(n, packed, r0, n_rows, a, as, prep, n_tok, y, ldy);
    return;
  }
  const ActInfo* ai = static_cast<const ActInfo*>(prep);
  const uint8_t* tiles = act_tiles(prep, nb, n_tok);
  const size_t group_bytes = static_cast<size_t>(nb / 2) * kB32PairBytes<kZ>;
  configure_tiles();
  for (int64_t g0 = 0; g0 < n_rows; g0 += kGroupRows) {
    const int64_t nr = n_rows - g0 < kGroupRows ? n_rows - g0 : kGroupRows;
    // the first token tile prefetches the next group's weights into L2, so
    // its unpack does not wait on DRAM
    unpack_group<kZ>(packed + ((r0 + g0) / kGroupRows) * group_bytes, nb, wg, g0 == 0);
    const uint8_t* next = g0 + kGroupRows < n_rows ? packed + ((r0 + g0) / kGroupRows + 1) * group_bytes : nullptr;
    for (int64_t t0 = 0; t0 < full; t0 += kTile)
      tile_group(wg, nb, tiles + (t0 / kTile) * nb * 512, ai + t0 * nb, nb, y + g0 + t0 * ldy, ldy, nr, next,
                 t0 == 0 && next ? group_bytes / 64 : 0);
  }
  _tile_release();
  if (full < n_tok)  // the 1-15 token tail
    vnni(n, packed, r0, n_rows, a + full * as, as, ai + full * nb, n_tok - full, y + full * ldy, ldy);
}

void pg_q4_0(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<4>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
void pg_q8_0(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<8>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
size_t pp_q4_0(int64_t n, const uint8_t* a, size_t as, int64_t nt, void* out) { return packed_prep<4>(n, a, as, nt, out); }
size_t pp_q8_0(int64_t n, const uint8_t* a, size_t as, int64_t nt, void* out) { return packed_prep<8>(n, a, as, nt, out); }

}  // namespace

void fill_amx_packed(KernelSet& k) {
  const int q4 = static_cast<int>(TensorType::Q4_0), q8 = static_cast<int>(TensorType::Q8_0);
  g_vnni_gemm_q4_0 = k.packed_gemm[q4];
  g_vnni_gemm_q8_0 = k.packed_gemm[q8];
  g_vnni_prep_q4_0 = k.packed_prep[q4];
  g_vnni_prep_q8_0 = k.packed_prep[q8];
  k.packed_gemm[q4] = pg_q4_0;
  k.packed_gemm[q8] = pg_q8_0;
  k.packed_prep[q4] = pp_q4_0;
  k.packed_prep[q8] = pp_q8_0;
}

}  // namespace pocketops::kernels::x86
#endif
