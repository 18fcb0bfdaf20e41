// AVX-512 row kernels: GQA attention over the F16 KV cache (F16C conversion,
// each K/V row converted once per tile of query rows; full 16-row tiles keep
// one row per vector lane) and SwiGLU with a vector exp.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#include <math.h>

#include <cstdint>

#include "kernels/dispatch.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

#include "kernels/x86/avx512_math.inc"  // exp512, ldh, transpose16

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

// Lane j of the result = sum of the 16 lanes of a[j] (a 16x16 transpose
// folded into the additions: 45 operations for 16 horizontal sums).
inline __m512 hsum16(const __m512* a) {
  __m512 t[8], u[4];
#pragma GCC unroll 8
  for (int m = 0; m < 8; ++m)  // per 128-bit lane L: [a2m 0+2, a2m+1 0+2, a2m 1+3, a2m+1 1+3]
    t[m] = _mm512_add_ps(_mm512_unpacklo_ps(a[2 * m], a[2 * m + 1]), _mm512_unpackhi_ps(a[2 * m], a[2 * m + 1]));
#pragma GCC unroll 4
  for (int m = 0; m < 4; ++m) {  // per 128-bit lane L: the lane-L sums of a4m .. a4m+3
    const __m512d x = _mm512_castps_pd(t[2 * m]), y = _mm512_castps_pd(t[2 * m + 1]);
    u[m] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
  }
  // sum the four 128-bit lanes of u[m] into 128-bit lane m of the result
  const __m512 w01 = _mm512_add_ps(_mm512_shuffle_f32x4(u[0], u[1], 0x44), _mm512_shuffle_f32x4(u[0], u[1], 0xEE));
  const __m512 w23 = _mm512_add_ps(_mm512_shuffle_f32x4(u[2], u[3], 0x44), _mm512_shuffle_f32x4(u[2], u[3], 0xEE));
  return _mm512_add_ps(_mm512_shuffle_f32x4(w01, w23, 0x88), _mm512_shuffle_f32x4(w01, w23, 0xDD));
}

// K rows j0 .. j0+nb-1 (head size 64) as floats, rows nb..15 zero (the
// positions past the last visible one are never read).
inline void convert_k_block(const AttnTile& a, int64_t j0, int64_t nb, float (&kf)[16][64]) {
  for (int64_t jj = 0; jj < 16; ++jj)
    for (int c = 0; c < 4; ++c)
      _mm512_store_ps(&kf[jj][16 * c], jj < nb ? ldh(a.k + (j0 + jj) * a.kv_stride + 16 * c) : _mm512_setzero_ps());
}

constexpr int kTileQ = 16;  // query rows (tokens x heads) per pass of attn_tile64

// out rows i0 .. i0+R-1 of a tile = inv * sum_j p[i][j] V_j over j < jn (the
// rows are in token order, so the last one sees the most positions; weights
// past a row's own positions are 0).
template <int R>
inline void pv64(const AttnTile& a, const float* scores, int64_t ns, int64_t i0, int64_t jn, const float* inv) {
  __m512 o[R][4];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < 4; ++c) o[r][c] = _mm512_setzero_ps();
  const float* p = scores + i0 * ns;
  for (int64_t j = 0; j < jn; ++j) {
    const uint16_t* vr = a.v + j * a.kv_stride;
    const __m512 v0 = ldh(vr), v1 = ldh(vr + 16), v2 = ldh(vr + 32), v3 = ldh(vr + 48);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const __m512 pr = _mm512_set1_ps(p[r * ns + j]);
      o[r][0] = _mm512_fmadd_ps(pr, v0, o[r][0]);
      o[r][1] = _mm512_fmadd_ps(pr, v1, o[r][1]);
      o[r][2] = _mm512_fmadd_ps(pr, v2, o[r][2]);
      o[r][3] = _mm512_fmadd_ps(pr, v3, o[r][3]);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const int64_t i = i0 + r, t = i / a.n_q, h = i % a.n_q;
    float* out = a.out + t * a.out_stride + h * 64;
    const __m512 s = _mm512_set1_ps(inv[r]);
    for (int c = 0; c < 4; ++c) _mm512_storeu_ps(out + 16 * c, _mm512_mul_ps(o[r][c], s));
  }
}

