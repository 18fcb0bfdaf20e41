// Small element-wise / row operations of the LFM2 forward pass (RMSNorm,
// NEOX RoPE, SiLU gating, softmax) in plain C++ the compiler vectorizes.
#pragma once
#include <cstdint>

namespace pocketops::model::ops {

// y = x / sqrt(mean(x^2) + eps) * w   (sum of squares in double, like the reference)
void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps);
// The residual step: x += o, then y = rms_norm(x) * w in the same pass (w
// null: the add only). x, o, w and y must not overlap. Same results as the
// add followed by rms_norm.
void add_rms_norm(float* x, const float* o, const float* w, float* y, int64_t n, float eps);
// RoPE table for one position: cs[i] = cos(pos * inv_freq[i]), cs[d/2 + i] =
// sin(...), i < d/2; computed once per token and shared by all its heads.
void rope_cos_sin(float* cs, int64_t d, int64_t pos, const float* inv_freq);
// NEOX-style rotary embedding of one head vector of size d with a rope_cos_sin table.
void rope_neox(float* x, int64_t d, const float* cs);
// inv_freq[i] = base^(-2i/d), i < d/2
void rope_inv_freq(float* inv_freq, int64_t d, float base);
// One tap of the short convolution over n channels: acc[i] += w[i] * (b[i] * c[i])
// (b, c: the B and x thirds of a token's in_proj row), or acc[i] += w[i] * s[i]
// (s: a row of the conv state). No argument may overlap another.
void conv_tap(float* acc, const float* w, const float* b, const float* c, int64_t n);
void conv_tap_state(float* acc, const float* w, const float* s, int64_t n);
// y[i] = silu(g[i]) * u[i]
void swiglu(const float* g, const float* u, float* y, int64_t n);
float silu(float x);
// In-place softmax over n values; returns nothing, handles -inf.
void softmax(float* x, int64_t n);

}  // namespace pocketops::model::ops
