// AVX2 kernels over Q4_K / Q5_K / Q6_K weights repacked at load into 8-row
// interleaved super-blocks (packed_k_layout.h; the avx2 set, CPUs without
// AVX-512): one ymm holds 4 consecutive k-values of 8 rows, maddubs forms
// int16 pair sums per token and madd applies each row's sub-block scale while
// widening to int32, so one weight load serves up to 4 tokens.
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

#include "kernels/x86/token_tiles.inc"

using gguf::TensorType;

// Sizes and offsets in a group of 8 rows and one super-block (packed_k_layout.h).
constexpr int kG = 8;
constexpr size_t kQ4K = packed_k::q4_k_bytes(kG), kQ5K = packed_k::q5_k_bytes(kG), kQ6K = packed_k::q6_k_bytes(kG);
constexpr size_t kQ4Scales = packed_k::q4_k_scales(kG), kQ4Mins = packed_k::q4_k_mins(kG), kQ4D = packed_k::q4_k_d(kG),
                 kQ4Dmin = packed_k::q4_k_dmin(kG), kQ5High = packed_k::q5_k_high(kG);
constexpr size_t kQ6Step = packed_k::q6_k_step(kG), kQ6Scales = packed_k::q6_k_scales(kG), kQ6D = packed_k::q6_k_d(kG);
static_assert(kQ4K % 32 == 0 && kQ5K % 32 == 0 && kQ6K % 32 == 0);  // every ymm load stays aligned

// Per token and super-block: activation scale and int16 pairs of block sums
// (Q4_K / Q5_K: c[p] = (bsum32[2p], bsum32[2p+1]), p < 4; Q6_K: c[p] =
// (bsums[2p], bsums[2p+1]), the 16-element sums, p < 8).
struct KAct {
  float d;
  int32_t c[8];
};

inline int32_t pair16(int lo, int hi) {
  return static_cast<int32_t>((static_cast<uint32_t>(lo) & 0xFFFFu) | (static_cast<uint32_t>(hi) << 16));
}

template <bool kQ6>
size_t prep_k(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  const int64_t nsb = n / QK_K;
  if (!out) return static_cast<size_t>(nsb * n_tok) * sizeof(KAct);
  KAct* ai = static_cast<KAct*>(out);
  for (int64_t t = 0; t < n_tok; ++t) {
    const BlockQ8_K* blk = reinterpret_cast<const BlockQ8_K*>(a + t * as);
    for (int64_t sb = 0; sb < nsb; ++sb) {
      KAct& k = ai[t * nsb + sb];
      const int16_t* bs = blk[sb].bsums;
      k.d = blk[sb].d;
      for (int p = 0; p < 8; ++p) {
        if (kQ6) k.c[p] = pair16(bs[2 * p], bs[2 * p + 1]);
        else k.c[p] = p < 4 ? pair16(bs[4 * p] + bs[4 * p + 1], bs[4 * p + 2] + bs[4 * p + 3]) : 0;
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
inline __m256i bc(const int8_t* p) { return _mm256_set1_epi32(static_cast<int>(ld32(p))); }
inline __m256i ld(const uint8_t* p) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(p)); }
inline __m128i ld8(const uint8_t* p) { return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)); }
// 8 bytes (one per row) -> each row's value as int16 in both halves of its dword
inline __m256i scale_pairs_u8(const uint8_t* p) {
  const __m128i v = ld8(p);
  return _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(v, v));
}
inline __m256i scale_pairs_i8(const uint8_t* p) {
  const __m128i v = ld8(p);
  return _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(v, v));
}

// Software prefetch on the first pass over a group (stream): n lines at p into
// L1, or into L2 (kL2); a bool, not the hint, as template parameter (GCC's
// hint is an enum, clang's a macro constant).
template <bool kL2 = false>
inline void prefetch_lines(const uint8_t* p, int n) {
  for (int i = 0; i < n; ++i) {
    if constexpr (kL2) _mm_prefetch(reinterpret_cast<const char*>(p) + 64 * i, _MM_HINT_T1);
    else _mm_prefetch(reinterpret_cast<const char*>(p) + 64 * i, _MM_HINT_T0);
  }
}

