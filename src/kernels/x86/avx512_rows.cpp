// AVX-512 row kernels: GQA attention over the F16 KV cache (F16C conversion,
// each K/V row converted once per query group) and SwiGLU with a vector exp.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <math.h>

#include <cstdint>

#include "kernels/dispatch.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

// exp(x) for 16 floats: x = n ln2 + r, |r| <= ln2/2, degree-7 Taylor in r,
// scaled by 2^n with vscalefps (handles overflow to inf and underflow to 0).
// Relative error ~2 ulp; NaN propagates.
inline __m512 exp512(__m512 x) {
  x = _mm512_min_ps(_mm512_set1_ps(88.8f), x);
  x = _mm512_max_ps(_mm512_set1_ps(-104.f), x);
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
  __m512 p = _mm512_set1_ps(1.f / 5040.f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 720.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 120.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 24.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 6.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  return _mm512_scalef_ps(p, n);
}

void swiglu512(const float* g, const float* u, float* y, int64_t n) {
  int64_t i = 0;
  const __m512 one = _mm512_set1_ps(1.f);
  for (; i + 16 <= n; i += 16) {
    const __m512 x = _mm512_loadu_ps(g + i);
    const __m512 e = exp512(_mm512_sub_ps(_mm512_setzero_ps(), x));
    _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_div_ps(x, _mm512_add_ps(one, e)), _mm512_loadu_ps(u + i)));
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 x = _mm512_maskz_loadu_ps(m, g + i);
    const __m512 e = exp512(_mm512_sub_ps(_mm512_setzero_ps(), x));
    _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_div_ps(x, _mm512_add_ps(one, e)), _mm512_maskz_loadu_ps(m, u + i)));
  }
}

inline __m512 ldh(const uint16_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }

constexpr int kMaxQ = 8;

// hd a multiple of 16, n_q <= kMaxQ (else the caller loops).
void attn_group(const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v, int64_t kv_stride, int64_t npos,
                int64_t hd, float scale, float* scores, float* out) {
  // scores[h*npos + j]
  for (int64_t j = 0; j < npos; ++j) {
    const uint16_t* kr = k + j * kv_stride;
    __m512 acc[kMaxQ];
    for (int64_t h = 0; h < n_q; ++h) acc[h] = _mm512_setzero_ps();
    for (int64_t e = 0; e < hd; e += 16) {
      const __m512 kv = ldh(kr + e);
      for (int64_t h = 0; h < n_q; ++h) acc[h] = _mm512_fmadd_ps(_mm512_loadu_ps(q + h * hd + e), kv, acc[h]);
    }
    for (int64_t h = 0; h < n_q; ++h) scores[h * npos + j] = _mm512_reduce_add_ps(acc[h]) * scale;
  }
  float inv[kMaxQ];
  for (int64_t h = 0; h < n_q; ++h) {
    float* sc = scores + h * npos;
    __m512 mx = _mm512_set1_ps(-INFINITY);
    int64_t j = 0;
    for (; j + 16 <= npos; j += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(sc + j));
    float m = _mm512_reduce_max_ps(mx);
    for (; j < npos; ++j) m = sc[j] > m ? sc[j] : m;
    const __m512 vm = _mm512_set1_ps(m);
    __m512 sum = _mm512_setzero_ps();
    j = 0;
    for (; j + 16 <= npos; j += 16) {
      const __m512 e = exp512(_mm512_sub_ps(_mm512_loadu_ps(sc + j), vm));
      _mm512_storeu_ps(sc + j, e);
      sum = _mm512_add_ps(sum, e);
    }
    if (j < npos) {
      const __mmask16 mk = static_cast<__mmask16>((1u << (npos - j)) - 1);
      const __m512 e = exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(mk, sc + j), vm));
      _mm512_mask_storeu_ps(sc + j, mk, e);
      sum = _mm512_add_ps(sum, _mm512_maskz_mov_ps(mk, e));
    }
    inv[h] = 1.f / _mm512_reduce_add_ps(sum);
  }
  for (int64_t h = 0; h < n_q; ++h)
    for (int64_t e = 0; e < hd; e += 16) _mm512_storeu_ps(out + h * hd + e, _mm512_setzero_ps());
  if (hd == 64) {
    __m512 o[kMaxQ][4];
    for (int64_t h = 0; h < n_q; ++h)
      for (int c = 0; c < 4; ++c) o[h][c] = _mm512_setzero_ps();
    for (int64_t j = 0; j < npos; ++j) {
      const uint16_t* vr = v + j * kv_stride;
      const __m512 v0 = ldh(vr), v1 = ldh(vr + 16), v2 = ldh(vr + 32), v3 = ldh(vr + 48);
      for (int64_t h = 0; h < n_q; ++h) {
        const __m512 p = _mm512_set1_ps(scores[h * npos + j]);
        o[h][0] = _mm512_fmadd_ps(p, v0, o[h][0]);
        o[h][1] = _mm512_fmadd_ps(p, v1, o[h][1]);
        o[h][2] = _mm512_fmadd_ps(p, v2, o[h][2]);
        o[h][3] = _mm512_fmadd_ps(p, v3, o[h][3]);
      }
    }
    for (int64_t h = 0; h < n_q; ++h) {
      const __m512 s = _mm512_set1_ps(inv[h]);
      for (int c = 0; c < 4; ++c) _mm512_storeu_ps(out + h * hd + 16 * c, _mm512_mul_ps(o[h][c], s));
    }
    return;
  }
  for (int64_t j = 0; j < npos; ++j) {
    const uint16_t* vr = v + j * kv_stride;
    for (int64_t e = 0; e < hd; e += 16) {
      const __m512 vv = ldh(vr + e);
      for (int64_t h = 0; h < n_q; ++h) {
        float* o = out + h * hd + e;
        _mm512_storeu_ps(o, _mm512_fmadd_ps(_mm512_set1_ps(scores[h * npos + j]), vv, _mm512_loadu_ps(o)));
      }
    }
  }
  for (int64_t h = 0; h < n_q; ++h) {
    const __m512 s = _mm512_set1_ps(inv[h]);
    for (int64_t e = 0; e < hd; e += 16) _mm512_storeu_ps(out + h * hd + e, _mm512_mul_ps(_mm512_loadu_ps(out + h * hd + e), s));
  }
}

