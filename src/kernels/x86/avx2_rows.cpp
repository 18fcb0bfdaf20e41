// AVX2 + FMA + F16C row kernels: causal GQA attention over the F16 KV cache
// (tiles of query tokens x heads, as in avx512_rows.cpp, with 8-wide vectors
// and 16 registers) and SwiGLU with a vector exp. Without these an AVX2-only
// CPU ran the scalar reference attention, which dominated long prompts.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#include <cstdint>

#include "kernels/dispatch.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

// exp(x) for 8 floats: x = n ln2 + r, |r| <= ln2/2, degree-7 Taylor in r,
// times 2^n built in the exponent field; below e^-87.3 the result is 0, above
// 88.7 it is clamped to e^88.7 (finite; ~3.3e38).
inline __m256 exp256(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.7f), x);
  const __m256 under = _mm256_cmp_ps(x, _mm256_set1_ps(-87.3f), _CMP_LT_OQ);
  x = _mm256_max_ps(_mm256_set1_ps(-87.3f), x);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187e-06f), r);
  __m256 p = _mm256_set1_ps(1.f / 5040.f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 720.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 120.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 24.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 6.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  // 2^n in two halves so that n = 128 (x near 88.7) does not overflow the field
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i h = _mm256_srai_epi32(ni, 1);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h, _mm256_set1_epi32(127)), 23));
  const __m256 s2 =
      _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, h), _mm256_set1_epi32(127)), 23));
  const __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  return _mm256_andnot_ps(under, y);  // NaN passes min/max (second operand) and stays NaN
}

void swiglu256(const float* g, const float* u, float* y, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(g + i);
    const __m256 e = exp256(_mm256_sub_ps(_mm256_setzero_ps(), x));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_div_ps(x, _mm256_add_ps(one, e)), _mm256_loadu_ps(u + i)));
  }
  for (; i < n; ++i) y[i] = g[i] / (1.f + expf(-g[i])) * u[i];
}

inline __m256 ldh8(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }

// Lane j of the result = sum of the 8 lanes of a[j].
inline __m256 hsum8x8(const __m256* a) {
  const __m256 t0 = _mm256_hadd_ps(a[0], a[1]), t1 = _mm256_hadd_ps(a[2], a[3]);
  const __m256 t2 = _mm256_hadd_ps(a[4], a[5]), t3 = _mm256_hadd_ps(a[6], a[7]);
  const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);  // [a0..a3 low halves | a0..a3 high halves]
  return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

constexpr int kTileQ = 16;  // query rows (tokens x heads) per pass

// out rows i0 .. i0+R-1 = inv * sum_j p[i][j] V_j, j < jn; 16 dims per pass
// (R x 2 accumulators) so that everything stays in 16 registers.
template <int R>
inline void pv64(const AttnTile& a, const float* scores, int64_t ns, int64_t i0, int64_t jn, const float* inv) {
  const float* p = scores + i0 * ns;
  for (int c = 0; c < 64; c += 16) {
    __m256 o[R][2];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) o[r][0] = o[r][1] = _mm256_setzero_ps();
    for (int64_t j = 0; j < jn; ++j) {
      const uint16_t* vr = a.v + j * a.kv_stride + c;
      const __m256 v0 = ldh8(vr), v1 = ldh8(vr + 8);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        const __m256 pr = _mm256_broadcast_ss(p + r * ns + j);
        o[r][0] = _mm256_fmadd_ps(pr, v0, o[r][0]);
        o[r][1] = _mm256_fmadd_ps(pr, v1, o[r][1]);
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const int64_t i = i0 + r, t = i / a.n_q, h = i % a.n_q;
      float* out = a.out + t * a.out_stride + h * 64 + c;
      const __m256 s = _mm256_set1_ps(inv[r]);
      _mm256_storeu_ps(out, _mm256_mul_ps(o[r][0], s));
      _mm256_storeu_ps(out + 8, _mm256_mul_ps(o[r][1], s));
    }
  }
}

