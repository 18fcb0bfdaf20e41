// AMX-INT8 tiles for prefill GEMM over the avx512 set's 16-row packed Q4_K /
// Q5_K / Q6_K layout (packed_k_layout.h). The sub-block scales are folded
// into the weights when a row group is unpacked: w = q * sc is split into
// lo = w & 127 and hi = w >> 7 (both int8), so a super-block is 4 x 2
// TDPBSSD over 64-element chunks (16 tokens x 16 rows) and one store and
// scaling per super-block instead of one per 32- or 16-element sub-block.
// Integer sums as in the VNNI kernels; the Q4_K / Q5_K mins are subtracted
// per super-block from the activation sums. Fewer than 16 tokens (decode,
// verification, a prompt's last 1-15) stay on the avx512 kernels.
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

#include "kernels/x86/amx_tiles.inc"

enum class KType { Q4, Q5, Q6 };

constexpr int kG = 16;  // rows per packed group (the avx512 layout)
constexpr size_t kQ4KBytes = packed_k::q4_k_bytes(kG), kQ5KBytes = packed_k::q5_k_bytes(kG),
                 kQ6KBytes = packed_k::q6_k_bytes(kG);
constexpr size_t kQ4Scales = packed_k::q4_k_scales(kG), kQ4Mins = packed_k::q4_k_mins(kG), kQ4D = packed_k::q4_k_d(kG),
                 kQ4Dmin = packed_k::q4_k_dmin(kG), kQ5High = packed_k::q5_k_high(kG);
constexpr size_t kQ6Step = packed_k::q6_k_step(kG), kQ6Scales = packed_k::q6_k_scales(kG), kQ6D = packed_k::q6_k_d(kG);

constexpr size_t group_bytes(KType k) { return k == KType::Q6 ? kQ6KBytes : k == KType::Q5 ? kQ5KBytes : kQ4KBytes; }

// The avx512 set's packed GEMMs (same layout and activation prep), for the
// tokens the 16-token tiles leave.
PackedGemmFn g_vnni_gemm[3] = {nullptr, nullptr, nullptr};
PackedPrepFn g_vnni_prep[3] = {nullptr, nullptr, nullptr};

using KAct = PackedKAct;

thread_local Scratch t_group;

// A group's super-block unpacked once for all token tiles: per 64-element
// chunk c the B tiles of lo and hi (16 rows x 64 bytes each: row r = 4
// consecutive k-values of the 16 weight rows), then d as floats (64 bytes),
// and for Q4_K / Q5_K dmin as floats (64) and the mins as int16 pairs
// (m[2p], m[2p+1]) per row (4 x 64).
constexpr size_t kChunkBytes = 2 * 1024, kDOff = 4 * kChunkBytes, kDminOff = kDOff + 64, kMinsOff = kDminOff + 64;
constexpr size_t kSbBytes = kMinsOff + 4 * 64;
static_assert(kSbBytes % 64 == 0);

// Row scale of one sub-block (16 bytes, one per row) in both 16-bit halves
// of the row's dword.
template <bool kSigned>
inline __m512i scale_words(const uint8_t* p) {
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m512i x = kSigned ? _mm512_cvtepi8_epi32(b) : _mm512_cvtepu8_epi32(b);
  return _mm512_or_si512(_mm512_and_si512(x, _mm512_set1_epi32(0xFFFF)), _mm512_slli_epi32(x, 16));
}

// One B row of weight values v (bytes, |v| < 64) times their row scales s:
// w = v * s (|w| <= 4096) stored as lo = w & 127 and hi = w >> 7.
template <bool kSigned>
inline void fold(__m512i v, __m512i s, uint8_t* lo, uint8_t* hi) {
  const __m512i ve = kSigned ? _mm512_srai_epi16(_mm512_slli_epi16(v, 8), 8) : _mm512_and_si512(v, _mm512_set1_epi16(0xFF));
  const __m512i vo = kSigned ? _mm512_srai_epi16(v, 8) : _mm512_srli_epi16(v, 8);
  const __m512i we = _mm512_mullo_epi16(ve, s), wo = _mm512_mullo_epi16(vo, s);
  const __m512i m7 = _mm512_set1_epi16(0x7F), m8 = _mm512_set1_epi16(0xFF);
  _mm512_store_si512(lo, _mm512_or_si512(_mm512_and_si512(we, m7), _mm512_slli_epi16(_mm512_and_si512(wo, m7), 8)));
  _mm512_store_si512(hi, _mm512_or_si512(_mm512_and_si512(_mm512_srai_epi16(we, 7), m8),
                                         _mm512_slli_epi16(_mm512_srai_epi16(wo, 7), 8)));
}

