// AVX-512 VNNI kernels over weights repacked at load into 16-row interleaved
// blocks (Q4_0, Q8_0): one zmm holds 4 consecutive k-values of 16 rows, so
// decode streams memory linearly and prefill reads panels without transposes.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/quant_blocks.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

#include "kernels/x86/dword_transpose.inc"
#include "kernels/x86/prefetch.inc"
#include "kernels/x86/token_tiles.inc"

using gguf::TensorType;

// Packed layout (see docs/kernels.md "Packed weights"): rows in groups of 16
// (the last group padded with zero-scale rows); per group, per pair of
// 32-element blocks (2p, 2p+1): kZ zmm vectors of block 2p, kZ of block 2p+1,
// then 16 fp16 row scales of each (64 bytes), so every vector is 64-aligned.
//   Q4_0 (kZ = 4): zmm j, dword r = qs[4j..4j+3] of row r: low nibbles pair
//                  with activations 4j..4j+3, high nibbles with 16+4j..16+4j+3.
//   Q8_0 (kZ = 8): zmm j, dword r = (qs[4j..4j+3] of row r) ^ 0x80 (unsigned).
constexpr int kGroupRows = kB32GroupRows;
// Software prefetch distance in block pairs: Q8_0 single-token decode
// measured best at 4; multi-token tiles (verification) at 8 (more compute
// per line). Q4_0 decode (tile_q4_few) does not prefetch at all (see there).
template <int T>
constexpr int prefetch_pairs() {
  return T == 1 ? 4 : 8;
}

// Q4_0 decode (tile_q4_few) prefetches the weight stream on Intel only (set
// per vendor by fill_avx512_packed): each pair's 9 lines kL1Pairs ahead into
// L1 and kL2Pairs ahead into L2, spread over the pair's two blocks (5 + 4
// lines), as the K-quant tiles do. On an Emerald Rapids Xeon VM single-token
// Q4_0 ran at ~60% of the bandwidth the K-quants reach with no prefetch
// (8192x2048 stream: 510-560 us -> 315-366 us with all lines 16 pairs ahead
// into L2 at once); L1 + L2 spread took it from there to the K-quants' rate
// (stream means, 10 alternating rounds: 450 -> 395 us; 1.2B Q4_0 decode
// 27-32 -> 33-36 tok/s, 79-93% -> 94-101% of the probe). On Zen 4 no
// software prefetch at all measured fastest. Q8_0 decode (tile, T = 1)
// adds the same L2 prefetch, kL2Pairs ahead, to its L1 one on Intel
// (8192x2048 stream: median 800 -> 711 us; 1.2B Q8_0 decode 15-18 ->
// 19-21 tok/s, alternating); not measured on Zen 4, so not used there.
bool g_prefetch = false;
constexpr int kL1Pairs = 6, kL2Pairs = 16;

// Half h (lines 0-4 or 5-8) of the pair kL1Pairs / kL2Pairs ahead of `pair`
// (always inlined: see prefetch_lines).
template <int kZ>
[[gnu::always_inline]] inline void prefetch_half(const uint8_t* pair, int h) {
  const uint8_t* p = pair + h * 320;
  prefetch_lines(p + kL1Pairs * kB32PairBytes<kZ>, h ? 4 : 5);
  prefetch_lines<true>(p + kL2Pairs * kB32PairBytes<kZ>, h ? 4 : 5);
}

inline uint32_t ld32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Block b of the 16 full rows at w (row stride ws) into its kZ vectors and
// 16 scales (dword_transpose16 per 16 bytes of qs). Twice the speed of the
// 4-byte copies below (8192 x 2048 from cache, Xeon: Q4_0 6 -> 9-13 GB/s,
// Q8_0 5 -> 10-11); a 1.2B Q4_0 file packs ~560 MB of Q4_0 at load (warm
// load 0.37 -> 0.33 s, with pack_q6_k's word-wise arithmetic).
template <int kZ>
inline void pack_block16(const uint8_t* w, size_t ws, uint8_t* out, uint16_t* d) {
  for (int h = 0; h < kZ / 4; ++h) {  // Q4_0: qs[0..15]; Q8_0: qs[0..15], qs[16..31]
    __m512i o[4];
    dword_transpose16(w + 2 + 16 * h, ws, o);
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      if (kZ == 8) o[j] = _mm512_xor_si512(o[j], _mm512_set1_epi8(static_cast<char>(0x80)));
      _mm512_storeu_si512(out + 64 * (4 * h + j), o[j]);
    }
  }
  for (int r = 0; r < kGroupRows; ++r) std::memcpy(d + r, w + r * ws, 2);
}

