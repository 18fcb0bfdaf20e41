// LFM2 forward pass: embedding -> [RMSNorm -> (gated short conv | GQA
// attention) -> residual -> RMSNorm -> SwiGLU FFN -> residual] x n_layer ->
// final norm -> tied output projection.
#include "model/lfm2_model.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "common/error.h"
#include "kernels/attention.h"
#include "kernels/dequantize.h"
#include "kernels/dispatch.h"
#include "kernels/matmul.h"
#include "model/ops.h"

namespace pocketops::model {

namespace {

constexpr int64_t kMicroBatch = 256;  // tokens per internal chunk (bounds scratch memory)

// Grow-only scratch buffer (no allocation per decode step once warm).
float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// Conv state after m more steps: the last L-1 rows of [prev; bx[0..m)].
// out may be prev (in place, forward): row r reads row r + m of prev or a bx
// row, so going upwards never reads a row that was already overwritten.
void conv_state_after(float* out, const float* prev, const float* bx, int64_t m, int64_t L, int64_t d) {
  for (int64_t r = 0; r < L - 1; ++r) {
    const int64_t src = m - (L - 1) + r;
    const float* from = src >= 0 ? bx + src * d : prev + (L - 1 + src) * d;
    std::copy(from, from + d, out + r * d);
  }
}

}  // namespace

std::unique_ptr<Lfm2Model> Lfm2Model::load(const std::string& path) { return from_file(gguf::File::open(path)); }

std::unique_ptr<Lfm2Model> Lfm2Model::from_file(std::unique_ptr<gguf::File> f) {
  std::unique_ptr<Lfm2Model> m(new Lfm2Model());
  m->cfg_ = Lfm2Config::from_gguf(*f);
  m->w_ = Lfm2Weights::bind(*f, m->cfg_);
  m->w_.repack();
  // Long prompts may round attention to BF16 (KernelSet::bf16_attention)
  // only where the matmuls already round at least as much: F32 and F16
  // weights are the oracle / near-exact classes of the conformance fixtures.
  m->bf16_attention_ok_ = true;
  for (const kernels::Matrix* x : m->w_.packable_matrices())
    if (x->data && (x->type == gguf::TensorType::F32 || x->type == gguf::TensorType::F16)) m->bf16_attention_ok_ = false;
  m->file_ = std::move(f);
  m->inv_freq_.resize(m->cfg_.head_dim / 2);
  ops::rope_inv_freq(m->inv_freq_.data(), m->cfg_.head_dim, m->cfg_.rope_base);
  return m;
}

void Lfm2Model::forward(Lfm2State& st, std::span<const int32_t> tokens, std::span<const int64_t> rows, float* out,
                        kernels::ThreadPool& pool, BatchTrace* trace) const {
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n == 0) throw Error("empty batch: nothing to evaluate");
  if (st.n_past() + n > st.n_ctx())
    throw Error("prompt of " + std::to_string(n) + " tokens does not fit: " + std::to_string(st.n_past()) +
                " already in a context of " + std::to_string(st.n_ctx()) + " (use a larger --ctx or a shorter input)");
  for (int64_t i = 0; i < n; ++i)
    if (tokens[i] < 0 || tokens[i] >= cfg_.n_vocab)
      throw Error("token id " + std::to_string(tokens[i]) + " at position " + std::to_string(i) +
                  " is out of range [0, " + std::to_string(cfg_.n_vocab) + ")");
  for (int64_t r : rows)
    if (r < 0 || r >= n) throw Error("requested logits row " + std::to_string(r) + " is outside the batch");
  if (trace) {
    trace->n_past_before = st.n_past();
    trace->n_tokens = n;
    trace->conv_before = st.conv_;
    trace->bx.assign(cfg_.n_layer, {});
    for (int64_t i = 0; i < cfg_.n_layer; ++i)
      if (!cfg_.is_attention(i)) trace->bx[i].resize(static_cast<size_t>(n) * cfg_.n_embd);
  }
  if (n <= kMicroBatch) {  // one chunk: logits rows go straight to out, in request order
    forward_chunk(st, tokens.data(), n, rows.data(), static_cast<int64_t>(rows.size()), 0, out, pool, trace);
    return;
  }
  std::vector<int64_t> chunk_rows;
  std::vector<int64_t> chunk_slots;
  for (int64_t c0 = 0; c0 < n; c0 += kMicroBatch) {
    const int64_t cn = std::min(kMicroBatch, n - c0);
    chunk_rows.clear();
    chunk_slots.clear();
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] >= c0 && rows[i] < c0 + cn) {
        chunk_rows.push_back(rows[i] - c0);
        chunk_slots.push_back(static_cast<int64_t>(i));
      }
    }
    std::vector<float> tmp(chunk_rows.size() * cfg_.n_vocab);
    forward_chunk(st, tokens.data() + c0, cn, chunk_rows.data(), static_cast<int64_t>(chunk_rows.size()), c0,
                  tmp.data(), pool, trace);
    for (size_t i = 0; i < chunk_rows.size(); ++i)
      std::copy(tmp.begin() + i * cfg_.n_vocab, tmp.begin() + (i + 1) * cfg_.n_vocab,
                out + chunk_slots[i] * cfg_.n_vocab);
  }
}

