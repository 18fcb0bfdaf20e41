// AVX-512 VNNI kernels over Q4_K / Q5_K / Q6_K weights repacked at load into 16-row
// interleaved super-blocks (same idea as avx512_packed.cpp): one zmm holds 4
// consecutive k-values of 16 rows; per-sub-block scales applied in int32.
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

#include "kernels/x86/dword_transpose.inc"
#include "kernels/x86/prefetch.inc"
#include "kernels/x86/token_tiles.inc"

using gguf::TensorType;

// Layout: packed_k_layout.h with groups of 16 rows (a vector is one zmm):
// Q4_K 2368 bytes per group and super-block, Q5_K 2880, Q6_K 3392.
constexpr int kG = 16;
constexpr size_t kQ4KBytes = packed_k::q4_k_bytes(kG), kQ5KBytes = packed_k::q5_k_bytes(kG),
                 kQ6KBytes = packed_k::q6_k_bytes(kG);
constexpr size_t kQ4Scales = packed_k::q4_k_scales(kG), kQ4Mins = packed_k::q4_k_mins(kG), kQ4D = packed_k::q4_k_d(kG),
                 kQ4Dmin = packed_k::q4_k_dmin(kG), kQ5High = packed_k::q5_k_high(kG);
constexpr size_t kQ6Step = packed_k::q6_k_step(kG), kQ6Scales = packed_k::q6_k_scales(kG), kQ6D = packed_k::q6_k_d(kG);
static_assert(kQ4KBytes % 64 == 0 && kQ5KBytes % 64 == 0 && kQ6KBytes % 64 == 0);  // every zmm load stays aligned

using KAct = PackedKAct;  // per token and super-block (x86_sets.h)

template <bool kQ6>
size_t prep_k(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  const int64_t nsb = n / QK_K;
  if (!out) return static_cast<size_t>(nsb * n_tok) * sizeof(KAct);
  KAct* ai = static_cast<KAct*>(out);
  for (int64_t t = 0; t < n_tok; ++t) {
    const BlockQ8_K* blk = reinterpret_cast<const BlockQ8_K*>(a + t * as);
    for (int64_t sb = 0; sb < nsb; ++sb) {
      KAct& k = ai[t * nsb + sb];
      k.d = blk[sb].d;
      if (kQ6) {
        for (int j = 0; j < 16; ++j) k.c[j] = -32 * blk[sb].bsums[j];
      } else {
        for (int p = 0; p < 4; ++p) {
          const int lo = blk[sb].bsums[4 * p] + blk[sb].bsums[4 * p + 1];
          const int hi = blk[sb].bsums[4 * p + 2] + blk[sb].bsums[4 * p + 3];
          k.c[p] = static_cast<int32_t>((static_cast<uint32_t>(lo) & 0xFFFFu) | (static_cast<uint32_t>(hi) << 16));
        }
        for (int p = 4; p < 16; ++p) k.c[p] = 0;
      }
    }
  }
  return 0;
}

inline uint32_t ld32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline __m512i bc(const int8_t* p) { return _mm512_set1_epi32(static_cast<int>(ld32(p))); }
inline __m512i ld(const uint8_t* p) { return _mm512_load_si512(p); }