// Head size 64, nq = n_tok * n_q <= kTileQ query rows (row i: token i / n_q,
// head i % n_q). K and V rows are converted from F16 once per block of 16
// positions for all rows of the tile; scores of 16 positions per row come
// out of one hsum16 instead of 16 horizontal reductions.
void attn_tile64(const AttnTile& a, float* scores) {
  const int64_t nq = a.n_tok * a.n_q, npos_max = a.npos0 + a.n_tok - 1;
  const int64_t ns = (npos_max + 15) / 16 * 16;  // scores row stride
  const float* qr[kTileQ];
  int64_t npos[kTileQ];
  for (int64_t i = 0; i < nq; ++i) {
    const int64_t t = i / a.n_q, h = i % a.n_q;
    qr[i] = a.q + t * a.q_stride + h * 64;
    npos[i] = a.npos0 + t;
  }
  const __m512 scale = _mm512_set1_ps(a.scale), ninf = _mm512_set1_ps(-INFINITY);
  alignas(64) float kf[16][64];
  for (int64_t j0 = 0; j0 < npos_max; j0 += 16) {
    const int64_t nb = npos_max - j0 < 16 ? npos_max - j0 : 16;
    convert_k_block(a, j0, nb, kf);
    for (int64_t i = 0; i < nq; ++i) {
      const __m512 q0 = _mm512_loadu_ps(qr[i]), q1 = _mm512_loadu_ps(qr[i] + 16), q2 = _mm512_loadu_ps(qr[i] + 32),
                   q3 = _mm512_loadu_ps(qr[i] + 48);
      __m512 d[16];
#pragma GCC unroll 16
      for (int jj = 0; jj < 16; ++jj) {
        __m512 x = _mm512_mul_ps(q0, _mm512_load_ps(&kf[jj][0]));
        x = _mm512_fmadd_ps(q1, _mm512_load_ps(&kf[jj][16]), x);
        x = _mm512_fmadd_ps(q2, _mm512_load_ps(&kf[jj][32]), x);
        d[jj] = _mm512_fmadd_ps(q3, _mm512_load_ps(&kf[jj][48]), x);
      }
      // causal mask: positions >= npos[i] get -inf (exp -> 0 below)
      const int64_t valid = npos[i] - j0;
      const __mmask16 mk = valid >= 16 ? static_cast<__mmask16>(0xFFFF)
                           : valid <= 0 ? static_cast<__mmask16>(0)
                                        : static_cast<__mmask16>((1u << valid) - 1);
      _mm512_storeu_ps(scores + i * ns + j0, _mm512_mask_mul_ps(ninf, mk, hsum16(d), scale));
    }
  }
  float inv[kTileQ];
  for (int64_t i = 0; i < nq; ++i) {
    float* sc = scores + i * ns;
    const int64_t nblk = (npos[i] + 15) / 16;
    __m512 mx = ninf;
    for (int64_t b = 0; b < nblk; ++b) mx = _mm512_max_ps(mx, _mm512_loadu_ps(sc + 16 * b));
    const __m512 vm = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
    __m512 sum = _mm512_setzero_ps();
    for (int64_t b = 0; b < nblk; ++b) {
      const int64_t valid = npos[i] - 16 * b;
      const __mmask16 mk = valid >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << valid) - 1);
      const __m512 e = _mm512_maskz_mov_ps(mk, exp512(_mm512_sub_ps(_mm512_loadu_ps(sc + 16 * b), vm)));
      _mm512_storeu_ps(sc + 16 * b, e);
      sum = _mm512_add_ps(sum, e);
    }
    // whole blocks past this row's positions: zero weights for the P . V pass
    for (int64_t b = nblk; b < ns / 16; ++b) _mm512_storeu_ps(sc + 16 * b, _mm512_setzero_ps());
    inv[i] = 1.f / _mm512_reduce_add_ps(sum);
  }
  // P . V, four query rows at a time (16 accumulators)
  int64_t i0 = 0;
  for (; i0 + 4 <= nq; i0 += 4) pv64<4>(a, scores, ns, i0, npos[i0 + 3], inv + i0);
  switch (nq - i0) {
    case 3: pv64<3>(a, scores, ns, i0, npos[i0 + 2], inv + i0); break;
    case 2: pv64<2>(a, scores, ns, i0, npos[i0 + 1], inv + i0); break;
    case 1: pv64<1>(a, scores, ns, i0, npos[i0], inv + i0); break;
    default: break;
  }
}