void Lfm2Model::forward_chunk(Lfm2State& st, const int32_t* tokens, int64_t n, const int64_t* rows, int64_t n_rows,
                              int64_t row_base, float* out, kernels::ThreadPool& pool, BatchTrace* trace) const {
  const int64_t d = cfg_.n_embd, ff = cfg_.n_ff, hd = cfg_.head_dim, nh = cfg_.n_head;
  const int64_t L = cfg_.conv_l;
  const float eps = cfg_.norm_eps;
  const int64_t n_past = st.n_past(), n_ctx = st.n_ctx();
  // Per-token elementwise work runs on the pool for batches (prefill,
  // speculative verification); single tokens stay on the caller.
  auto for_tokens = [&](const std::function<void(int64_t)>& fn) {
    if (n >= 4) pool.parallel_for(n, [&](int64_t t, int) { fn(t); });
    else for (int64_t t = 0; t < n; ++t) fn(t);
  };

  thread_local std::vector<float> xb, hb, ab, bb, cb, gb, ub;
  float* x = scratch(xb, n * d);  // residual stream
  float* h = scratch(hb, n * d);  // normed input / mixer output
  // x += o, then h = norm(x) with the next block's weights (none: add only).
  auto residual_then_norm = [&](const float* o, const float* norm) {
    for_tokens([&](int64_t t) { ops::add_rms_norm(x + t * d, o + t * d, norm, h + t * d, d, eps); });
  };
  for (int64_t t = 0; t < n; ++t) {
    const auto& e = w_.tok_embd;
    kernels::matrix_row(e, tokens[t], x + t * d);
  }

  for (int64_t il = 0; il < cfg_.n_layer; ++il) {
    const LayerWeights& lw = w_.layers[il];
    if (il == 0) for_tokens([&](int64_t t) { ops::rms_norm(x + t * d, lw.attn_norm, h + t * d, d, eps); });

    float* mix = scratch(ab, n * d);  // mixer output before out projection
    if (cfg_.is_attention(il)) {
      const int64_t nkv = cfg_.n_head_kv[il], kvd = nkv * hd, group = nh / nkv;
      float* q = scratch(bb, n * d);
      float* kv = scratch(cb, n * 2 * kvd);  // k rows then v rows
      float* k = kv;
      float* v = kv + n * kvd;
      const kernels::MatmulTarget qkv[] = {{&lw.wq, q, d}, {&lw.wk, k, kvd}, {&lw.wv, v, kvd}};
      kernels::matmul_many(qkv, h, d, n, pool);
      uint16_t* kc = st.k[il].data();
      uint16_t* vc = st.v[il].data();
      const kernels::QuantizeFn to_f16 =
          kernels::activation_quantizer(kernels::active_kernels(), gguf::TensorType::F16);
      for_tokens([&](int64_t t) {
        const int64_t pos = n_past + t;
        thread_local std::vector<float> csb;  // this position's RoPE cos / sin, shared by the heads
        float* cs = scratch(csb, hd);
        ops::rope_cos_sin(cs, hd, pos, inv_freq_.data());
        for (int64_t hh = 0; hh < nh; ++hh) {
          float* qh = q + t * d + hh * hd;
          ops::rms_norm(qh, lw.q_norm, qh, hd, eps);
          ops::rope_neox(qh, hd, cs);
        }
        for (int64_t hh = 0; hh < nkv; ++hh) {
          float* kh = k + t * kvd + hh * hd;
          ops::rms_norm(kh, lw.k_norm, kh, hd, eps);
          ops::rope_neox(kh, hd, cs);
          to_f16(kh, kc + (hh * n_ctx + pos) * hd, hd);
          to_f16(v + t * kvd + hh * hd, vc + (hh * n_ctx + pos) * hd, hd);
        }
      });
      const float scale = 1.f / std::sqrt(static_cast<float>(hd));
      // One task per (tile of tokens, kv head): the tile's query heads share
      // each K/V row read. Consecutive tasks take the same kv head (its K/V
      // rows stay in the core's cache from one tile to the next), latest
      // tokens (longest rows) first, so the pool's dynamic hand-out ends on
      // a short task. 16 query rows per tile, or the kernel set's tile for
      // long batches (the amx set converts K and V once per tile and rounds
      // to BF16: only for models whose weights are not F32 / F16).
      const kernels::KernelSet& ks = kernels::active_kernels();
      const bool wide = !trace && n > kernels::kExactBatchTokens && ks.attn_tokens > 0 && bf16_attention_ok_;
      const int64_t tile = wide ? ks.attn_tokens : std::max<int64_t>(1, 16 / group);
      const int64_t n_tiles = (n + tile - 1) / tile;
      pool.parallel_for(n_tiles * nkv, [&](int64_t task, int) {
        const int64_t t0 = (n_tiles - 1 - task % n_tiles) * tile, g = task / n_tiles;
        const int64_t off = t0 * d + g * group * hd;
        kernels::attention_f16({q + off, d, std::min(tile, n - t0), group, kc + g * n_ctx * hd, vc + g * n_ctx * hd,
                                hd, n_past + t0 + 1, hd, scale, mix + off, d, trace != nullptr, wide});
      });
      float* o = scratch(bb, n * d);
      kernels::matmul(lw.wo, mix, d, n, o, d, pool);
      residual_then_norm(o, lw.ffn_norm);
    } else {
      float* bcx = scratch(cb, n * 3 * d);
      kernels::matmul(lw.in_proj, h, d, n, bcx, 3 * d, pool);
      // bx = B * x per token (kept in h, which is free now, for the conv
      // state and the trace), and the depthwise causal conv over [state; bx]
      // (kernel index 0 = oldest step) in the same task: a token's window
      // takes the earlier tokens' B * x from bcx, not from bx, which other
      // tasks may still be writing.
      float* bx = h;
      std::vector<float>& state = st.conv_[il];
      for_tokens([&](int64_t t) {
        float* m = mix + t * d;
        std::fill(m, m + d, 0.f);
        for (int64_t kk = 0; kk < L; ++kk) {  // taps in the reference's summation order
          const int64_t src = t - (L - 1) + kk;  // token index; negative -> state
          const float* w = lw.conv_taps.data() + kk * d;
          if (src >= 0) ops::conv_tap(m, w, bcx + src * 3 * d, bcx + src * 3 * d + 2 * d, d);
          else ops::conv_tap_state(m, w, state.data() + (L - 1 + src) * d, d);
        }
        const float* r = bcx + t * 3 * d;  // B, C (gate), x
        for (int64_t c = 0; c < d; ++c) {
          m[c] *= r[d + c];
          bx[t * d + c] = r[c] * r[2 * d + c];
        }
      });
      if (trace) std::copy(bx, bx + n * d, trace->bx[il].begin() + row_base * d);
      conv_state_after(state.data(), state.data(), bx, n, L, d);  // in place
      float* o = scratch(bb, n * d);
      kernels::matmul(lw.out_proj, mix, d, n, o, d, pool);
      residual_then_norm(o, lw.ffn_norm);
    }

    // SwiGLU feed-forward (h = ffn_norm(x) was computed with the residual add above).
    float* g = scratch(gb, n * ff);
    float* u = scratch(ub, n * ff);
    const kernels::MatmulTarget gate_up[] = {{&lw.ffn_gate, g, ff}, {&lw.ffn_up, u, ff}};
    kernels::matmul_many(gate_up, h, d, n, pool);
    if (n * ff >= 65536)
      pool.parallel_for(n, [&](int64_t t, int) { kernels::swiglu(g + t * ff, u + t * ff, g + t * ff, ff); });
    else
      kernels::swiglu(g, u, g, n * ff);
    float* o = scratch(bb, n * d);
    kernels::matmul(lw.ffn_down, g, ff, n, o, d, pool);
    residual_then_norm(o, il + 1 < cfg_.n_layer ? w_.layers[il + 1].attn_norm : nullptr);
  }
  st.n_past_ += n;

  if (n_rows > 0) {
    float* fin = scratch(hb, n_rows * d);
    for (int64_t r = 0; r < n_rows; ++r) ops::rms_norm(x + rows[r] * d, w_.out_norm, fin + r * d, d, eps);
    kernels::matmul(w_.output, fin, d, n_rows, out, cfg_.n_vocab, pool);
  }
}

void Lfm2Model::rollback(Lfm2State& st, const BatchTrace& trace, int64_t keep) const {
  if (keep < 0 || keep > trace.n_tokens) throw Error("rollback: keep out of range");
  const int64_t d = cfg_.n_embd, L = cfg_.conv_l;
  st.n_past_ = trace.n_past_before + keep;
  for (int64_t il = 0; il < cfg_.n_layer; ++il) {
    if (cfg_.is_attention(il)) continue;
    // state after `keep` of the batch's tokens
    conv_state_after(st.conv_[il].data(), trace.conv_before[il].data(), trace.bx[il].data(), keep, L, d);
  }
}

}  // namespace pocketops::model