template <int kZ>
size_t pack_b32(int64_t rows, int64_t cols, const uint8_t* w, size_t w_stride, uint8_t* dst) {
  if (cols % (2 * QK) != 0 || rows <= 0) return 0;
  const int64_t nb = cols / QK, ng = (rows + kGroupRows - 1) / kGroupRows;
  const size_t total = static_cast<size_t>(ng * nb / 2) * kB32PairBytes<kZ>;
  if (!dst) return total;
  constexpr size_t src_block = kZ == 4 ? sizeof(BlockQ4_0) : sizeof(BlockQ8_0);
  for (int64_t g = 0; g < ng; ++g) {
    for (int64_t b = 0; b < nb; ++b) {
      uint8_t* pair = dst + static_cast<size_t>(g * nb / 2 + b / 2) * kB32PairBytes<kZ>;
      uint8_t* out = pair + (b & 1) * kZ * 64;
      uint16_t* d = reinterpret_cast<uint16_t*>(pair + 2 * kZ * 64 + (b & 1) * 32);
      if ((g + 1) * kGroupRows <= rows) {
        pack_block16<kZ>(w + g * kGroupRows * w_stride + b * src_block, w_stride, out, d);
        continue;
      }
      for (int r = 0; r < kGroupRows; ++r) {  // the last, partial group
        const int64_t row = g * kGroupRows + r;
        if (row >= rows) {
          for (int j = 0; j < kZ; ++j) std::memset(out + 64 * j + 4 * r, kZ == 4 ? 0x88 : 0x80, 4);
          d[r] = 0;
          continue;
        }
        const uint8_t* blk = w + row * w_stride + b * src_block;
        uint16_t dh;
        std::memcpy(&dh, blk, 2);
        d[r] = dh;
        const uint8_t* qs = blk + 2;
        for (int j = 0; j < kZ; ++j) {
          uint32_t v = ld32(qs + 4 * j);
          if (kZ == 8) v ^= 0x80808080u;
          std::memcpy(out + 64 * j + 4 * r, &v, 4);
        }
      }
    }
  }
  return total;
}

size_t pack_q4_0(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_b32<4>(rows, cols, w, ws, dst);
}
size_t pack_q8_0(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_b32<8>(rows, cols, w, ws, dst);
}

using ActInfo = PackedB32Act;