// Head size 64, nq = n_tok * n_q <= kTileQ query rows (row i: token i / n_q,
// head i % n_q); blocks of 8 positions, K rows converted once per block.
void attn_tile64(const AttnTile& a, float* scores) {
  const int64_t nq = a.n_tok * a.n_q, npos_max = a.npos0 + a.n_tok - 1;
  const int64_t ns = (npos_max + 15) / 16 * 16;  // scores row stride (same scratch bound as AVX-512)
  const float* qr[kTileQ];
  int64_t npos[kTileQ];
  for (int64_t i = 0; i < nq; ++i) {
    qr[i] = a.q + (i / a.n_q) * a.q_stride + (i % a.n_q) * 64;
    npos[i] = a.npos0 + i / a.n_q;
  }
  const __m256 scale = _mm256_set1_ps(a.scale), ninf = _mm256_set1_ps(-INFINITY);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  alignas(32) float kf[8][64];
  for (int64_t j0 = 0; j0 < npos_max; j0 += 8) {
    const int64_t nb = npos_max - j0 < 8 ? npos_max - j0 : 8;
    for (int64_t jj = 0; jj < 8; ++jj)
      for (int c = 0; c < 64; c += 8)
        _mm256_store_ps(&kf[jj][c], jj < nb ? ldh8(a.k + (j0 + jj) * a.kv_stride + c) : _mm256_setzero_ps());
    for (int64_t i = 0; i < nq; ++i) {
      __m256 d[8];
#pragma GCC unroll 8
      for (int jj = 0; jj < 8; ++jj) d[jj] = _mm256_setzero_ps();
#pragma GCC unroll 8
      for (int c = 0; c < 64; c += 8) {
        const __m256 qc = _mm256_loadu_ps(qr[i] + c);
#pragma GCC unroll 8
        for (int jj = 0; jj < 8; ++jj) d[jj] = _mm256_fmadd_ps(qc, _mm256_load_ps(&kf[jj][c]), d[jj]);
      }
      // causal mask: lanes at positions >= npos[i] -> -inf
      const __m256 keep = _mm256_castsi256_ps(
          _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(npos[i] - j0 < 8 ? npos[i] - j0 : 8)), lane));
      _mm256_storeu_ps(scores + i * ns + j0, _mm256_blendv_ps(ninf, _mm256_mul_ps(hsum8x8(d), scale), keep));
    }
  }
  float inv[kTileQ];
  for (int64_t i = 0; i < nq; ++i) {
    float* sc = scores + i * ns;
    const int64_t nblk = (npos[i] + 7) / 8;
    __m256 mx = ninf;
    for (int64_t b = 0; b < nblk; ++b) mx = _mm256_max_ps(mx, _mm256_loadu_ps(sc + 8 * b));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
    const __m256 vm = _mm256_broadcastss_ps(m4);
    __m256 sum = _mm256_setzero_ps();
    for (int64_t b = 0; b < nblk; ++b) {
      const __m256 keep = _mm256_castsi256_ps(
          _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(npos[i] - 8 * b < 8 ? npos[i] - 8 * b : 8)), lane));
      const __m256 e = _mm256_and_ps(keep, exp256(_mm256_sub_ps(_mm256_loadu_ps(sc + 8 * b), vm)));
      _mm256_storeu_ps(sc + 8 * b, e);
      sum = _mm256_add_ps(sum, e);
    }
    for (int64_t b = nblk; b < (npos_max + 7) / 8; ++b) _mm256_storeu_ps(sc + 8 * b, _mm256_setzero_ps());
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    s4 = _mm_add_ss(s4, _mm_shuffle_ps(s4, s4, 1));
    inv[i] = 1.f / _mm_cvtss_f32(s4);
  }
  int64_t i0 = 0;
  for (; i0 + 4 <= nq; i0 += 4) pv64<4>(a, scores, ns, i0, npos[i0 + 3], inv + i0);
  switch (nq - i0) {
    case 3: pv64<3>(a, scores, ns, i0, npos[i0 + 2], inv + i0); break;
    case 2: pv64<2>(a, scores, ns, i0, npos[i0 + 1], inv + i0); break;
    case 1: pv64<1>(a, scores, ns, i0, npos[i0], inv + i0); break;
    default: break;
  }
}

// Head size 64 in tiles; other sizes with the scalar reference.
void attn256(const AttnTile& a, float* scores) {
  if (a.hd == 64 && a.n_q <= kTileQ) {
    const int64_t per = kTileQ / a.n_q;
    for (int64_t t0 = 0; t0 < a.n_tok; t0 += per) {
      AttnTile s = a;
      s.q = a.q + t0 * a.q_stride;
      s.out = a.out + t0 * a.out_stride;
      s.n_tok = a.n_tok - t0 < per ? a.n_tok - t0 : per;
      s.npos0 = a.npos0 + t0;
      attn_tile64(s, scores);
    }
    return;
  }
  attention_f16_scalar(a, scores);  // other head sizes: the scalar reference (baseline code)
}

}  // namespace

void fill_avx2_rows(KernelSet& ks) {
  ks.attn_f16 = attn256;
  ks.swiglu = swiglu256;
}

}  // namespace pocketops::kernels::x86
#endif