// Q4_K and Q5_K (kQ5: a fifth bit per weight from the high-bit vectors), T
// tokens x 8 rows. Per sub-block of 32 and token: 8 maddubs summed in int16
// (Q4_K: |8 x 2 x 15 x 128| = 30720 fits; Q5_K: in two halves of 4, 4 x 2 x
// 31 x 128 = 31744), then madd with the row scales.
template <bool kQ5, int T>
inline void tile_q45k(const uint8_t* pw, int64_t nsb, const uint8_t* a, size_t as, const KAct* ai, int64_t nsb_ai,
                      float* y, int64_t ldy, int64_t n_rows, bool stream) {
  constexpr size_t kBytes = kQ5 ? kQ5K : kQ4K;
  constexpr int kLines = static_cast<int>((kBytes + 63) / 64), kPer = (kLines + 7) / 8;  // prefetch lines per sub-block
  constexpr int kHalf = kQ5 ? 4 : 8;  // maddubs per int16 sum
  __m256 acc[T];
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F), m10 = _mm256_set1_epi8(0x10);
  for (int64_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* o = pw + sb * kBytes;
    __m256i is[T];
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) is[t] = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
      if (stream) {  // into L1 two super-blocks ahead; decode also into L2 four ahead
        const int nl = kLines - j * kPer < kPer ? kLines - j * kPer : kPer;
        prefetch_lines(o + 2 * kBytes + j * kPer * 64, nl);
        if (T == 1) prefetch_lines<true>(o + 4 * kBytes + j * kPer * 64, nl);
      }
      const uint8_t* nz = o + (j >> 1) * 256;
      const __m256i sc = scale_pairs_u8(o + kQ4Scales + 8 * j);
#pragma GCC unroll 2
      for (int i0 = 0; i0 < 8; i0 += kHalf) {
        __m256i s[T];
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) s[t] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int i = i0; i < i0 + kHalf; ++i) {
          const __m256i v = ld(nz + 32 * i);
          __m256i w = (j & 1) ? _mm256_and_si256(_mm256_srli_epi16(v, 4), m4) : _mm256_and_si256(v, m4);
          if constexpr (kQ5) {
            // bit j of each high-bit byte -> bit 4 (16-bit shifts: the bits
            // that cross into the neighbouring byte never land on its bit 4)
            const __m256i h = ld(o + kQ5High + 32 * i);
            const __m256i hs = j < 4 ? _mm256_slli_epi16(h, 4 - j) : _mm256_srli_epi16(h, j - 4);
            w = _mm256_or_si256(w, _mm256_and_si256(hs, m10));
          }
#pragma GCC unroll 4
          for (int t = 0; t < T; ++t) {
            const int8_t* q = reinterpret_cast<const BlockQ8_K*>(a + t * as)[sb].qs + 32 * j;
            s[t] = _mm256_add_epi16(s[t], _mm256_maddubs_epi16(w, bc(q + 4 * i)));
          }
        }
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) is[t] = _mm256_add_epi32(is[t], _mm256_madd_epi16(s[t], sc));
      }
    }
    const __m256 dw = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(o + kQ4D)));
    const __m256 dm = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(o + kQ4Dmin)));
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) {
      const KAct& k = ai[t * nsb_ai + sb];
      __m256i ms = _mm256_setzero_si256();
#pragma GCC unroll 4
      for (int p = 0; p < 4; ++p) {
        const __m256i mp = _mm256_cvtepu8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(o + kQ4Mins + 16 * p)));
        ms = _mm256_add_epi32(ms, _mm256_madd_epi16(mp, _mm256_set1_epi32(k.c[p])));
      }
      const __m256 ad = _mm256_set1_ps(k.d);
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(is[t]), _mm256_mul_ps(dw, ad), acc[t]);
      acc[t] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(ms), _mm256_mul_ps(dm, ad), acc[t]);
    }
  }
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) store_rows8(y + t * ldy, acc[t], n_rows);
}

