// The LFM2 model: config + weight views over the mmapped GGUF, and the forward
// pass (batched prefill and single-token decode share one code path).
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gguf/gguf_reader.h"
#include "kernels/thread_pool.h"
#include "model/lfm2_config.h"
#include "model/lfm2_state.h"
#include "model/lfm2_weights.h"

namespace pocketops::model {

// Per-layer short-conv inputs (B*x rows) of the last batch, for exact rollback.
struct BatchTrace {
  int64_t n_past_before = 0;
  int64_t n_tokens = 0;
  std::vector<std::vector<float>> conv_before;  // conv state before the batch
  std::vector<std::vector<float>> bx;           // per conv layer: [n_tokens][n_embd]
};

class Lfm2Model {
 public:
  // Opens, validates and binds a GGUF file (weights stay mmapped).
  static std::unique_ptr<Lfm2Model> load(const std::string& path);
  static std::unique_ptr<Lfm2Model> from_file(std::unique_ptr<gguf::File> f);

  const Lfm2Config& config() const { return cfg_; }
  const gguf::File& file() const { return *file_; }
  const Lfm2Weights& weights() const { return w_; }
  int64_t n_vocab() const { return cfg_.n_vocab; }

  // Runs n tokens at positions state.n_past()...; appends to the KV cache and
  // advances the conv state. For each index in `rows` (batch positions, any
  // order) writes n_vocab logits into out (rows.size() * n_vocab floats).
  // Throws Error for bad token ids or context overflow (state unchanged).
  // With a trace (speculative verification, which rollback may undo), a
  // batch of up to kernels::kExactBatchTokens tokens gives each token the
  // logits and cache entries single-token calls give it, bit for bit;
  // without one, multi-token batches may use a faster attention order.
  void forward(Lfm2State& st, std::span<const int32_t> tokens, std::span<const int64_t> rows, float* out,
               kernels::ThreadPool& pool, BatchTrace* trace = nullptr) const;

  // Rewinds a state to keep only the first `keep` tokens of the batch recorded
  // in trace (0 <= keep <= trace.n_tokens).
  void rollback(Lfm2State& st, const BatchTrace& trace, int64_t keep) const;

 private:
  void forward_chunk(Lfm2State& st, const int32_t* tokens, int64_t n, const int64_t* rows, int64_t n_rows,
                     int64_t row_base, float* out, kernels::ThreadPool& pool, BatchTrace* trace) const;

  std::unique_ptr<gguf::File> file_;
  Lfm2Config cfg_;
  Lfm2Weights w_;
  std::vector<float> inv_freq_;
  bool bf16_attention_ok_ = false;  // layer weights round at least as much as BF16 (see from_file)
};

}  // namespace pocketops::model
