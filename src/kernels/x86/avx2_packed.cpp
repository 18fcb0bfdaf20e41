// AVX2 kernels over Q4_0 and Q8_0 weights repacked at load into 8-row
// interleaved blocks (the avx2 set: CPUs without AVX-512, e.g. Zen 2/3): one
// ymm holds 4 consecutive k-values of 8 rows, so decode streams memory
// linearly and one weight load serves up to 4 tokens; integer dots with
// maddubs + madd.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/quant_blocks.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

#include "kernels/x86/token_tiles.inc"

using gguf::TensorType;

// Layout: rows in groups of 8 (the last padded with zero-scale rows); per
// group, per pair of 32-element blocks (2p, 2p+1): kY ymm of block 2p, kY
// ymm of block 2p+1, then 8 fp16 row scales of each block (32 bytes). Every
// ymm is 32-byte aligned.
//   Q4_0 (kY = 4): ymm j, dword r = qs[4j..4j+3] of row r: low nibbles pair
//                  with activations 4j..4j+3, high nibbles with 16+4j..16+4j+3.
//   Q8_0 (kY = 8): ymm j, dword r = qs[4j..4j+3] of row r (signed).
constexpr int kRows = 8;
template <int kY>
inline constexpr size_t kPairBytes = 2 * kY * 32 + 32;
// Software prefetch distance (into L1) in block pairs, ~4.6 KB ahead: 1.2B
// Q4_0 decode, 2 threads, POCKETOPS_KERNELS=avx2 on Zen 4, three alternating
// rounds: 50-56 tok/s at 4 pairs, 53-60 at 12, 55-64 at 16, lower again at
// 24-32; an extra L2 prefetch further ahead measured no gain.
constexpr int kPrefetchPairs = 16;
// Q8_0: the whole pair 8 pairs ahead into L2, at its first block (Xeon,
// 8192 x 2048 single token: 627-657 us; into L1: 718-771; one block's
// lines per block as for Q4_0: 930-1140).
constexpr int kPrefetchPairsQ8 = 8;

template <int kY>
size_t pack_b32(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  if (cols % (2 * QK) != 0 || rows <= 0) return 0;
  constexpr size_t kPair = kPairBytes<kY>, kSrc = kY == 4 ? sizeof(BlockQ4_0) : sizeof(BlockQ8_0);
  const int64_t nb = cols / QK, ng = (rows + kRows - 1) / kRows;
  const size_t total = static_cast<size_t>(ng * nb / 2) * kPair;
  if (!dst) return total;
  for (int64_t g = 0; g < ng; ++g)
    for (int64_t b = 0; b < nb; ++b) {
      uint8_t* pair = dst + static_cast<size_t>(g * nb / 2 + b / 2) * kPair;
      uint8_t* out = pair + (b & 1) * kY * 32;
      uint8_t* d = pair + 2 * kY * 32 + (b & 1) * 16;
      for (int r = 0; r < kRows; ++r) {
        const int64_t row = g * kRows + r;
        if (row >= rows) {  // zero scale: contributes 0
          for (int j = 0; j < kY; ++j) std::memset(out + 32 * j + 4 * r, kY == 4 ? 0x88 : 0, 4);
          std::memset(d + 2 * r, 0, 2);
          continue;
        }
        const uint8_t* blk = w + row * ws + b * kSrc;
        std::memcpy(d + 2 * r, blk, 2);
        for (int j = 0; j < kY; ++j) std::memcpy(out + 32 * j + 4 * r, blk + 2 + 4 * j, 4);
      }
    }
  return total;
}

// Per token and block: activation scale and the offset correction -8 * sum(qs).
struct ActInfo {
  float d;
  int32_t corr;
};

// (Q8_0: the weights are signed, corr = 0.)
template <int kY>
size_t prep_b32(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  const int64_t nb = n / QK;
  if (!out) return static_cast<size_t>(nb * n_tok) * sizeof(ActInfo);
  ActInfo* ai = static_cast<ActInfo*>(out);
  for (int64_t t = 0; t < n_tok; ++t) {
    const BlockQ8_0* blk = reinterpret_cast<const BlockQ8_0*>(a + t * as);
    for (int64_t b = 0; b < nb; ++b) {
      int s = 0;
      if constexpr (kY == 4)
        for (int i = 0; i < QK; ++i) s += blk[b].qs[i];
      ai[t * nb + b] = ActInfo{_cvtsh_ss(blk[b].d), -8 * s};
    }
  }
  return 0;
}