// Q4_K and Q5_K (kQ5: a fifth bit per weight from the high-bit planes).
// Q4_K's odd sub-blocks keep their high nibbles in place (v & 0xF0 = 16 q,
// the 1/16 folded into the float scale: exact), the mins go through
// vpdpwssd, and the sub-block loop is unrolled: 8 tokens x 2048 x 2048 from
// cache, one core of a Xeon without AMX, best of 200 calls x 8 rounds:
// 204-211 -> 180-183 us (the T = 8 tile had been ~15% slower than Q4_0's;
// now equal), a single token 75-77 -> 67-69 us.
template <bool kQ5, int T>
inline void tile_q45k(const uint8_t* pw, int64_t nsb, const uint8_t* a, size_t as, const KAct* ai, int64_t nsb_ai,
                      float* y, int64_t ldy, int64_t n_rows, bool stream) {
  constexpr size_t kBytes = kQ5 ? kQ5KBytes : kQ4KBytes;
  constexpr int kLines = static_cast<int>(kBytes / 64), kPer = (kLines + 7) / 8;  // prefetch: lines per sub-block
  __m512 acc[T];
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  const __m512i m4 = _mm512_set1_epi8(0x0F), m10 = _mm512_set1_epi8(0x10);
  for (int64_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* o = pw + sb * kBytes;
    // Software prefetch on the first pass over the group: into L1 two
    // superblocks ahead, and for single-token decode also into L2 four ahead
    // (decode of a Q4_K_M file ~1.6x faster than with the hardware
    // prefetcher alone; the Q6_K output matrix of a Q4_0 file ~4% of a step).
    const bool pf = stream;
    __m512 fs[T];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) fs[t] = _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      const int nl = kLines - j * kPer < kPer ? kLines - j * kPer : kPer;
      if (pf) prefetch_lines(o + 2 * kBytes + j * kPer * 64, nl);
      if (T == 1 && stream) prefetch_lines<true>(o + 4 * kBytes + j * kPer * 64, nl);
      const uint8_t* nz = o + (j >> 1) * 512;
      __m512i wv[8];
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) {
        const __m512i v = ld(nz + 64 * i);
        wv[i] = (j & 1) ? (kQ5 ? _mm512_and_si512(_mm512_srli_epi16(v, 4), m4) : _mm512_andnot_si512(m4, v))
                        : _mm512_and_si512(v, m4);
        if constexpr (kQ5) {
          // bit j of each high-bit byte -> bit 4 (16-bit shifts: the bits that
          // cross into the neighbouring byte never land on its bit 4)
          const __m512i h = ld(o + kQ5High + 64 * i);
          const __m512i hs = j < 4 ? _mm512_slli_epi16(h, 4 - j) : _mm512_srli_epi16(h, j - 4);
          wv[i] = _mm512_ternarylogic_epi32(wv[i], hs, m10, 0xF8);  // wv | (hs & 0x10)
        }
      }
      __m512 sc = _mm512_cvtepi32_ps(
          _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(o + kQ4Scales + 16 * j))));
      if (!kQ5 && (j & 1)) sc = _mm512_mul_ps(sc, _mm512_set1_ps(0.0625f));
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        const int8_t* q = reinterpret_cast<const BlockQ8_K*>(a + t * as)[sb].qs + 32 * j;
        __m512i s0 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wv[0], bc(q));
        __m512i s1 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wv[1], bc(q + 4));
#pragma GCC unroll 4
        for (int k = 2; k < 8; k += 2) {
          s0 = _mm512_dpbusd_epi32(s0, wv[k], bc(q + 4 * k));
          s1 = _mm512_dpbusd_epi32(s1, wv[k + 1], bc(q + 4 * k + 4));
        }
        fs[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)), sc, fs[t]);
      }
    }
    const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4D)));
    const __m512 dm = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4Dmin)));
    __m512i mp[4];
#pragma GCC unroll 4
    for (int p = 0; p < 4; ++p)
      mp[p] = _mm512_cvtepu8_epi16(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ4Mins + 32 * p)));
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) {
      const KAct& k = ai[t * nsb_ai + sb];
      __m512i ms = _mm512_madd_epi16(mp[0], _mm512_set1_epi32(k.c[0]));
      ms = _mm512_dpwssd_epi32(ms, mp[1], _mm512_set1_epi32(k.c[1]));
      ms = _mm512_dpwssd_epi32(ms, mp[2], _mm512_set1_epi32(k.c[2]));
      ms = _mm512_dpwssd_epi32(ms, mp[3], _mm512_set1_epi32(k.c[3]));
      const __m512 sb_sum = _mm512_fmsub_ps(fs[t], dw, _mm512_mul_ps(_mm512_cvtepi32_ps(ms), dm));
      acc[t] = _mm512_fmadd_ps(sb_sum, _mm512_set1_ps(k.d), acc[t]);
    }
  }
  const __mmask16 m = n_rows >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n_rows) - 1);
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) _mm512_mask_storeu_ps(y + t * ldy, m, acc[t]);
}