// Head size 64 and exactly kTileQ = 16 query rows (row i: token i / n_q,
// head i % n_q), one row per vector lane: the scores of position j for all
// rows are one vector (Q transposed once per pass, K broadcast from a
// converted block), softmax runs lane-wise over positions, and P . V
// accumulates the transposed output with V broadcast. No horizontal sums;
// each K and V row is converted once per pass. scores[16 j + i] holds row
// i's weight of position j.
void attn_tile64_lanes(const AttnTile& a, float* scores) {
  const int64_t n_pos = a.npos0 + a.n_tok - 1;  // positions the last row sees
  alignas(64) float qt[64][16];                 // qt[d][i] = q_i[d]
  __m512 r[16];
#pragma GCC unroll 1
  for (int c = 0; c < 4; ++c) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
      r[i] = _mm512_loadu_ps(a.q + (i / a.n_q) * a.q_stride + (i % a.n_q) * 64 + 16 * c);
    transpose16(r);
#pragma GCC unroll 16
    for (int e = 0; e < 16; ++e) _mm512_store_ps(qt[16 * c + e], r[e]);
  }
  // lane i sees positions j < npos0 + tok[i]
  alignas(64) int32_t tok[16];
  for (int i = 0; i < 16; ++i) tok[i] = static_cast<int32_t>(i / a.n_q);
  const __m512i tokv = _mm512_load_si512(tok);
  auto visible = [&](int64_t j) -> __mmask16 {
    return j < a.npos0 ? static_cast<__mmask16>(0xFFFF)
                       : _mm512_cmpgt_epi32_mask(tokv, _mm512_set1_epi32(static_cast<int32_t>(j - a.npos0)));
  };
  const __m512 scale = _mm512_set1_ps(a.scale), ninf = _mm512_set1_ps(-INFINITY);
  __m512 mx = ninf;
  alignas(64) float kf[16][64];
  for (int64_t j0 = 0; j0 < n_pos; j0 += 16) {
    const int64_t nb = n_pos - j0 < 16 ? n_pos - j0 : 16;
    convert_k_block(a, j0, nb, kf);
#pragma GCC unroll 1
    for (int64_t p0 = 0; p0 < nb; p0 += 8) {
      __m512 acc[8];
#pragma GCC unroll 8
      for (int p = 0; p < 8; ++p) acc[p] = _mm512_setzero_ps();
#pragma GCC unroll 4
      for (int d = 0; d < 64; ++d) {
        const __m512 qv = _mm512_load_ps(qt[d]);
#pragma GCC unroll 8
        for (int p = 0; p < 8; ++p) acc[p] = _mm512_fmadd_ps(_mm512_set1_ps(kf[p0 + p][d]), qv, acc[p]);
      }
      const int64_t np = nb - p0 < 8 ? nb - p0 : 8;
      for (int64_t p = 0; p < np; ++p) {
        const int64_t j = j0 + p0 + p;
        const __m512 sv = _mm512_mask_mul_ps(ninf, visible(j), acc[p], scale);
        _mm512_storeu_ps(scores + 16 * j, sv);
        mx = _mm512_max_ps(mx, sv);
      }
    }
  }
  __m512 sum = _mm512_setzero_ps();
  for (int64_t j = 0; j < n_pos; ++j) {
    const __m512 e = _mm512_maskz_mov_ps(visible(j), exp512(_mm512_sub_ps(_mm512_loadu_ps(scores + 16 * j), mx)));
    _mm512_storeu_ps(scores + 16 * j, e);
    sum = _mm512_add_ps(sum, e);
  }
  const __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.f), sum);
  // P . V per 16 output dimensions c: r[e] lane i = out_i[16c + e]
  alignas(64) float vf[16][16];