// B row r of chunk c in the unpacked super-block u.
inline uint8_t* lo_row(uint8_t* u, int c, int r) { return u + c * kChunkBytes + 64 * r; }
inline uint8_t* hi_row(uint8_t* u, int c, int r) { return u + c * kChunkBytes + 1024 + 64 * r; }

// Q4_K / Q5_K: nibble vector 8c + i holds B row i of sub-block 2c (low
// nibbles) and of 2c + 1 (high); in chunk c they are rows i and 8 + i.
template <bool kQ5>
void unpack_q45(const uint8_t* o, uint8_t* u) {
  const __m512i m4 = _mm512_set1_epi8(0x0F), m10 = _mm512_set1_epi8(0x10);
#pragma GCC unroll 1
  for (int c = 0; c < 4; ++c) {
    const __m512i s0 = scale_words<false>(o + kQ4Scales + 16 * (2 * c)),
                  s1 = scale_words<false>(o + kQ4Scales + 16 * (2 * c + 1));
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
      fold<false>(lo, s0, lo_row(u, c, i), hi_row(u, c, i));
      fold<false>(hi, s1, lo_row(u, c, 8 + i), hi_row(u, c, 8 + i));
    }
  }
  _mm512_store_ps(u + kDOff, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4D))));
  _mm512_store_ps(u + kDminOff, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4Dmin))));
#pragma GCC unroll 4
  for (int p = 0; p < 4; ++p)
    _mm512_store_si512(u + kMinsOff + 64 * p,
                       _mm512_cvtepu8_epi16(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4Mins + 32 * p))));
}

// Q6_K: in step s, vector i holds B row i of sub-block s (low nibbles) and
// s + 4 (high), vector 4 + i those of s + 8 / s + 12, vector 8 + i their
// 2-bit high parts (bits 2u..2u+1: sub-block s + 4u). Sub-block s + 4u is
// rows 4s..4s+3 of chunk u; values are q - 32 (signed).
void unpack_q6(const uint8_t* o, uint8_t* u) {
  const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30), m32 = _mm512_set1_epi8(32);
#pragma GCC unroll 1
  for (int s = 0; s < 4; ++s) {
    const uint8_t* st = o + s * kQ6Step;
    __m512i sw[4];
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) sw[q] = scale_words<true>(o + kQ6Scales + 16 * (s + 4 * q));
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
      const __m512i v0 = _mm512_load_si512(st + 64 * i), v1 = _mm512_load_si512(st + 64 * (4 + i));
      const __m512i h = _mm512_load_si512(st + 64 * (8 + i));
      const __m512i nib[4] = {_mm512_and_si512(v0, m4), _mm512_and_si512(_mm512_srli_epi16(v0, 4), m4),
                              _mm512_and_si512(v1, m4), _mm512_and_si512(_mm512_srli_epi16(v1, 4), m4)};
      const __m512i hb[4] = {_mm512_slli_epi16(h, 4), _mm512_slli_epi16(h, 2), h, _mm512_srli_epi16(h, 2)};
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) {
        const __m512i v = _mm512_sub_epi8(_mm512_ternarylogic_epi32(nib[q], hb[q], m30, 0xF8), m32);
        fold<true>(v, sw[q], lo_row(u, q, 4 * s + i), hi_row(u, q, 4 * s + i));
      }
    }
  }
  _mm512_store_ps(u + kDOff, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ6D))));
}