// Q6_K: the 16-element sub-block dots are scaled in float (cvt + FMA) rather
// than with vpmulld: ~9% faster for 8 tokens on Zen 4 (vpmulld competes with
// vpdpbusd; with 4 dot products per sub-block it was a fifth of the work).
// Q4_K/Q5_K do the same (tile_q45k): no gain measured on Zen 4 with 8 dots
// per sub-block, but on Sapphire Rapids, where vpmulld takes two uops on the
// one port that runs 512-bit vpdpbusd, 8-token verification of an
// 8192x2048 Q4_K matrix went from 663-674 to 530-605 us.
template <int T>
inline void tile_q6k(const uint8_t* pw, int64_t nsb, const uint8_t* a, size_t as, const KAct* ai, int64_t nsb_ai,
                     float* y, int64_t ldy, int64_t n_rows, bool stream) {
  __m512 acc[T];
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
  for (int64_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* o = pw + sb * kQ6KBytes;
    const bool pf = stream;  // see tile_q45k
    __m512 fs[T];  // sum over sub-blocks of scale * integer dot, in float (see the tile comment)
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) fs[t] = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int s = 0; s < 4; ++s) {
      const uint8_t* st = o + s * kQ6Step;
#pragma GCC unroll 4
      for (int u = 0; u < 4; ++u) {
        if (pf) prefetch_lines(o + 2 * kQ6KBytes + (4 * s + u) * 4 * 64, s == 3 && u == 1 ? 1 : (s == 3 && u > 1 ? 0 : 4));
        if (T == 1 && stream)
          prefetch_lines<true>(o + 4 * kQ6KBytes + (4 * s + u) * 4 * 64, s == 3 && u == 1 ? 1 : (s == 3 && u > 1 ? 0 : 4));
        const int sub = s + 4 * u;
        __m512i wv[4];
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
          const __m512i nv = ld(st + ((u >> 1) * 4 + i) * 64);
          const __m512i lo = (u & 1) ? _mm512_and_si512(_mm512_srli_epi16(nv, 4), m4) : _mm512_and_si512(nv, m4);
          const __m512i hv = ld(st + (8 + i) * 64);
          __m512i hs;
          if (u == 0) hs = _mm512_slli_epi16(hv, 4);
          else if (u == 1) hs = _mm512_slli_epi16(hv, 2);
          else if (u == 2) hs = hv;
          else hs = _mm512_srli_epi16(hv, 2);
          wv[i] = _mm512_ternarylogic_epi32(lo, hs, m30, 0xF8);  // lo | (hs & m30)
        }
        const __m512 scf =
            _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(o + kQ6Scales + 16 * sub))));
#pragma GCC unroll 8
        for (int t = 0; t < T; ++t) {
          const int8_t* q = reinterpret_cast<const BlockQ8_K*>(a + t * as)[sb].qs + 16 * sub;
          __m512i dot = _mm512_dpbusd_epi32(_mm512_set1_epi32(ai[t * nsb_ai + sb].c[sub]), wv[0], bc(q));
          dot = _mm512_dpbusd_epi32(dot, wv[1], bc(q + 4));
          dot = _mm512_dpbusd_epi32(dot, wv[2], bc(q + 8));
          dot = _mm512_dpbusd_epi32(dot, wv[3], bc(q + 12));
          fs[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), scf, fs[t]);
        }
      }
    }
    const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(o + kQ6D)));
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t)
      acc[t] = _mm512_fmadd_ps(fs[t], _mm512_mul_ps(dw, _mm512_set1_ps(ai[t * nsb_ai + sb].d)),
                               acc[t]);
  }
  const __mmask16 m = n_rows >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n_rows) - 1);
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) _mm512_mask_storeu_ps(y + t * ldy, m, acc[t]);
}