#pragma GCC unroll 1
  for (int c = 0; c < 4; ++c) {
#pragma GCC unroll 16
    for (int e = 0; e < 16; ++e) r[e] = _mm512_setzero_ps();
    for (int64_t j0 = 0; j0 < n_pos; j0 += 16) {
      const int64_t nb = n_pos - j0 < 16 ? n_pos - j0 : 16;
      for (int64_t jj = 0; jj < nb; ++jj) _mm512_store_ps(vf[jj], ldh(a.v + (j0 + jj) * a.kv_stride + 16 * c));
      for (int64_t jj = 0; jj < nb; ++jj) {
        const __m512 pj = _mm512_loadu_ps(scores + 16 * (j0 + jj));
#pragma GCC unroll 16
        for (int e = 0; e < 16; ++e) r[e] = _mm512_fmadd_ps(_mm512_set1_ps(vf[jj][e]), pj, r[e]);
      }
    }
#pragma GCC unroll 16
    for (int e = 0; e < 16; ++e) r[e] = _mm512_mul_ps(r[e], inv);
    transpose16(r);
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
      _mm512_storeu_ps(a.out + (i / a.n_q) * a.out_stride + (i % a.n_q) * 64 + 16 * c, r[i]);
  }
}

void attn512(const AttnTile& a, float* scores);

}  // namespace

void fill_avx512_rows(KernelSet& ks) {
  ks.attn_f16 = attn512;
  ks.swiglu = swiglu512;
}

namespace {
// Head size 64: tiles of whole tokens (or of up to 16 heads of one token when
// the group is wider); other head sizes per token with attn_group.
void attn512(const AttnTile& a, float* scores) {
  if (a.hd == 64 && a.n_q <= kTileQ) {
    const int64_t per = kTileQ / a.n_q;  // tokens per pass
    for (int64_t t0 = 0; t0 < a.n_tok; t0 += per) {
      AttnTile s = a;
      s.q = a.q + t0 * a.q_stride;
      s.out = a.out + t0 * a.out_stride;
      s.n_tok = a.n_tok - t0 < per ? a.n_tok - t0 : per;
      s.npos0 = a.npos0 + t0;
      // the lanes kernel sums in another order than attn_tile64 (decode's):
      // prefill only
      if (s.n_tok * s.n_q == kTileQ && !a.exact) attn_tile64_lanes(s, scores);
      else attn_tile64(s, scores);
    }
    return;
  }
  if (a.hd == 64) {  // a group wider than a tile: one token and up to 16 heads per pass
    for (int64_t t = 0; t < a.n_tok; ++t)
      for (int64_t h0 = 0; h0 < a.n_q; h0 += kTileQ) {
        AttnTile s = a;
        s.q = a.q + t * a.q_stride + h0 * 64;
        s.out = a.out + t * a.out_stride + h0 * 64;
        s.n_tok = 1;
        s.n_q = a.n_q - h0 < kTileQ ? a.n_q - h0 : kTileQ;
        s.npos0 = a.npos0 + t;
        attn_tile64(s, scores);
      }
    return;
  }
  if (a.hd % 16 != 0) {  // unusual head size: the scalar reference (baseline code, an ordinary call)
    attention_f16_scalar(a, scores);
    return;
  }
  const int64_t hd = a.hd;
  for (int64_t t = 0; t < a.n_tok; ++t) {
    const float* q = a.q + t * a.q_stride;
    float* out = a.out + t * a.out_stride;
    const int64_t npos = a.npos0 + t;
    for (int64_t h0 = 0; h0 < a.n_q; h0 += kMaxQ) {
      const int64_t nq = a.n_q - h0 < kMaxQ ? a.n_q - h0 : kMaxQ;
      attn_group(q + h0 * hd, nq, a.k, a.v, a.kv_stride, npos, hd, a.scale, scores, out + h0 * hd);
    }
  }
}
}  // namespace

}  // namespace pocketops::kernels::x86
#endif