// cold: the group's weights are not in cache yet (prefetch them into L1
// two super-blocks ahead).
template <KType K>
void unpack_group(const uint8_t* pw, int64_t nsb, uint8_t* out, bool cold) {
  constexpr size_t kBytes = group_bytes(K);
  for (int64_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* o = pw + sb * kBytes;
    if (cold)
      for (size_t l = 0; l < kBytes; l += 64) _mm_prefetch(reinterpret_cast<const char*>(o) + 2 * kBytes + l, _MM_HINT_T0);
    if constexpr (K == KType::Q6) unpack_q6(o, out + sb * kSbBytes);
    else unpack_q45<K == KType::Q5>(o, out + sb * kSbBytes);
  }
}

// The activation side: the avx512 prep (KAct per token and super-block)
// and, 64-aligned after it, the quants of each full 16-token tile copied per
// super-block and 64-element chunk into A tiles (16 rows x 64 bytes, 1 KB):
// a Q8_K row's quants start 4 bytes into the block, so tile loads straight
// from the rows would touch two cache lines per row.
constexpr size_t kATileBytes = 16 * 64, kASbBytes = 4 * kATileBytes;

size_t act_info_bytes(int64_t nsb, int64_t n_tok) { return static_cast<size_t>(nsb * n_tok) * sizeof(KAct); }

template <KType K>
size_t packed_prep(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  const int64_t nsb = n / QK_K, n_tiles = n_tok / kTile;
  if (!out) return act_info_bytes(nsb, n_tok) + 64 + static_cast<size_t>(n_tiles * nsb) * kASbBytes;
  g_vnni_prep[static_cast<int>(K)](n, a, as, n_tok, out);
  uint8_t* tiles = const_cast<uint8_t*>(tiles_after(out, act_info_bytes(nsb, n_tok)));
  for (int64_t i = 0; i < n_tiles; ++i)
    for (int64_t t = 0; t < kTile; ++t) {
      const BlockQ8_K* blk = reinterpret_cast<const BlockQ8_K*>(a + (i * kTile + t) * as);
      uint8_t* dst = tiles + i * nsb * kASbBytes + 64 * t;
      for (int64_t sb = 0; sb < nsb; ++sb)
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c)
          _mm512_store_si512(dst + sb * kASbBytes + c * kATileBytes, _mm512_loadu_si512(blk[sb].qs + 64 * c));
    }
  return 0;
}

// acc[t] += (lo + 128 hi) * d * token scale, from the stored result tiles.
inline void scale_into(float* acc, const int32_t* lo, const int32_t* hi, const uint8_t* u, const KAct* ai,
                       int64_t nsb_ai) {
  const __m512 d = _mm512_load_ps(u + kDOff);
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t) {
    const __m512i w = _mm512_add_epi32(_mm512_load_si512(lo + 16 * t), _mm512_slli_epi32(_mm512_load_si512(hi + 16 * t), 7));
    _mm512_store_ps(acc + 16 * t, _mm512_fmadd_ps(_mm512_cvtepi32_ps(w), _mm512_mul_ps(d, _mm512_set1_ps(ai[t * nsb_ai].d)),
                                                  _mm512_load_ps(acc + 16 * t)));
  }
}

// acc[t] -= dmin * token scale * sum over sub-blocks of min * activation sum.
inline void subtract_mins(float* acc, const uint8_t* u, const KAct* ai, int64_t nsb_ai) {
  const __m512 dm = _mm512_load_ps(u + kDminOff);
  const __m512i mp0 = _mm512_load_si512(u + kMinsOff), mp1 = _mm512_load_si512(u + kMinsOff + 64);
  const __m512i mp2 = _mm512_load_si512(u + kMinsOff + 128), mp3 = _mm512_load_si512(u + kMinsOff + 192);
#pragma GCC unroll 16
  for (int t = 0; t < kTile; ++t) {
    const KAct& k = ai[t * nsb_ai];
    __m512i ms = _mm512_madd_epi16(mp0, _mm512_set1_epi32(k.c[0]));
    ms = _mm512_dpwssd_epi32(ms, mp1, _mm512_set1_epi32(k.c[1]));
    ms = _mm512_dpwssd_epi32(ms, mp2, _mm512_set1_epi32(k.c[2]));
    ms = _mm512_dpwssd_epi32(ms, mp3, _mm512_set1_epi32(k.c[3]));
    _mm512_store_ps(acc + 16 * t, _mm512_fnmadd_ps(_mm512_cvtepi32_ps(ms), _mm512_mul_ps(dm, _mm512_set1_ps(k.d)),
                                                   _mm512_load_ps(acc + 16 * t)));
  }
}

