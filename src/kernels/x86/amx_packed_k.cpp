// AMX-INT8 tiles for prefill GEMM over the avx512 set's 16-row packed Q4_K /
// Q5_K layout (packed_k_layout.h): one TDPBSUD multiplies 16 tokens x 32
// activations (signed) by one 32-element sub-block of 16 weight rows
// (unsigned 4- or 5-bit values); the results are scaled per sub-block and
// the mins subtracted per super-block with AVX-512, as the VNNI kernels do.
// Fewer than 16 tokens, and Q6_K (16-element sub-blocks), stay on the
// avx512 kernels.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
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

#include "kernels/x86/amx_tiles.inc"

constexpr int kG = 16;  // rows per packed group (the avx512 layout)
constexpr size_t kQ4KBytes = packed_k::q4_k_bytes(kG), kQ5KBytes = packed_k::q5_k_bytes(kG);
constexpr size_t kQ4Scales = packed_k::q4_k_scales(kG), kQ4Mins = packed_k::q4_k_mins(kG), kQ4D = packed_k::q4_k_d(kG),
                 kQ4Dmin = packed_k::q4_k_dmin(kG), kQ5High = packed_k::q5_k_high(kG);

// The avx512 set's packed GEMMs and preps (same layout), for fewer than 16
// tokens and a prompt's last 1-15.
PackedGemmFn g_vnni_gemm_q4_k = nullptr, g_vnni_gemm_q5_k = nullptr;
PackedPrepFn g_vnni_prep_q4_k = nullptr;

using KAct = PackedKAct;

thread_local Scratch t_group;

// A group's super-block unpacked once for all token tiles: the 8 sub-blocks'
// B tiles (8 x 512 bytes, unsigned values), then per sub-block the row
// scales d * sc as floats (8 x 64), dmin as floats (64) and the mins as int16
// pairs (m[2p], m[2p+1]) per row (4 x 64).
constexpr size_t kScOff = 8 * 512, kDminOff = kScOff + 8 * 64, kMinsOff = kDminOff + 64;
constexpr size_t kSbBytes = kMinsOff + 4 * 64;
static_assert(kSbBytes % 64 == 0);

template <bool kQ5>
void unpack_group(const uint8_t* pw, int64_t nsb, uint8_t* out) {
  constexpr size_t kBytes = kQ5 ? kQ5KBytes : kQ4KBytes;
  const __m512i m4 = _mm512_set1_epi8(0x0F), m10 = _mm512_set1_epi8(0x10);
  for (int64_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* o = pw + sb * kBytes;
    uint8_t* u = out + sb * kSbBytes;
    for (size_t l = 0; l < kBytes; l += 64) _mm_prefetch(reinterpret_cast<const char*>(o) + 2 * kBytes + l, _MM_HINT_T0);
    // nibble vector 8c + i: low nibbles = sub-block 2c (B row i), high = 2c + 1
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) {
        const __m512i v = _mm512_load_si512(o + 64 * (8 * c + i));
        __m512i lo = _mm512_and_si512(v, m4), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
        if constexpr (kQ5) {
          // bit j of a high-bit byte is the fifth bit in sub-block j -> bit 4
          const __m512i h = _mm512_load_si512(o + kQ5High + 64 * i);
          const int j0 = 2 * c;
          const __m512i h0 = j0 < 4 ? _mm512_slli_epi16(h, 4 - j0) : _mm512_srli_epi16(h, j0 - 4);
          const __m512i h1 = j0 + 1 < 4 ? _mm512_slli_epi16(h, 3 - j0) : _mm512_srli_epi16(h, j0 - 3);
          lo = _mm512_ternarylogic_epi32(lo, h0, m10, 0xF8);  // lo | (h0 & 0x10)
          hi = _mm512_ternarylogic_epi32(hi, h1, m10, 0xF8);
        }
        _mm512_store_si512(u + (2 * c) * 512 + 64 * i, lo);
        _mm512_store_si512(u + (2 * c + 1) * 512 + 64 * i, hi);
      }
    }
    const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4D)));
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      const __m512i sc = _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(o + kQ4Scales + 16 * j)));
      _mm512_store_ps(u + kScOff + 64 * j, _mm512_mul_ps(dw, _mm512_cvtepi32_ps(sc)));
    }
    _mm512_store_ps(u + kDminOff, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4Dmin))));
