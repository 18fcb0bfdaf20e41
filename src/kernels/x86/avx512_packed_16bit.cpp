// AVX-512 kernels over 16-bit float weights repacked at load into 16-row
// groups. F16: the 64 bytes of pair p hold column 2p of the 16 rows, then
// column 2p+1, converted with vcvtph2ps. BF16: one zmm holds elements
// (2p, 2p+1) of 16 rows; widened with a shift / mask. Both then take two
// FMAs per token with the activations as floats; one weight load serves up
// to 8 tokens (prefill, speculative verification). CPUs with AVX512-BF16 get
// a vdpbf16ps tile for BF16 instead (avx512bf16_packed.cpp, same layout).
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/packed_16bit_layout.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

#include "kernels/x86/token_tiles.inc"
#include "kernels/x86/tile16.inc"

using gguf::TensorType;

// Layout: rows in groups of 16 (the last padded with zero rows); per group,
// cols/2 zmm vectors; BF16 vector p, dword r = (w[r][2p], w[r][2p+1]);
// F16 vector p, half r = w[r][2p], half 16 + r = w[r][2p+1].
constexpr int kG = 16;
constexpr int64_t kColAlign = 8;  // cols multiple of 8: 4 pairs per unrolled step

// out vector k (k = 0..15), dword r = dword k of the 64 bytes at src[r] + off.
// Reading whole lines matters: rows 4 KiB apart map to one L1 set, and the
// 4-byte-per-row copy thrashed it (BF16 load 5.4 s -> see docs/kernels.md).
// Stores are non-temporal when out is 64-aligned (the packed buffer is): the
// copy was bound by read-for-ownership misses on the fresh destination.
// kSplit (F16): halves (c0 r0, c1 r0, c0 r1, ...) -> (c0 r0..r15, c1 r0..r15).
template <bool kStream, bool kSplit>
inline void put(uint8_t* p, __m512i v) {
  if constexpr (kSplit) {
    const __m512i idx = _mm512_set_epi16(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1,  //
                                         30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    v = _mm512_permutexvar_epi16(idx, v);
  }
  if constexpr (kStream) _mm512_stream_si512(reinterpret_cast<__m512i*>(p), v);
  else _mm512_storeu_si512(p, v);
}

template <bool kStream, bool kSplit>
inline void transpose16(const uint8_t* const* src, int64_t off, uint8_t* out) {
  __m512i r[16], t[16], u[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(src[i] + off) + 1024, _MM_HINT_T1);  // 16 streams: help the prefetcher
    r[i] = _mm512_loadu_si512(src[i] + off);
  }
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {  // per 128-bit lane: (r2i, r2i+1) interleaved
    t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {  // u[4i + c], lane L: rows 4i..4i+3 of column 4L + c
    u[4 * i + 0] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    u[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {  // column 4L + c = lane L of u[c], u[4 + c], u[8 + c], u[12 + c]
    const __m512i a = _mm512_shuffle_i32x4(u[c], u[4 + c], _MM_SHUFFLE(2, 0, 2, 0));
    const __m512i b = _mm512_shuffle_i32x4(u[c], u[4 + c], _MM_SHUFFLE(3, 1, 3, 1));
    const __m512i a2 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], _MM_SHUFFLE(2, 0, 2, 0));
    const __m512i b2 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], _MM_SHUFFLE(3, 1, 3, 1));
    put<kStream, kSplit>(out + (0 + c) * 64, _mm512_shuffle_i32x4(a, a2, _MM_SHUFFLE(2, 0, 2, 0)));
    put<kStream, kSplit>(out + (4 + c) * 64, _mm512_shuffle_i32x4(b, b2, _MM_SHUFFLE(2, 0, 2, 0)));
    put<kStream, kSplit>(out + (8 + c) * 64, _mm512_shuffle_i32x4(a, a2, _MM_SHUFFLE(3, 1, 3, 1)));
    put<kStream, kSplit>(out + (12 + c) * 64, _mm512_shuffle_i32x4(b, b2, _MM_SHUFFLE(3, 1, 3, 1)));
  }
}