// NT x 16 tokens (their A tiles from the prep, token tile 1's nsb x 4 KB
// after tile 0's) x the 16 rows of one unpacked group over all
// super-blocks. Tiles 0/1 (and 2/3) accumulate lo/hi of token tile 0 (1),
// 4/5 hold the activations, 6/7 the weights: NT = 2 keeps four independent
// accumulations in flight and loads each B tile once for two. A
// super-block's results are scaled while the next one multiplies, and
// pf_lines cache lines at pf (the next group's packed weights) are
// prefetched into L2 along the way.
template <bool kMins, int NT>
void tile_group(const uint8_t* wg, int64_t nsb, const uint8_t* at, const KAct* ai, int64_t nsb_ai, float* y, int64_t ldy,
                int64_t n_rows, const uint8_t* pf, size_t pf_lines) {
  alignas(64) int32_t cb[2][2 * NT][16 * 16];
  alignas(64) float acc[NT][16 * 16];
  std::memset(acc, 0, sizeof acc);
  const size_t a_tile = static_cast<size_t>(nsb) * kASbBytes;  // token tile 1
  for (int64_t sb = 0; sb <= nsb; ++sb) {
    if (sb < nsb) {
      const uint8_t* u = wg + sb * kSbBytes;
      const uint8_t* x = at + sb * kASbBytes;
      _tile_zero(0);
      _tile_zero(1);
      if constexpr (NT == 2) {
        _tile_zero(2);
        _tile_zero(3);
      }
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) {
        _tile_loadd(4, x + c * kATileBytes, 64);
        _tile_loadd(6, u + c * kChunkBytes, 64);
        _tile_loadd(7, u + c * kChunkBytes + 1024, 64);
        _tile_dpbssd(0, 4, 6);
        _tile_dpbssd(1, 4, 7);
        if constexpr (NT == 2) {
          _tile_loadd(5, x + a_tile + c * kATileBytes, 64);
          _tile_dpbssd(2, 5, 6);
          _tile_dpbssd(3, 5, 7);
        }
      }
      _tile_stored(0, cb[sb & 1][0], 64);
      _tile_stored(1, cb[sb & 1][1], 64);
      if constexpr (NT == 2) {
        _tile_stored(2, cb[sb & 1][2], 64);
        _tile_stored(3, cb[sb & 1][3], 64);
      }
    }
    if (sb > 0) {
      const int64_t q = sb - 1;
      const uint8_t* u = wg + q * kSbBytes;
      prefetch_l2_step(pf, pf_lines, q, nsb);  // this super-block's share of the next group
#pragma GCC unroll 2
      for (int i = 0; i < NT; ++i) {
        const KAct* ti = ai + i * kTile * nsb_ai + q;  // token tile i's activation info
        scale_into(acc[i], cb[q & 1][2 * i], cb[q & 1][2 * i + 1], u, ti, nsb_ai);
        if constexpr (kMins) subtract_mins(acc[i], u, ti, nsb_ai);
      }
    }
  }
  const __mmask16 m = n_rows >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n_rows) - 1);
  for (int i = 0; i < NT; ++i)
#pragma GCC unroll 16
    for (int t = 0; t < kTile; ++t)
      _mm512_mask_storeu_ps(y + (i * kTile + t) * ldy, m, _mm512_load_ps(acc[i] + 16 * t));
}

// Groups are unpacked a panel of up to kPanelBytes at a time (L2-resident:
// 15 groups of 2048 columns, 3 of 8192), and token pairs go outer, the
// panel's groups inner, so a token pair's A tiles (32 x n bytes) are read
// from L3 once per panel instead of once per 16 rows (4 MiB per group for
// 512 tokens of 8192 columns). Each tile_group still covers whole rows, so
// the results are the same as group by group.
constexpr size_t kPanelBytes = size_t{1} << 20;

