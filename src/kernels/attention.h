// Row kernels of the forward pass outside the matmuls: GQA attention over an
// F16 KV cache and the SwiGLU gate, dispatched like the dot products (SIMD
// set when available, else the scalar reference in attention.cpp).
#pragma once
#include <cstdint>

namespace pocketops::kernels {

struct KernelSet;

// Causal GQA attention for a tile of n_tok consecutive query tokens that
// share one KV head. Token t has n_q query heads at q + t*q_stride
// (contiguous, hd floats each) and sees the positions j < npos0 + t (npos0 >=
// 1); out + t*out_stride receives, per head h, softmax_j(scale * q_h . K_j) . V
// with K_j = k + j*kv_stride and V_j = v + j*kv_stride (F16, hd values each).
struct AttnTile {
  const float* q;
  int64_t q_stride;
  int64_t n_tok;
  int64_t n_q;
  const uint16_t* k;
  const uint16_t* v;
  int64_t kv_stride;
  int64_t npos0;
  int64_t hd;
  float scale;
  float* out;
  int64_t out_stride;
  // Each query row's result must not depend on the tile it is in (set for
  // speculative verification batches, which must reproduce decode bit for
  // bit); off, a kernel may use a faster tile-wide summation order.
  bool exact = false;
  // The caller accepts q, k, softmax weights and v rounded to BF16 (long
  // prompts of models whose matmuls round as much; KernelSet::bf16_attention
  // says whether a set's kernel then does).
  bool bf16_ok = false;
};
// Scratch floats an attention kernel may use for the scores of a tile.
int64_t attention_scratch(const AttnTile& a);

void attention_f16(const AttnTile& a);
void attention_f16_with(const KernelSet& ks, const AttnTile& a);

// y[i] = silu(g[i]) * u[i] (y may alias g).
void swiglu(const float* g, const float* u, float* y, int64_t n);
void swiglu_with(const KernelSet& ks, const float* g, const float* u, float* y, int64_t n);

// Scalar references.
void attention_f16_scalar(const AttnTile& a, float* scores);
void swiglu_scalar(const float* g, const float* u, float* y, int64_t n);

}  // namespace pocketops::kernels