inline int hsum8(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

inline __m512i bcast(const int8_t* p) { return _mm512_set1_epi32(static_cast<int>(ld32(p))); }

// T tokens x 16 rows of one group over all nb blocks.
template <int kZ, int T>
inline void tile(const uint8_t* pw, int64_t nb, const uint8_t* a, size_t a_stride, const ActInfo* ai, int64_t nb_ai,
                 float* y, int64_t ldy, int64_t n_rows, bool stream) {
  __m512 acc[T];
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  const __m512i m4 = _mm512_set1_epi8(0x0F);
  const bool l2 = T == 1 && stream && g_prefetch;  // Q8_0 decode on Intel (see g_prefetch)
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* pair = pw + (b >> 1) * kB32PairBytes<kZ>;
    const uint8_t* wp = pair + (b & 1) * kZ * 64;
    if (stream) {
      // First pass over this group: software prefetch prefetch_pairs<T>() ahead,
      // spread evenly (one block's lines per block; a burst of a whole pair
      // measured slower), later token tiles hit the cache.
      const char* pf = reinterpret_cast<const char*>(wp) + prefetch_pairs<T>() * kB32PairBytes<kZ>;
#pragma GCC unroll 8
      for (int o = 0; o < kZ; ++o) _mm_prefetch(pf + 64 * o, _MM_HINT_T0);
      if (b & 1) _mm_prefetch(reinterpret_cast<const char*>(pair) + prefetch_pairs<T>() * kB32PairBytes<kZ> + 2 * kZ * 64, _MM_HINT_T0);
      if (l2) {
        const char* p2 = reinterpret_cast<const char*>(wp) + kL2Pairs * kB32PairBytes<kZ>;
#pragma GCC unroll 8
        for (int o = 0; o < kZ; ++o) _mm_prefetch(p2 + 64 * o, _MM_HINT_T1);
        if (b & 1) _mm_prefetch(reinterpret_cast<const char*>(pair) + kL2Pairs * kB32PairBytes<kZ> + 2 * kZ * 64, _MM_HINT_T1);
      }
    }
    __m512i wv[8];
    if (kZ == 4) {
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        const __m512i v = _mm512_load_si512(wp + 64 * j);
        wv[j] = _mm512_and_si512(v, m4);
        wv[j + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
      }
    } else {
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) wv[j] = _mm512_load_si512(wp + 64 * j);
    }
    const __m512 dw =
        _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(pair + 2 * kZ * 64 + (b & 1) * 32)));
    // wv[k] pairs with activations 4k..4k+3 (Q4_0: k >= 4 are the high
    // nibbles of zmm k-4, i.e. elements 16 + 4(k-4))
    if (T >= 4) {
      // tokens give the ILP: one chain per token (seeded with the offset
      // correction), interleaved so neighbouring dpbusd are independent
      __m512i s[T];
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) s[t] = _mm512_set1_epi32(ai[t * nb_ai + b].corr);
#pragma GCC unroll 8
      for (int k = 0; k < 8; ++k)
#pragma GCC unroll 8
        for (int t = 0; t < T; ++t)
          s[t] = _mm512_dpbusd_epi32(s[t], wv[k], bcast(reinterpret_cast<const BlockQ8_0*>(a + t * a_stride)[b].qs + 4 * k));
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t)
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[t]), _mm512_mul_ps(dw, _mm512_set1_ps(ai[t * nb_ai + b].d)), acc[t]);
    } else {
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        const int8_t* q = reinterpret_cast<const BlockQ8_0*>(a + t * a_stride)[b].qs;
        const ActInfo& in = ai[t * nb_ai + b];
        __m512i s0 = _mm512_dpbusd_epi32(_mm512_set1_epi32(in.corr), wv[0], bcast(q));
        __m512i s1 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wv[1], bcast(q + 4));
#pragma GCC unroll 8
        for (int k = 2; k < 8; k += 2) {
          s0 = _mm512_dpbusd_epi32(s0, wv[k], bcast(q + 4 * k));
          s1 = _mm512_dpbusd_epi32(s1, wv[k + 1], bcast(q + 4 * k + 4));
        }
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)), _mm512_mul_ps(dw, _mm512_set1_ps(in.d)),
                                 acc[t]);
      }
    }
  }
  const __mmask16 m = n_rows >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n_rows) - 1);
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) _mm512_mask_storeu_ps(y + t * ldy, m, acc[t]);
}

