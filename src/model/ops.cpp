// Implementations of the small LFM2 ops.
#include "model/ops.h"

#include <cmath>

namespace pocketops::model::ops {

void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps) {
  // four independent double sums: the single chain was latency-bound (4
  // cycles per element on the decode path's serial work)
  double p[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) p[k] += static_cast<double>(x[i + k]) * x[i + k];
  for (; i < n; ++i) p[0] += static_cast<double>(x[i]) * x[i];
  const double ss = (p[0] + p[1]) + (p[2] + p[3]);
  const float scale = static_cast<float>(1.0 / std::sqrt(ss / n + eps));
  for (i = 0; i < n; ++i) y[i] = x[i] * scale * w[i];
}

void add_rms_norm(float* __restrict x, const float* __restrict o, const float* __restrict w, float* __restrict y,
                  int64_t n, float eps) {
  if (!w) {
    for (int64_t i = 0; i < n; ++i) x[i] += o[i];
    return;
  }
  // the sums of rms_norm (same partial sums, same order) over the updated x
  double p[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) {
      x[i + k] += o[i + k];
      p[k] += static_cast<double>(x[i + k]) * x[i + k];
    }
  for (; i < n; ++i) {
    x[i] += o[i];
    p[0] += static_cast<double>(x[i]) * x[i];
  }
  const double ss = (p[0] + p[1]) + (p[2] + p[3]);
  const float scale = static_cast<float>(1.0 / std::sqrt(ss / n + eps));
  for (i = 0; i < n; ++i) y[i] = x[i] * scale * w[i];
}

void conv_tap(float* __restrict acc, const float* __restrict w, const float* __restrict b, const float* __restrict c,
              int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += w[i] * (b[i] * c[i]);
}

void conv_tap_state(float* __restrict acc, const float* __restrict w, const float* __restrict s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += w[i] * s[i];
}

void rope_inv_freq(float* inv_freq, int64_t d, float base) {
  for (int64_t i = 0; i < d / 2; ++i)
    inv_freq[i] = static_cast<float>(std::pow(static_cast<double>(base), -2.0 * i / d));
}

void rope_cos_sin(float* cs, int64_t d, int64_t pos, const float* inv_freq) {
  const int64_t h = d / 2;
  for (int64_t i = 0; i < h; ++i) {
    const float theta = static_cast<float>(pos) * inv_freq[i];
    cs[i] = std::cos(theta);
    cs[h + i] = std::sin(theta);
  }
}

void rope_neox(float* x, int64_t d, const float* cs) {
  const int64_t h = d / 2;
  for (int64_t i = 0; i < h; ++i) {
    const float c = cs[i], s = cs[h + i];
    const float a = x[i], b = x[i + h];
    x[i] = a * c - b * s;
    x[i + h] = a * s + b * c;
  }
}

float silu(float x) { return x / (1.f + std::exp(-x)); }

void swiglu(const float* g, const float* u, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = silu(g[i]) * u[i];
}

void softmax(float* x, int64_t n) {
  float mx = -INFINITY;
  for (int64_t i = 0; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

}  // namespace pocketops::model::ops