inline __m256i bcast(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Q4_0: T tokens x 8 rows of one group over all nb blocks. The eight maddubs of a
// block sum in int16 without saturating: |2 * 15 * 128| * 8 = 30720.
template <int T>
inline void tile(const uint8_t* pw, int64_t nb, const uint8_t* a, size_t as, const ActInfo* ai, int64_t nb_ai, float* y,
                 int64_t ldy, int64_t n_rows, bool stream) {
  __m256 acc[T];
  #pragma GCC unroll 8
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* pair = pw + (b >> 1) * kPairBytes<4>;
    const uint8_t* wp = pair + (b & 1) * 128;
    if (stream) {  // first pass over the group: prefetch ahead, one block's lines per block
      const char* pf = reinterpret_cast<const char*>(wp) + kPrefetchPairs * kPairBytes<4>;
      _mm_prefetch(pf, _MM_HINT_T0);
      _mm_prefetch(pf + 64, _MM_HINT_T0);
      if (b & 1) _mm_prefetch(reinterpret_cast<const char*>(pair) + kPrefetchPairs * kPairBytes<4> + 256, _MM_HINT_T0);
    }
    // one weight vector at a time (16 ymm registers): per token an int16 sum
    __m256i s[T];
    #pragma GCC unroll 8
    for (int t = 0; t < T; ++t) s[t] = _mm256_setzero_si256();
    #pragma GCC unroll 8
    for (int j = 0; j < 4; ++j) {
      const __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i*>(wp + 32 * j));
      const __m256i lo = _mm256_and_si256(v, m4);
      #pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        const int8_t* q = reinterpret_cast<const BlockQ8_0*>(a + t * as)[b].qs;
        s[t] = _mm256_add_epi16(s[t], _mm256_maddubs_epi16(lo, bcast(q + 4 * j)));
      }
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
      #pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        const int8_t* q = reinterpret_cast<const BlockQ8_0*>(a + t * as)[b].qs;
        s[t] = _mm256_add_epi16(s[t], _mm256_maddubs_epi16(hi, bcast(q + 16 + 4 * j)));
      }
    }
    const __m256 dw = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(pair + 256 + (b & 1) * 16)));
    #pragma GCC unroll 8
    for (int t = 0; t < T; ++t) {
      const ActInfo& in = ai[t * nb_ai + b];
      const __m256i s32 = _mm256_add_epi32(_mm256_madd_epi16(s[t], ones), _mm256_set1_epi32(in.corr));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s32), _mm256_mul_ps(dw, _mm256_set1_ps(in.d)), acc[t]);
    }
  }
  #pragma GCC unroll 8
  for (int t = 0; t < T; ++t) store_rows8(y + t * ldy, acc[t], n_rows);
}

// Q8_0: T tokens x 8 rows of one group over all nb blocks. Signed x signed
// through maddubs(|w|, sign(a, w)): a pair sum is at most 2 * 128 * 127
// (activations are never -128), which int16 holds; each ymm's pairs widen
// to int32 at once (two would not fit).
template <int T>
inline void tile_q8(const uint8_t* pw, int64_t nb, const uint8_t* a, size_t as, const ActInfo* ai, int64_t nb_ai,
                    float* y, int64_t ldy, int64_t n_rows, bool stream) {
  __m256 acc[T];
  #pragma GCC unroll 8
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* pair = pw + (b >> 1) * kPairBytes<8>;
    const uint8_t* wp = pair + (b & 1) * 256;
    if (stream && !(b & 1)) {
      const char* pf = reinterpret_cast<const char*>(pair) + kPrefetchPairsQ8 * kPairBytes<8>;
#pragma GCC unroll 9
      for (size_t o = 0; o < kPairBytes<8>; o += 64) _mm_prefetch(pf + o, _MM_HINT_T1);
    }
    __m256i s[T];
    #pragma GCC unroll 8
    for (int t = 0; t < T; ++t) s[t] = _mm256_setzero_si256();
    #pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      const __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i*>(wp + 32 * j));
      const __m256i u = _mm256_abs_epi8(v);
      #pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        const int8_t* q = reinterpret_cast<const BlockQ8_0*>(a + t * as)[b].qs;
        const __m256i p = _mm256_maddubs_epi16(u, _mm256_sign_epi8(bcast(q + 4 * j), v));
        s[t] = _mm256_add_epi32(s[t], _mm256_madd_epi16(p, ones));
      }
    }
    const __m256 dw = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(pair + 512 + (b & 1) * 16)));
    #pragma GCC unroll 8
    for (int t = 0; t < T; ++t)
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[t]), _mm256_mul_ps(dw, _mm256_set1_ps(ai[t * nb_ai + b].d)), acc[t]);
  }
  #pragma GCC unroll 8
  for (int t = 0; t < T; ++t) store_rows8(y + t * ldy, acc[t], n_rows);
}

template <int kY>
void pg_b32(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as,
            const void* prep, int64_t n_tok, float* y, int64_t ldy) {
  const int64_t nb = n / QK;
  const ActInfo* ai = static_cast<const ActInfo*>(prep);
  const size_t group_bytes = static_cast<size_t>(nb / 2) * kPairBytes<kY>;
  for_token_blocks<kRows>(n_rows, n_tok, [&]<int T>(int64_t g0, int64_t nr, int64_t t) {
    const uint8_t* pw = packed + ((r0 + g0) / kRows) * group_bytes;
    float* yt = y + g0 + t * ldy;
    if constexpr (kY == 4) tile<T>(pw, nb, a + t * as, as, ai + t * nb, nb, yt, ldy, nr, t == 0);
    else tile_q8<T>(pw, nb, a + t * as, as, ai + t * nb, nb, yt, ldy, nr, t == 0);
  });
}

}  // namespace

void fill_avx2_packed(KernelSet& k) {
  const int q4 = static_cast<int>(TensorType::Q4_0), q8 = static_cast<int>(TensorType::Q8_0);
  k.pack_rows = kRows;
  // Used by default again since round 8: the per-process slow decode seen
  // in round 5 (docs/kernels.md) did not come back in 41 processes since;
  // packed decode is 25-30% faster than the file layout. POCKETOPS_REPACK=0
  // turns packing off.
  k.pack[q4] = pack_b32<4>;
  k.packed_gemm[q4] = pg_b32<4>;
  k.packed_prep[q4] = prep_b32<4>;
  // Q8_0 has no row GEMM in this set (maddubs would saturate on its
  // unsigned form); packed, it gets tiles like Q4_0.
  k.pack[q8] = pack_b32<8>;
  k.packed_gemm[q8] = pg_b32<8>;
  k.packed_prep[q8] = prep_b32<8>;
}

}  // namespace pocketops::kernels::x86
#endif