#pragma GCC unroll 4
    for (int p = 0; p < 4; ++p)
      _mm512_store_si512(u + kMinsOff + 64 * p,
                         _mm512_cvtepu8_epi16(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4Mins + 32 * p))));
  }
}

// The activation side: the avx512 prep (KAct per token and super-block) and,
// 64-aligned after it, the quants of each full 16-token tile repacked per
// super-block and sub-block into A tiles (16 rows x 32 bytes).
size_t act_info_bytes(int64_t nsb, int64_t n_tok) { return static_cast<size_t>(nsb * n_tok) * sizeof(KAct); }

size_t packed_prep(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  const int64_t nsb = n / QK_K, n_tiles = n_tok / kTile;
  if (!out) return act_info_bytes(nsb, n_tok) + 64 + static_cast<size_t>(n_tiles * nsb) * 8 * 512;
  g_vnni_prep_q4_k(n, a, as, n_tok, out);
  uint8_t* tiles = const_cast<uint8_t*>(tiles_after(out, act_info_bytes(nsb, n_tok)));
  for (int64_t i = 0; i < n_tiles; ++i)
    for (int64_t t = 0; t < kTile; ++t) {
      const BlockQ8_K* blk = reinterpret_cast<const BlockQ8_K*>(a + (i * kTile + t) * as);
      for (int64_t sb = 0; sb < nsb; ++sb)
        for (int j = 0; j < 8; ++j)
          _mm256_store_si256(reinterpret_cast<__m256i*>(tiles + (((i * nsb + sb) * 8 + j) * kTile + t) * 32),
                             _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[sb].qs + 32 * j)));
    }
  return 0;
}

// acc[t] += sub-block results (tile stored at c) * (d * sc) * token scale.
inline void scale_into(__m512 (&acc)[kTile], const int32_t* c, const float* dsc, const KAct* ai, int64_t nsb_ai) {
  const __m512 s = _mm512_load_ps(dsc);
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t)
    acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_load_si512(c + 16 * t)),
                             _mm512_mul_ps(s, _mm512_set1_ps(ai[t * nsb_ai].d)), acc[t]);
}

// acc[t] -= dmin * token scale * sum over sub-blocks of min * activation sum.
inline void subtract_mins(__m512 (&acc)[kTile], const uint8_t* u, const KAct* ai, int64_t nsb_ai) {
  const __m512 dm = _mm512_load_ps(u + kDminOff);
  const __m512i mp0 = _mm512_load_si512(u + kMinsOff), mp1 = _mm512_load_si512(u + kMinsOff + 64);
  const __m512i mp2 = _mm512_load_si512(u + kMinsOff + 128), mp3 = _mm512_load_si512(u + kMinsOff + 192);
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t) {
    const KAct& k = ai[t * nsb_ai];
    __m512i ms = _mm512_madd_epi16(mp0, _mm512_set1_epi32(k.c[0]));
    ms = _mm512_add_epi32(ms, _mm512_madd_epi16(mp1, _mm512_set1_epi32(k.c[1])));
    ms = _mm512_add_epi32(ms, _mm512_madd_epi16(mp2, _mm512_set1_epi32(k.c[2])));
    ms = _mm512_add_epi32(ms, _mm512_madd_epi16(mp3, _mm512_set1_epi32(k.c[3])));
    acc[t] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(ms), _mm512_mul_ps(dm, _mm512_set1_ps(k.d)), acc[t]);
  }
}

