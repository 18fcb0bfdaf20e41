// AVX2 kernels over 16-bit float weights (F16, BF16) repacked at load into
// 8-row groups (the avx2 set: CPUs without AVX-512). BF16: ymm p holds the
// column pair (2p, 2p+1) of 8 rows, one dword per row, widened with a shift
// / mask; F16: ymm p holds column 2p of the 8 rows, then column 2p+1,
// converted with vcvtph2ps. Both take two FMAs per token with the
// activations as floats, and one weight load serves up to 4 tokens; decode
// streams the weights linearly instead of one row at a time.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/packed_16bit_layout.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

#include "kernels/x86/token_tiles.inc"

using gguf::TensorType;

constexpr int kG = 8;
constexpr int64_t kColAlign = 16;  // 8 column pairs per transposed step
// Prefetch distance in column pairs (32 bytes each) on the first pass over
// a group: 4 KB, the Q4_0 avx2 kernel's ~4.6 KB.
constexpr int64_t kPrefetchPairs = 128;

// An 8 x 8 dword transpose: r[i] holds dwords 0..7 of row i before, r[j]
// holds dword j of rows 0..7 after.
inline void transpose8(__m256i* r) {
  __m256i t[8], u[8];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 2
  for (int i = 0; i < 2; ++i) {
    u[4 * i + 0] = _mm256_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 1] = _mm256_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 2] = _mm256_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    u[4 * i + 3] = _mm256_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm256_permute2x128_si256(u[c], u[4 + c], 0x20);
    r[4 + c] = _mm256_permute2x128_si256(u[c], u[4 + c], 0x31);
  }
}

// F16: halves (c0 r0, c1 r0, c0 r1, ...) -> (c0 r0..r7, c1 r0..r7).
inline __m256i split_halves(__m256i v) {
  const __m256i idx = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,  //
                                       0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
  return _mm256_permute4x64_epi64(_mm256_shuffle_epi8(v, idx), _MM_SHUFFLE(3, 1, 2, 0));
}

// Layout: rows in groups of 8 (the last padded with zero rows); per group,
// cols/2 ymm. BF16 ymm p, dword r = (w[r][2p], w[r][2p+1]); F16 ymm p, half
// r = w[r][2p], half 8 + r = w[r][2p+1].
template <bool kSplit>
size_t pack_16bit(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  if (cols % kColAlign != 0 || rows <= 0) return 0;
  const int64_t ng = (rows + kG - 1) / kG, np = cols / 2;
  const size_t group_bytes = static_cast<size_t>(np) * 32;
  if (!dst) return static_cast<size_t>(ng) * group_bytes;
  const bool aligned = (reinterpret_cast<uintptr_t>(dst) & 31) == 0;
  for (int64_t g = 0; g < ng; ++g) {
    uint8_t* o = dst + static_cast<size_t>(g) * group_bytes;
    const uint8_t* src[kG];
    for (int r = 0; r < kG; ++r) src[r] = g * kG + r < rows ? w + (g * kG + r) * ws : nullptr;
    for (int64_t p = 0; p < np; p += 8) {  // 8 x 8 dword transposes: one 32-byte load per row
      __m256i v[8];
#pragma GCC unroll 8
      for (int r = 0; r < kG; ++r)
        v[r] = src[r] ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src[r] + 4 * p)) : _mm256_setzero_si256();
      transpose8(v);
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) {
        __m256i* out = reinterpret_cast<__m256i*>(o + (p + j) * 32);
        const __m256i x = kSplit ? split_halves(v[j]) : v[j];
        if (aligned) _mm256_stream_si256(out, x);  // no read-for-ownership of the fresh buffer
        else _mm256_storeu_si256(out, x);
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

// local (ISA safety rules in docs/kernels.md: no inline helpers from shared headers here)
inline float bf16_f32(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// T tokens x the 8 rows of one group over all np column pairs: per pair the
// two columns widened to floats, one FMA per column and token. Two
// independent accumulator sets (even and odd pairs) hide the FMA latency in
// decode; the same two for every T, so a token's sums do not depend on the
// tile it is in (kExactBatchTokens).
template <bool kF16, int T>
inline void tile(const uint8_t* pw, int64_t np, const float* x, int64_t n, float* y, int64_t ldy, int64_t n_rows,
                 bool stream) {
  constexpr int U = 2;
  __m256 acc[U][T];
#pragma GCC unroll 4
  for (int u = 0; u < U; ++u)
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) acc[u][t] = _mm256_setzero_ps();
  const __m256i hi_mask = _mm256_set1_epi32(static_cast<int>(0xFFFF0000u));
  for (int64_t p = 0; p < np; p += 4) {  // np is a multiple of 8
    if (stream) {  // first pass over the group: two lines ahead per 4 pairs (128 bytes)
      const char* pf = reinterpret_cast<const char*>(pw + (p + kPrefetchPairs) * 32);
      _mm_prefetch(pf, _MM_HINT_T0);
      _mm_prefetch(pf + 64, _MM_HINT_T0);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      const uint8_t* v = pw + (p + k) * 32;
      __m256 w0, w1;  // columns 2(p+k) and 2(p+k)+1 of the 8 rows
      if constexpr (kF16) {
        w0 = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(v)));
        w1 = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(v + 16)));
      } else {
        const __m256i d = _mm256_load_si256(reinterpret_cast<const __m256i*>(v));
        w0 = _mm256_castsi256_ps(_mm256_slli_epi32(d, 16));
        w1 = _mm256_castsi256_ps(_mm256_and_si256(d, hi_mask));
      }
      __m256(&a)[T] = acc[k % U];
#pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const float* xt = x + t * n + 2 * (p + k);
        a[t] = _mm256_fmadd_ps(w0, _mm256_broadcast_ss(xt), a[t]);
        a[t] = _mm256_fmadd_ps(w1, _mm256_broadcast_ss(xt + 1), a[t]);
      }
    }
  }
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) {
    __m256 s = acc[0][t];
#pragma GCC unroll 4
    for (int u = 1; u < U; ++u) s = _mm256_add_ps(s, acc[u][t]);
    store_rows8(y + t * ldy, s, n_rows);
  }
}

// Rows [r0, r0 + n_rows) (r0 a multiple of 8) in for_token_blocks order.
template <bool kF16>
void pg_16bit(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t*, size_t, const void* prep,
              int64_t n_tok, float* y, int64_t ldy) {
  const float* x = static_cast<const float*>(prep);
  const int64_t np = n / 2;
  const size_t group_bytes = static_cast<size_t>(np) * 32;
  for_token_blocks<kG>(n_rows, n_tok, [&]<int T>(int64_t g0, int64_t nr, int64_t t) {
    tile<kF16, T>(packed + ((r0 + g0) / kG) * group_bytes, np, x + t * n, n, y + g0 + t * ldy, ldy, nr, t == 0);
  });
}

// The F16 / BF16 activation rows (already rounded to 16 bits, as the scalar
// reference does) widened to floats once per matmul.
template <bool kF16>
size_t widen_rows(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  if (!out) return static_cast<size_t>(n * n_tok) * sizeof(float);
  float* x = static_cast<float*>(out);
  for (int64_t t = 0; t < n_tok; ++t) {
    const uint8_t* at = a + t * as;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + 2 * i));
      _mm256_storeu_ps(x + t * n + i, kF16 ? _mm256_cvtph_ps(h)
                                           : _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)));
    }
    for (; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, at + 2 * i, 2);
      x[t * n + i] = kF16 ? _cvtsh_ss(h) : bf16_f32(h);
    }
  }
  return 0;
}

}  // namespace

size_t prep_f16_rows(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  return widen_rows<true>(n, a, as, n_tok, out);
}
size_t prep_bf16_rows(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  return widen_rows<false>(n, a, as, n_tok, out);
}

void fill_avx2_packed_16bit(KernelSet& k) {
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