// T tokens x 32 rows (two groups, the second at pw + gb) over all nb blocks:
// each activation broadcast feeds two dot products. On Zen 4 a register
// broadcast from memory costs about as much issue bandwidth as a vpdpbusd,
// so the 16-row tile tops out near 64% of the VNNI peak; two groups per
// broadcast measured ~1.5 dpbusd/cycle against ~1.3. Weights are expanded
// per k-step (not held for the whole block) to stay within 32 registers.
template <int kZ, int T>
inline void tile2(const uint8_t* pw, size_t gb, int64_t nb, const uint8_t* a, size_t a_stride, const ActInfo* ai,
                  int64_t nb_ai, float* y, int64_t ldy, int64_t n_rows, bool stream) {
  __m512 acc[T][2];
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) acc[t][0] = acc[t][1] = _mm512_setzero_ps();
  const __m512i m4 = _mm512_set1_epi8(0x0F);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* pair = pw + (b >> 1) * kB32PairBytes<kZ>;
    const uint8_t* wp = pair + (b & 1) * kZ * 64;
    if (stream) {
      const char* pf = reinterpret_cast<const char*>(wp) + prefetch_pairs<T>() * kB32PairBytes<kZ>;
#pragma GCC unroll 8
      for (int o = 0; o < kZ; ++o) {
        _mm_prefetch(pf + 64 * o, _MM_HINT_T0);
        _mm_prefetch(pf + gb + 64 * o, _MM_HINT_T0);
      }
      if (b & 1) {
        const char* ps = reinterpret_cast<const char*>(pair) + prefetch_pairs<T>() * kB32PairBytes<kZ> + 2 * kZ * 64;
        _mm_prefetch(ps, _MM_HINT_T0);
        _mm_prefetch(ps + gb, _MM_HINT_T0);
      }
    }
    __m512i s[T][2];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) s[t][0] = s[t][1] = _mm512_set1_epi32(ai[t * nb_ai + b].corr);
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) {
      __m512i w0, w1;
      if (kZ == 4) {  // k >= 4: high nibbles of zmm k-4
        const __m512i v0 = _mm512_load_si512(wp + 64 * (k & 3)), v1 = _mm512_load_si512(wp + gb + 64 * (k & 3));
        w0 = _mm512_and_si512(k < 4 ? v0 : _mm512_srli_epi16(v0, 4), m4);
        w1 = _mm512_and_si512(k < 4 ? v1 : _mm512_srli_epi16(v1, 4), m4);
      } else {
        w0 = _mm512_load_si512(wp + 64 * k);
        w1 = _mm512_load_si512(wp + gb + 64 * k);
      }
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        const __m512i q = bcast(reinterpret_cast<const BlockQ8_0*>(a + t * a_stride)[b].qs + 4 * k);
        s[t][0] = _mm512_dpbusd_epi32(s[t][0], w0, q);
        s[t][1] = _mm512_dpbusd_epi32(s[t][1], w1, q);
      }
    }
    const size_t so = 2 * kZ * 64 + (b & 1) * 32;
    const __m512 dw0 = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(pair + so)));
    const __m512 dw1 = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(pair + gb + so)));
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) {
      const __m512 da = _mm512_set1_ps(ai[t * nb_ai + b].d);
      acc[t][0] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[t][0]), _mm512_mul_ps(dw0, da), acc[t][0]);
      acc[t][1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[t][1]), _mm512_mul_ps(dw1, da), acc[t][1]);
    }
  }
  const __mmask16 m = n_rows >= 32 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n_rows - 16)) - 1);
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) {
    _mm512_storeu_ps(y + t * ldy, acc[t][0]);
    _mm512_mask_storeu_ps(y + t * ldy + 16, m, acc[t][1]);
  }
}

// T (1 or 2) tokens x 16 rows of a Q4_0 group, one pair of blocks per
// iteration: decode and 2-token verification. High nibbles stay in place
// (v & 0xF0 = 16 q_hi), so instead of shifting four vectors the low-nibble
// sum is shifted once: 16 s_lo + s_hi = 16 dot; the 1/16 goes into the
// activation scale. Each token's arithmetic is the single-token one, so a
// 2-token batch gives each token its decode result bit for bit. Verify 2
// (1.2B Q4_0): 1.24-1.29x a decode step with the generic tile, 1.15-1.16x
// with this one; for 3 and 4 tokens the generic tile measured better
// (1.24-1.29 against 1.30-1.34; 1.30-1.35 against 1.51-1.57).
// On Zen 4 no software prefetch (kPf false): with the packed weights on
// 2 MiB pages the hardware prefetchers keep up, and the prefetch 4 pairs
// ahead that this loop used to issue cost time (1.2B Q4_0 decode,
// alternating processes: 7 of 7 pairs faster without it, 3-10%; 8 pairs
// ahead measured the same as none). On Intel they do not (g_prefetch). Q8_0
// decode still gains from its prefetch (89-101% of the probe with, 83-87%
// without), the K-quants even more.
template <int T, bool kPf>
inline void tile_q4_few(const uint8_t* pw, int64_t nb, const uint8_t* a, size_t a_stride, const ActInfo* ai,
                        int64_t nb_ai, float* y, int64_t ldy, int64_t n_rows) {
  constexpr size_t kPair = kB32PairBytes<4>;
  const __m512i m_lo = _mm512_set1_epi8(0x0F), m_hi = _mm512_set1_epi8(static_cast<char>(0xF0));
  __m512 acc[T];
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
  for (int64_t p = 0; p < nb / 2; ++p) {
    const uint8_t* pair = pw + p * kPair;
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      if constexpr (kPf) prefetch_half<4>(pair, h);
      const uint8_t* wp = pair + h * 256;
      const int64_t b = 2 * p + h;
      const __m512i v0 = _mm512_load_si512(wp), v1 = _mm512_load_si512(wp + 64);
      const __m512i v2 = _mm512_load_si512(wp + 128), v3 = _mm512_load_si512(wp + 192);
      const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(pair + 512 + h * 32)));
#pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const int8_t* q = reinterpret_cast<const BlockQ8_0*>(a + t * a_stride)[b].qs;
        const ActInfo& in = ai[t * nb_ai + b];
        __m512i s0 = _mm512_dpbusd_epi32(_mm512_set1_epi32(in.corr), _mm512_and_si512(v0, m_lo), bcast(q));
        __m512i s1 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(v0, m_hi), bcast(q + 16));
        s0 = _mm512_dpbusd_epi32(s0, _mm512_and_si512(v1, m_lo), bcast(q + 4));
        s1 = _mm512_dpbusd_epi32(s1, _mm512_and_si512(v1, m_hi), bcast(q + 20));
        s0 = _mm512_dpbusd_epi32(s0, _mm512_and_si512(v2, m_lo), bcast(q + 8));
        s1 = _mm512_dpbusd_epi32(s1, _mm512_and_si512(v2, m_hi), bcast(q + 24));
        s0 = _mm512_dpbusd_epi32(s0, _mm512_and_si512(v3, m_lo), bcast(q + 12));
        s1 = _mm512_dpbusd_epi32(s1, _mm512_and_si512(v3, m_hi), bcast(q + 28));
        const __m512i sum = _mm512_add_epi32(_mm512_slli_epi32(s0, 4), s1);
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_mul_ps(dw, _mm512_set1_ps(in.d * 0.0625f)), acc[t]);
      }
    }
  }
  const __mmask16 m = n_rows >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n_rows) - 1);
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) _mm512_mask_storeu_ps(y + t * ldy, m, acc[t]);
}

// Activation side data for packed_gemm: per token and block, d and
// -offset * sum(qs). Returns the bytes needed when out is null.
template <int kOffset>
size_t packed_prep(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, void* out) {
  const int64_t nb = n / QK;
  if (!out) return static_cast<size_t>(nb * n_tok) * sizeof(ActInfo);
  ActInfo* ai = static_cast<ActInfo*>(out);
  const __m512i ones = _mm512_set1_epi8(1);
  for (int64_t t = 0; t < n_tok; ++t) {
    const BlockQ8_0* blk = reinterpret_cast<const BlockQ8_0*>(a + t * a_stride);
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
      const __m512i v = _mm512_inserti64x4(
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[b].qs))),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[b + 1].qs)), 1);
      const __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ones, v);
      ai[t * nb + b] = ActInfo{_cvtsh_ss(blk[b].d), -kOffset * hsum8(_mm512_castsi512_si256(s))};
      ai[t * nb + b + 1] = ActInfo{_cvtsh_ss(blk[b + 1].d), -kOffset * hsum8(_mm512_extracti64x4_epi64(s, 1))};
    }
    for (; b < nb; ++b) {
      const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(1),
                                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[b].qs)));
      ai[t * nb + b] = ActInfo{_cvtsh_ss(blk[b].d), -kOffset * hsum8(s)};
    }
  }
  return 0;
}