void attn512(const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v, int64_t kv_stride, int64_t npos,
             int64_t hd, float scale, float* scores, float* out);

}  // namespace

void fill_avx512_rows(KernelSet& ks) {
  ks.attn_f16 = attn512;
  ks.swiglu = swiglu512;
}

namespace {
void attn512(const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v, int64_t kv_stride, int64_t npos,
             int64_t hd, float scale, float* scores, float* out) {
  if (hd % 16 != 0 || npos <= 0) {
    // unusual head size: plain loops (compiled for this ISA, no shared helpers)
    for (int64_t h = 0; h < n_q; ++h) {
      const float* qh = q + h * hd;
      float* sc = scores + h * npos;
      float mx = -INFINITY;
      for (int64_t j = 0; j < npos; ++j) {
        float s = 0;
        for (int64_t e = 0; e < hd; ++e) s += qh[e] * _cvtsh_ss(k[j * kv_stride + e]);
        sc[j] = s * scale;
        mx = sc[j] > mx ? sc[j] : mx;
      }
      double sum = 0;
      for (int64_t j = 0; j < npos; ++j) {
        sc[j] = expf(sc[j] - mx);
        sum += sc[j];
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t e = 0; e < hd; ++e) out[h * hd + e] = 0.f;
      for (int64_t j = 0; j < npos; ++j)
        for (int64_t e = 0; e < hd; ++e) out[h * hd + e] += sc[j] * inv * _cvtsh_ss(v[j * kv_stride + e]);
    }
    return;
  }
  for (int64_t h0 = 0; h0 < n_q; h0 += kMaxQ) {
    const int64_t nq = n_q - h0 < kMaxQ ? n_q - h0 : kMaxQ;
    attn_group(q + h0 * hd, nq, k, v, kv_stride, npos, hd, scale, scores, out + h0 * hd);
  }
}
}  // namespace

}  // namespace pocketops::kernels::x86
#endif