enum class KType { Q4, Q5, Q6 };

template <KType K, int T>
inline void tile(const uint8_t* pw, int64_t nsb, const uint8_t* a, size_t as, const KAct* ai, int64_t nsb_ai, float* y,
                 int64_t ldy, int64_t nr, bool stream) {
  if constexpr (K == KType::Q6) tile_q6k<T>(pw, nsb, a, as, ai, nsb_ai, y, ldy, nr, stream);
  else tile_q45k<K == KType::Q5, T>(pw, nsb, a, as, ai, nsb_ai, y, ldy, nr, stream);
}

template <KType K>
void gemm_k(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as,
            const void* prep, int64_t n_tok, float* y, int64_t ldy) {
  const int64_t nsb = n / QK_K;
  const KAct* ai = static_cast<const KAct*>(prep);
  const size_t group_bytes =
      static_cast<size_t>(nsb) * (K == KType::Q6 ? kQ6KBytes : K == KType::Q5 ? kQ5KBytes : kQ4KBytes);
  for (int64_t g0 = 0; g0 < n_rows; g0 += kG) {
    const uint8_t* pw = packed + ((r0 + g0) / kG) * group_bytes;
    const int64_t nr = n_rows - g0 < kG ? n_rows - g0 : kG;
    float* yg = y + g0;
    for_token_tiles(n_tok, [&]<int T>(int64_t t) {
      tile<K, T>(pw, nsb, a + t * as, as, ai + t * nsb, nsb, yg + t * ldy, ldy, nr, t == 0);
    });
  }
}