template <int kZ>
void packed_gemm(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t a_stride,
                 const void* prep, int64_t n_tok, float* y, int64_t ldy) {
  const int64_t nb = n / QK;
  const ActInfo* ai = static_cast<const ActInfo*>(prep);
  const size_t group_bytes = static_cast<size_t>(nb / 2) * kB32PairBytes<kZ>;
  for (int64_t g0 = 0; g0 < n_rows; g0 += kGroupRows) {
    const uint8_t* pw = packed + ((r0 + g0) / kGroupRows) * group_bytes;
    const int64_t nr = n_rows - g0 < kGroupRows ? n_rows - g0 : kGroupRows;
    float* yg = y + g0;
    if (kZ == 4 && n_tok <= 2) {  // decode and 2-token verification (see tile_q4_few)
      if (g_prefetch) {
        if (n_tok == 2) tile_q4_few<2, true>(pw, nb, a, a_stride, ai, nb, yg, ldy, nr);
        else tile_q4_few<1, true>(pw, nb, a, a_stride, ai, nb, yg, ldy, nr);
      } else {
        if (n_tok == 2) tile_q4_few<2, false>(pw, nb, a, a_stride, ai, nb, yg, ldy, nr);
        else tile_q4_few<1, false>(pw, nb, a, a_stride, ai, nb, yg, ldy, nr);
      }
      continue;
    }
    if (n_tok > 8 && n_rows - g0 > kGroupRows) {
      // Prefill: two groups per pass, tiles of 4 tokens, the 1-3 token tail
      // per group. Not for verification batches (<= 8 tokens): their single
      // pass of 8 tokens over 16 rows overlaps the weight stream with compute
      // better (two groups x 4 tokens measured 22% slower for 8 tokens, 5%
      // faster for 64).
      const int64_t nr2 = n_rows - g0 < 2 * kGroupRows ? n_rows - g0 : 2 * kGroupRows;
      const int64_t n4 = n_tok / 4 * 4;
      for_token_tiles<4>(0, n4, [&]<int T>(int64_t t) {
        tile2<kZ, T>(pw, group_bytes, nb, a + t * a_stride, a_stride, ai + t * nb, nb, yg + t * ldy, ldy, nr2, t == 0);
      });
      for (int64_t h = 0; h < 2; ++h)
        for_token_tiles<4>(n4, n_tok, [&]<int T>(int64_t t) {
          tile<kZ, T>(pw + h * group_bytes, nb, a + t * a_stride, a_stride, ai + t * nb, nb, yg + h * kGroupRows + t * ldy,
                      ldy, h ? nr2 - kGroupRows : kGroupRows, false);
        });
      g0 += kGroupRows;  // the loop adds the other
      continue;
    }
    for_token_tiles(n_tok, [&]<int T>(int64_t t) {
      tile<kZ, T>(pw, nb, a + t * a_stride, a_stride, ai + t * nb, nb, yg + t * ldy, ldy, nr, t == 0);
    });
  }
}

void pg_q4_0(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<4>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
void pg_q8_0(int64_t n, const uint8_t* p, int64_t r0, int64_t nr, const uint8_t* a, size_t as, const void* prep,
             int64_t nt, float* y, int64_t ldy) {
  packed_gemm<8>(n, p, r0, nr, a, as, prep, nt, y, ldy);
}
size_t pp_q4_0(int64_t n, const uint8_t* a, size_t as, int64_t nt, void* out) { return packed_prep<8>(n, a, as, nt, out); }
size_t pp_q8_0(int64_t n, const uint8_t* a, size_t as, int64_t nt, void* out) {
  return packed_prep<128>(n, a, as, nt, out);
}

}  // namespace

void fill_avx512_packed(KernelSet& k) {
  const int q4 = static_cast<int>(TensorType::Q4_0), q8 = static_cast<int>(TensorType::Q8_0);
  g_prefetch = intel_cpu();
  k.pack_rows = kGroupRows;
  k.pack[q4] = pack_q4_0;
  k.packed_gemm[q4] = pg_q4_0;
  k.packed_prep[q4] = pp_q4_0;
  k.pack[q8] = pack_q8_0;
  k.packed_gemm[q8] = pg_q8_0;
  k.packed_prep[q8] = pp_q8_0;
}

}  // namespace pocketops::kernels::x86
#endif