template <bool kSplit>
size_t pack_16bit(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  if (cols % kColAlign != 0 || rows <= 0) return 0;
  const int64_t ng = (rows + kG - 1) / kG, np = cols / 2;
  const size_t group_bytes = static_cast<size_t>(np) * 64;
  if (!dst) return static_cast<size_t>(ng) * group_bytes;
  for (int64_t g = 0; g < ng; ++g) {
    uint8_t* o = dst + static_cast<size_t>(g) * group_bytes;
    const uint8_t* src[kG];
    for (int r = 0; r < kG; ++r) src[r] = g * kG + r < rows ? w + (g * kG + r) * ws : nullptr;
    int64_t p = 0;
    if (g * kG + kG <= rows) {  // full group: 16x16 dword transposes (one 64-byte load per row)
      if ((reinterpret_cast<uintptr_t>(o) & 63) == 0)
        for (; p + 16 <= np; p += 16) transpose16<true, kSplit>(src, 4 * p, o + p * 64);
      else
        for (; p + 16 <= np; p += 16) transpose16<false, kSplit>(src, 4 * p, o + p * 64);
    }
    // rest in output order (sequential writes; 16 sequential read streams)
    for (; p < np; ++p)
      for (int r = 0; r < kG; ++r) {
        uint16_t v[2] = {0, 0};
        if (src[r]) std::memcpy(v, src[r] + 4 * p, 4);
        if (kSplit) {
          std::memcpy(o + p * 64 + 2 * r, &v[0], 2);
          std::memcpy(o + p * 64 + 32 + 2 * r, &v[1], 2);
        } else {
          std::memcpy(o + p * 64 + 4 * r, v, 4);
        }
      }
  }
  _mm_sfence();  // order the streaming stores before the buffer is published
  return static_cast<size_t>(ng) * group_bytes;
}

size_t pack_bf16(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_16bit<false>(rows, cols, w, ws, dst);
}
size_t pack_f16(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_16bit<true>(rows, cols, w, ws, dst);
}

// One column pair of 16 rows, widened to floats (F16: vcvtph2ps of the two
// halves; BF16: the top half of each dword / the dword shifted up), times T
// tokens' float activations (prep_f16_rows / prep_bf16_rows) with one FMA per column and token.
template <bool kF16>
struct FmaStep {
  template <int T>
  static inline void step(__m512* acc, const uint8_t* v, const uint8_t* a, size_t as, int64_t pair) {
    __m512 w0, w1;  // columns 2 pair and 2 pair + 1 of the 16 rows
    if constexpr (kF16) {
      w0 = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(v)));
      w1 = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(v + 32)));
    } else {  // bf16 pair (even, odd) per dword
      const __m512i d = _mm512_load_si512(v);
      w0 = _mm512_castsi512_ps(_mm512_slli_epi32(d, 16));
      w1 = _mm512_castsi512_ps(_mm512_and_si512(d, _mm512_set1_epi32(static_cast<int>(0xFFFF0000u))));
    }
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) {
      const float* xt = reinterpret_cast<const float*>(a + t * as) + 2 * pair;
      acc[t] = _mm512_fmadd_ps(w0, _mm512_set1_ps(xt[0]), acc[t]);
      acc[t] = _mm512_fmadd_ps(w1, _mm512_set1_ps(xt[1]), acc[t]);
    }
  }
};

template <bool kF16>
void pg_16bit(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t*, size_t, const void* prep,
              int64_t n_tok, float* y, int64_t ldy) {
  gemm16<FmaStep<kF16>>(n, packed, r0, n_rows, static_cast<const uint8_t*>(prep), static_cast<size_t>(n) * sizeof(float),
                        n_tok, y, ldy);
}

}  // namespace

void fill_avx512_packed_16bit(KernelSet& k) {
  const int h = static_cast<int>(TensorType::F16);
  k.pack[h] = pack_f16;
  k.packed_gemm[h] = pg_16bit<true>;
  k.packed_prep[h] = prep_f16_rows;
  const int b = static_cast<int>(TensorType::BF16);
  k.pack[b] = pack_bf16;
  k.packed_gemm[b] = pg_16bit<false>;
  k.packed_prep[b] = prep_bf16_rows;
  packed_16bit::fill_rows(k, kG);
}

}  // namespace pocketops::kernels::x86
#endif