void pg_q4_k(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  gemm_k<KType::Q4>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
void pg_q5_k(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  gemm_k<KType::Q5>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
void pg_q6_k(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  gemm_k<KType::Q6>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
size_t pp_q4_k(int64_t n, const uint8_t* a, size_t as, int64_t nt, void* out) { return prep_k<false>(n, a, as, nt, out); }
size_t pp_q6_k(int64_t n, const uint8_t* a, size_t as, int64_t nt, void* out) { return prep_k<true>(n, a, as, nt, out); }

// Q6_K packing (packed_k_layout.h) of whole 16-row groups with the rows in
// zmm lanes: each row's ql / qh bytes dword-transposed (dword r = 4 bytes of
// row r), then the nibble and 2-bit planes recombined for all 16 rows at
// once; the scales and d, and a last partial group, as packed_k::pack_q6_k.
// 8192 x 2048 from cache: 1.0-1.4 GB/s of source word-wise, 6-10 GB/s here
// (the 110 MB Q6_K output matrix is the longest job of a 1.2B load).
size_t pack_q6_k16(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  const size_t total = packed_k::pack_q6_k(kG, rows, cols, w, ws, nullptr);
  if (!dst || total == 0) return total;
  const int64_t nsb = cols / QK_K, full = rows / kG;
  const __m512i m4 = _mm512_set1_epi8(0x0F), m2 = _mm512_set1_epi8(0x03);
  for (int64_t gi = 0; gi < full; ++gi)
    for (int64_t sb = 0; sb < nsb; ++sb) {
      const BlockQ6_K* b0 = reinterpret_cast<const BlockQ6_K*>(w + gi * kG * ws) + sb;
      uint8_t* o = dst + static_cast<size_t>(gi * nsb + sb) * kQ6KBytes;
      __m512i ql[32], qh[16];  // zmm 4c + j: bytes 16c + 4j .. + 3 of each row's ql / qh
      for (int c = 0; c < 8; ++c) dword_transpose16(b0->ql + 16 * c, ws, ql + 4 * c);
      for (int c = 0; c < 4; ++c) dword_transpose16(b0->qh + 16 * c, ws, qh + 4 * c);
      // element x = 16 sub + 4i .. + 3 (ggml Q6_K order): half h = x / 128,
      // idx = x % 128, quarter u = idx / 32, l = idx % 32: low 4 bits from
      // ql[64h + l + 32 (u & 1)] (low nibble for u < 2, else high), high 2
      // bits from qh[32h + l] bits 2u..2u+1
      auto nib = [&](int x) {
        const int h = x / 128, idx = x % 128, u = idx / 32, l = idx % 32;
        const __m512i v = ql[(64 * h + l + 32 * (u & 1)) / 4];
        return u < 2 ? _mm512_and_si512(v, m4) : _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
      };
      auto hi2 = [&](int x) {
        const int h = x / 128, idx = x % 128, u = idx / 32, l = idx % 32;
        return _mm512_and_si512(_mm512_srli_epi16(qh[(32 * h + l) / 4], 2 * u), m2);
      };
      for (int st = 0; st < 4; ++st) {
        uint8_t* so = o + st * kQ6Step;
        for (int i = 0; i < 4; ++i) {
          const int x0 = 16 * st + 4 * i, x1 = x0 + 64, x2 = x0 + 128, x3 = x0 + 192;  // sub-blocks st + 4u
          const __m512i n0 = _mm512_or_si512(nib(x0), _mm512_slli_epi16(nib(x1), 4));
          const __m512i n1 = _mm512_or_si512(nib(x2), _mm512_slli_epi16(nib(x3), 4));
          const __m512i h01 = _mm512_or_si512(hi2(x0), _mm512_slli_epi16(hi2(x1), 2));
          const __m512i h23 = _mm512_or_si512(_mm512_slli_epi16(hi2(x2), 4), _mm512_slli_epi16(hi2(x3), 6));
          const __m512i hb = _mm512_or_si512(h01, h23);
          _mm512_storeu_si512(so + 64 * i, n0);
          _mm512_storeu_si512(so + 64 * (4 + i), n1);
          _mm512_storeu_si512(so + 64 * (8 + i), hb);
        }
      }
      for (int r = 0; r < kG; ++r) packed_k::q6_k_row_meta(kG, o, r, reinterpret_cast<const uint8_t*>(b0) + r * ws);
      std::memset(o + kQ6D + 2 * kG, 0, 2 * kG);  // the tail padding
    }
  if (full * kG < rows)
    packed_k::pack_q6_k(kG, rows - full * kG, cols, w + full * kG * ws, ws,
                        dst + static_cast<size_t>(full * nsb) * kQ6KBytes);
  return total;
}

// For packed_k_groups.inc: 16 rows' 16 bytes at p as 4 zmm at out.
inline void transpose_store(const uint8_t* p, size_t ws, uint8_t* out) {
  __m512i v[4];
  dword_transpose16(p, ws, v);
  for (int j = 0; j < 4; ++j) _mm512_storeu_si512(out + 64 * j, v[j]);
}

#include "kernels/x86/packed_k_groups.inc"

}  // namespace

void fill_avx512_packed_k(KernelSet& k) {
  packed_k::fill_packing(k, kG);  // pack[] and Q6_K's packed_row
  k.pack[static_cast<int>(TensorType::Q4_K)] = pack_q45_k_groups<kG, false>;
  k.pack[static_cast<int>(TensorType::Q5_K)] = pack_q45_k_groups<kG, true>;
  k.pack[static_cast<int>(TensorType::Q6_K)] = pack_q6_k16;
  const int q4 = static_cast<int>(TensorType::Q4_K), q6 = static_cast<int>(TensorType::Q6_K);
  k.packed_gemm[q4] = pg_q4_k;
  k.packed_prep[q4] = pp_q4_k;
  const int q5 = static_cast<int>(TensorType::Q5_K);  // same activations and mins as Q4_K
  k.packed_gemm[q5] = pg_q5_k;
  k.packed_prep[q5] = pp_q4_k;
  k.packed_gemm[q6] = pg_q6_k;
  k.packed_prep[q6] = pp_q6_k;
}

}  // namespace pocketops::kernels::x86
#endif