template <KType K>
void packed_gemm(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as,
                 const void* prep, int64_t n_tok, float* y, int64_t ldy) {
  const PackedGemmFn vnni = g_vnni_gemm[static_cast<int>(K)];
  const int64_t nsb = n / QK_K, full = n_tok / kTile * kTile;
  const size_t ub = static_cast<size_t>(nsb) * kSbBytes;  // one unpacked group
  const int64_t pg = ub < kPanelBytes ? static_cast<int64_t>(kPanelBytes / ub) : 1;  // groups per panel
  uint8_t* wg = full > 0 ? t_group.get(ub * pg) : nullptr;
  if (!wg) {  // fewer than 16 tokens (or no scratch memory)
    vnni(n, packed, r0, n_rows, a, as, prep, n_tok, y, ldy);
    return;
  }
  const KAct* ai = static_cast<const KAct*>(prep);
  const uint8_t* tiles = tiles_after(prep, act_info_bytes(nsb, n_tok));
  const size_t gb = static_cast<size_t>(nsb) * group_bytes(K);
  configure_full_tiles();
  // While a panel's first token pair runs, it prefetches the next panel's
  // packed weights into L2 (a few lines per super-block), so their unpack
  // does not wait on DRAM.
  const int64_t per = pg * kG;
  for (int64_t p0 = 0; p0 < n_rows; p0 += per) {
    const int64_t ng = (n_rows - p0 < per ? n_rows - p0 + kG - 1 : per) / kG;
    for (int64_t i = 0; i < ng; ++i) unpack_group<K>(packed + ((r0 + p0) / kG + i) * gb, nsb, wg + i * ub, p0 == 0);
    for (int64_t t0 = 0; t0 < full; t0 += 2 * kTile) {
      const uint8_t* at = tiles + (t0 / kTile) * nsb * kASbBytes;
      for (int64_t i = 0; i < ng; ++i) {
        const int64_t g0 = p0 + i * kG, nr = n_rows - g0 < kG ? n_rows - g0 : kG;
        const uint8_t* next = g0 + per < n_rows ? packed + ((r0 + g0) / kG + pg) * gb : nullptr;
        const size_t pf_lines = t0 == 0 && next ? gb / 64 : 0;
        uint8_t* u = wg + i * ub;
        if (t0 + 2 * kTile <= full)
          tile_group<K != KType::Q6, 2>(u, nsb, at, ai + t0 * nsb, nsb, y + g0 + t0 * ldy, ldy, nr, next, pf_lines);
        else
          tile_group<K != KType::Q6, 1>(u, nsb, at, ai + t0 * nsb, nsb, y + g0 + t0 * ldy, ldy, nr, next, pf_lines);
      }
    }
  }
  _tile_release();
  if (full < n_tok)  // the 1-15 token tail
    vnni(n, packed, r0, n_rows, a + full * as, as, ai + full * nsb, n_tok - full, y + full * ldy, ldy);
}

void pg_q4_k(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<KType::Q4>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
void pg_q5_k(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<KType::Q5>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
void pg_q6_k(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<KType::Q6>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}

}  // namespace

void fill_amx_packed_k(KernelSet& k) {
  const TensorType types[3] = {TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};
  const PackedGemmFn gemms[3] = {pg_q4_k, pg_q5_k, pg_q6_k};
  const PackedPrepFn preps[3] = {packed_prep<KType::Q4>, packed_prep<KType::Q5>, packed_prep<KType::Q6>};
  for (int i = 0; i < 3; ++i) {
    const int t = static_cast<int>(types[i]);
    g_vnni_gemm[i] = k.packed_gemm[t];
    g_vnni_prep[i] = k.packed_prep[t];
    k.packed_gemm[t] = gemms[i];
    k.packed_prep[t] = preps[i];
  }
}

}  // namespace pocketops::kernels::x86
#endif
