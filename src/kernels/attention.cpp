// Scalar reference attention / SwiGLU and the dispatching wrappers (scratch
// for the scores lives here, in baseline code).
#include "kernels/attention.h"

#include <cmath>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/fp16.h"

namespace pocketops::kernels {

void attention_f16_scalar(const AttnTile& a, float* scores) {
  const int64_t hd = a.hd;
  for (int64_t t = 0; t < a.n_tok; ++t) {
    const int64_t npos = a.npos0 + t;
    for (int64_t h = 0; h < a.n_q; ++h) {
      const float* qh = a.q + t * a.q_stride + h * hd;
      float* sc = scores;
      float mx = -INFINITY;
      for (int64_t j = 0; j < npos; ++j) {
        const uint16_t* kr = a.k + j * a.kv_stride;
        float s = 0;
        for (int64_t e = 0; e < hd; ++e) s += qh[e] * fp16_to_fp32(kr[e]);
        sc[j] = s * a.scale;
        mx = sc[j] > mx ? sc[j] : mx;
      }
      double sum = 0;
      for (int64_t j = 0; j < npos; ++j) {
        sc[j] = std::exp(sc[j] - mx);
        sum += sc[j];
      }
      const float inv = static_cast<float>(1.0 / sum);
      float* o = a.out + t * a.out_stride + h * hd;
      for (int64_t e = 0; e < hd; ++e) o[e] = 0.f;
      for (int64_t j = 0; j < npos; ++j) {
        const uint16_t* vr = a.v + j * a.kv_stride;
        const float p = sc[j] * inv;
        for (int64_t e = 0; e < hd; ++e) o[e] += p * fp16_to_fp32(vr[e]);
      }
    }
  }
}

void swiglu_scalar(const float* g, const float* u, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = g[i] / (1.f + std::exp(-g[i])) * u[i];
}

int64_t attention_scratch(const AttnTile& a) {
  // one row per query head of the tile, padded to whole blocks of 16 positions
  const int64_t npos_max = a.npos0 + a.n_tok - 1;
  return a.n_tok * a.n_q * ((npos_max + 15) / 16 * 16);
}

void attention_f16_with(const KernelSet& ks, const AttnTile& a) {
  if (a.n_tok <= 0) return;
  thread_local std::vector<float> scores;
  const auto need = static_cast<size_t>(attention_scratch(a));
  if (scores.size() < need) scores.resize(need);
  if (ks.attn_f16)
    ks.attn_f16(a, scores.data());
  else
    attention_f16_scalar(a, scores.data());
}

void attention_f16(const AttnTile& a) { attention_f16_with(active_kernels(), a); }

void swiglu_with(const KernelSet& ks, const float* g, const float* u, float* y, int64_t n) {
  if (ks.swiglu)
    ks.swiglu(g, u, y, n);
  else
    swiglu_scalar(g, u, y, n);
}

void swiglu(const float* g, const float* u, float* y, int64_t n) { swiglu_with(active_kernels(), g, u, y, n); }

}  // namespace pocketops::kernels