// Q6_K, T tokens x 8 rows: unsigned 6-bit weights (value + 32); per
// 16-element sub-block and token two int16 sums of 2 maddubs (|2 x 2 x 63 x
// 128| = 32256 fits), madd with the signed row scales; the -32 offset once
// per super-block: -32 * sum over sub-blocks of scale * block sum.
template <int T>
inline void tile_q6k(const uint8_t* pw, int64_t nsb, const uint8_t* a, size_t as, const KAct* ai, int64_t nsb_ai,
                     float* y, int64_t ldy, int64_t n_rows, bool stream) {
  constexpr int kLines = static_cast<int>(kQ6K / 64) + 1;  // 26.5 lines per super-block
  __m256 acc[T];
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
  for (int64_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* o = pw + sb * kQ6K;
    __m256i is[T];
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) is[t] = _mm256_setzero_si256();
    for (int s = 0; s < 4; ++s) {
      const uint8_t* st = o + s * kQ6Step;
      if (stream) {  // ~7 lines per step, as in tile_q45k
        const int nl = s < 3 ? 7 : kLines - 21;
        prefetch_lines(o + 2 * kQ6K + s * 7 * 64, nl);
        if (T == 1) prefetch_lines<true>(o + 4 * kQ6K + s * 7 * 64, nl);
      }
#pragma GCC unroll 4
      for (int u = 0; u < 4; ++u) {
        const int sub = s + 4 * u;
        __m256i wv[4];
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
          const __m256i nv = ld(st + ((u >> 1) * 4 + i) * 32);
          const __m256i lo = (u & 1) ? _mm256_and_si256(_mm256_srli_epi16(nv, 4), m4) : _mm256_and_si256(nv, m4);
          const __m256i hv = ld(st + (8 + i) * 32);
          __m256i hs;
          if (u == 0) hs = _mm256_slli_epi16(hv, 4);
          else if (u == 1) hs = _mm256_slli_epi16(hv, 2);
          else if (u == 2) hs = hv;
          else hs = _mm256_srli_epi16(hv, 2);
          wv[i] = _mm256_or_si256(lo, _mm256_and_si256(hs, m30));
        }
        const __m256i sc = scale_pairs_i8(o + kQ6Scales + 8 * sub);
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
          const int8_t* q = reinterpret_cast<const BlockQ8_K*>(a + t * as)[sb].qs + 16 * sub;
          const __m256i s0 = _mm256_add_epi16(_mm256_maddubs_epi16(wv[0], bc(q)), _mm256_maddubs_epi16(wv[1], bc(q + 4)));
          const __m256i s1 =
              _mm256_add_epi16(_mm256_maddubs_epi16(wv[2], bc(q + 8)), _mm256_maddubs_epi16(wv[3], bc(q + 12)));
          is[t] = _mm256_add_epi32(is[t], _mm256_add_epi32(_mm256_madd_epi16(s0, sc), _mm256_madd_epi16(s1, sc)));
        }
      }
    }
    // offset: scale pairs (sub-blocks 2p, 2p+1) of each row against the
    // token's block-sum pairs
    __m256i sp[8];
#pragma GCC unroll 8
    for (int p = 0; p < 8; ++p) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(o + kQ6Scales + 16 * p));
      sp[p] = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(v, _mm_srli_si128(v, 8)));
    }
    const __m256 dw = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(o + kQ6D)));
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) {
      const KAct& k = ai[t * nsb_ai + sb];
      __m256i cs = _mm256_madd_epi16(sp[0], _mm256_set1_epi32(k.c[0]));
#pragma GCC unroll 8
      for (int p = 1; p < 8; ++p) cs = _mm256_add_epi32(cs, _mm256_madd_epi16(sp[p], _mm256_set1_epi32(k.c[p])));
      const __m256i tot = _mm256_sub_epi32(is[t], _mm256_slli_epi32(cs, 5));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(tot), _mm256_mul_ps(dw, _mm256_set1_ps(k.d)), acc[t]);
    }
  }
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) store_rows8(y + t * ldy, acc[t], n_rows);
}

enum class KType { Q4, Q5, Q6 };

template <KType K>
constexpr size_t k_bytes() {
  return K == KType::Q6 ? kQ6K : K == KType::Q5 ? kQ5K : kQ4K;
}

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
  const size_t group_bytes = static_cast<size_t>(nsb) * k_bytes<K>();
  for_token_blocks<kG>(n_rows, n_tok, [&]<int T>(int64_t g0, int64_t nr, int64_t t) {
    const uint8_t* pw = packed + ((r0 + g0) / kG) * group_bytes;
    tile<K, T>(pw, nsb, a + t * as, as, ai + t * nsb, nsb, y + g0 + t * ldy, ldy, nr, t == 0);
  });
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
size_t pp_q45_k(int64_t n, const uint8_t* a, size_t as, int64_t nt, void* out) {
  return prep_k<false>(n, a, as, nt, out);
}
size_t pp_q6_k(int64_t n, const uint8_t* a, size_t as, int64_t nt, void* out) { return prep_k<true>(n, a, as, nt, out); }

}  // namespace

void fill_avx2_packed_k(KernelSet& k) {
  packed_k::fill_packing(k, kG);  // pack[] and Q6_K's packed_row
  const int q4 = static_cast<int>(TensorType::Q4_K), q5 = static_cast<int>(TensorType::Q5_K),
            q6 = static_cast<int>(TensorType::Q6_K);
  k.packed_gemm[q4] = pg_q4_k;
  k.packed_prep[q4] = pp_q45_k;
  k.packed_gemm[q5] = pg_q5_k;
  k.packed_prep[q5] = pp_q45_k;  // same activation sums and mins as Q4_K
  k.packed_gemm[q6] = pg_q6_k;
  k.packed_prep[q6] = pp_q6_k;
}

}  // namespace pocketops::kernels::x86
#endif
