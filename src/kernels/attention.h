// Row kernels of the forward pass outside the matmuls: GQA attention over an
// F16 KV cache and the SwiGLU gate, dispatched like the dot products (SIMD
// set when available, else the scalar reference in attention.cpp).
#pragma once
#include <cstdint>

namespace pocketops::kernels {

struct KernelSet;

// For each of n_q query heads (q + h*hd, contiguous) sharing one KV head:
// out[h] = softmax(scale * q_h . K_j, j < npos) . V, with K_j = k + j*kv_stride
// and V_j = v + j*kv_stride (F16, hd values each).
void attention_f16(const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v, int64_t kv_stride,
                   int64_t npos, int64_t hd, float scale, float* out);
void attention_f16_with(const KernelSet& ks, const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v,
                        int64_t kv_stride, int64_t npos, int64_t hd, float scale, float* out);

// y[i] = silu(g[i]) * u[i] (y may alias g).
void swiglu(const float* g, const float* u, float* y, int64_t n);
void swiglu_with(const KernelSet& ks, const float* g, const float* u, float* y, int64_t n);

// Scalar references.
void attention_f16_scalar(const float* q, int64_t n_q, const uint16_t* k, const uint16_t* v, int64_t kv_stride,
                          int64_t npos, int64_t hd, float scale, float* scores, float* out);
void swiglu_scalar(const float* g, const float* u, float* y, int64_t n);

}  // namespace pocketops::kernels