// 16 tokens x the 16 rows of one unpacked group over all super-blocks.
// Sub-blocks go in pairs through tiles 0/2/4 and 1/3/5; a pair's results are
// scaled while the next pair multiplies.
void tile_group(const uint8_t* wg, int64_t nsb, const uint8_t* at, const KAct* ai, int64_t nsb_ai, float* y,
                int64_t ldy, int64_t n_rows) {
  alignas(64) int32_t cb[2][2][16 * 16];
  __m512 acc[kTile];
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t) acc[t] = _mm512_setzero_ps();
  const int64_t np = nsb * 4;  // sub-block pairs
  for (int64_t p = 0; p <= np; ++p) {
    if (p < np) {
      const int64_t sb = p / 4, j = 2 * (p % 4);
      const uint8_t* w = wg + sb * kSbBytes + j * 512;
      const uint8_t* x = at + (sb * 8 + j) * 512;
      _tile_loadd(4, w, 64);
      _tile_loadd(2, x, 32);
      _tile_zero(0);
      _tile_dpbsud(0, 2, 4);
      _tile_loadd(5, w + 512, 64);
      _tile_loadd(3, x + 512, 32);
      _tile_zero(1);
      _tile_dpbsud(1, 3, 5);
      _tile_stored(0, cb[p & 1][0], 64);
      _tile_stored(1, cb[p & 1][1], 64);
    }
    if (p > 0) {
      const int64_t q = p - 1, sb = q / 4, j = 2 * (q % 4);
      const uint8_t* u = wg + sb * kSbBytes;
      const float* dsc = reinterpret_cast<const float*>(u + kScOff) + 16 * j;
      scale_into(acc, cb[q & 1][0], dsc, ai + sb, nsb_ai);
      scale_into(acc, cb[q & 1][1], dsc + 16, ai + sb, nsb_ai);
      if (q % 4 == 3) subtract_mins(acc, u, ai + sb, nsb_ai);
    }
  }
  const __mmask16 m = n_rows >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n_rows) - 1);
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t) _mm512_mask_storeu_ps(y + t * ldy, m, acc[t]);
}

template <bool kQ5>
void packed_gemm(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as,
                 const void* prep, int64_t n_tok, float* y, int64_t ldy) {
  const PackedGemmFn vnni = kQ5 ? g_vnni_gemm_q5_k : g_vnni_gemm_q4_k;
  const int64_t nsb = n / QK_K, full = n_tok / kTile * kTile;
  uint8_t* wg = full > 0 ? t_group.get(static_cast<size_t>(nsb) * kSbBytes) : nullptr;
  if (!wg) {  // fewer than 16 tokens (or no scratch memory)
    vnni(n, packed, r0, n_rows, a, as, prep, n_tok, y, ldy);
    return;
  }
  const KAct* ai = static_cast<const KAct*>(prep);
  const uint8_t* tiles = tiles_after(prep, act_info_bytes(nsb, n_tok));
  const size_t group_bytes = static_cast<size_t>(nsb) * (kQ5 ? kQ5KBytes : kQ4KBytes);
  configure_tiles();
  for (int64_t g0 = 0; g0 < n_rows; g0 += kG) {
    const int64_t nr = n_rows - g0 < kG ? n_rows - g0 : kG;
    unpack_group<kQ5>(packed + ((r0 + g0) / kG) * group_bytes, nsb, wg);
    for (int64_t t0 = 0; t0 < full; t0 += kTile)
      tile_group(wg, nsb, tiles + (t0 / kTile) * nsb * 8 * 512, ai + t0 * nsb, nsb, y + g0 + t0 * ldy, ldy, nr);
  }
  _tile_release();
  if (full < n_tok)  // the 1-15 token tail
    vnni(n, packed, r0, n_rows, a + full * as, as, ai + full * nsb, n_tok - full, y + full * ldy, ldy);
}

void pg_q4_k(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<false>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
void pg_q5_k(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<true>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}

}  // namespace

void fill_amx_packed_k(KernelSet& k) {
  const int q4 = static_cast<int>(TensorType::Q4_K), q5 = static_cast<int>(TensorType::Q5_K);
  g_vnni_gemm_q4_k = k.packed_gemm[q4];
  g_vnni_gemm_q5_k = k.packed_gemm[q5];
  g_vnni_prep_q4_k = k.packed_prep[q4];  // Q5_K shares it (same activations and mins)
  k.packed_gemm[q4] = pg_q4_k;
  k.packed_gemm[q5] = pg_q5_k;
  k.packed_prep[q4] = packed_prep;
  k.packed_prep[q5] = packed_prep;
}

}  // namespace pocketops::kernels::x86
#endif
