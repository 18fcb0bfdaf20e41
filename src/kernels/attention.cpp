// Scalar reference attention / SwiGLU and the dispatching wrappers (scratch
// for the scores lives here, in baseline code).
#include "kernels/attention.h"

#include <cmath>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/fp16.h"

namespace pocketops::kernels {

void attention_f16_scalar(const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v, int64_t kv_stride,
                          int64_t npos, int64_t hd, float scale, float* scores, float* out) {
  for (int64_t h = 0; h < n_q; ++h) {
    const float* qh = q + h * hd;
    float* sc = scores + h * npos;
    float mx = -INFINITY;
    for (int64_t j = 0; j < npos; ++j) {
      const uint16_t* kr = k + j * kv_stride;
      float s = 0;
      for (int64_t e = 0; e < hd; ++e) s += qh[e] * fp16_to_fp32(kr[e]);
      sc[j] = s * scale;
      mx = sc[j] > mx ? sc[j] : mx;
    }
    double sum = 0;
    for (int64_t j = 0; j < npos; ++j) {
      sc[j] = std::exp(sc[j] - mx);
      sum += sc[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    float* o = out + h * hd;
    for (int64_t e = 0; e < hd; ++e) o[e] = 0.f;
    for (int64_t j = 0; j < npos; ++j) {
      const uint16_t* vr = v + j * kv_stride;
      const float p = sc[j] * inv;
      for (int64_t e = 0; e < hd; ++e) o[e] += p * fp16_to_fp32(vr[e]);
    }
  }
}

void swiglu_scalar(const float* g, const float* u, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = g[i] / (1.f + std::exp(-g[i])) * u[i];
}

void attention_f16_with(const KernelSet& ks, const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v,
                        int64_t kv_stride, int64_t npos, int64_t hd, float scale, float* out) {
  thread_local std::vector<float> scores;
  if (scores.size() < static_cast<size_t>(n_q * npos)) scores.resize(n_q * npos);
  if (ks.attn_f16)
    ks.attn_f16(q, n_q, k, v, kv_stride, npos, hd, scale, scores.data(), out);
  else
    attention_f16_scalar(q, n_q, k, v, kv_stride, npos, hd, scale, scores.data(), out);
}

void attention_f16(const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v, int64_t kv_stride,
                   int64_t npos, int64_t hd, float scale, float* out) {
  attention_f16_with(active_kernels(), q, n_q, k, v, kv_stride, npos, hd, scale, out);
}

void swiglu_with(const KernelSet& ks, const float* g, const float* u, float* y, int64_t n) {
  if (ks.swiglu)
    ks.swiglu(g, u, y, n);
  else
    swiglu_scalar(g, u, y, n);
}

void swiglu(const float* g, const float* u, float* y, int64_t n) { swiglu_with(active_kernels(), g, u, y, n); }

}  // namespace pocketops::kernels
