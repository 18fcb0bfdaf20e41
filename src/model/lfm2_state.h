// Per-sequence inference state: F16 KV cache for the attention layers and the
// rolling (L-1)-step state of each short-conv layer; snapshots for prefix
// reuse and exact rollback after speculative verification.
#pragma once
#include <cstdint>
#include <vector>

#include "model/lfm2_config.h"

namespace pocketops::model {

struct ConvSnapshot {
  int64_t n_past = 0;
  std::vector<std::vector<float>> conv;  // per layer (empty for attention layers)
};

class Lfm2State {
 public:
  Lfm2State(const Lfm2Config& cfg, int64_t n_ctx);

  int64_t n_ctx() const { return n_ctx_; }
  int64_t n_past() const { return n_past_; }
  void reset();
  size_t kv_bytes() const;
  // What kv_bytes() is for a state of n_ctx positions, without allocating it.
  static size_t kv_bytes_for(const Lfm2Config& cfg, int64_t n_ctx);

  // Exact restore point (KV entries past n_past are simply ignored later).
  ConvSnapshot snapshot() const { return {n_past_, conv_}; }
  void restore(const ConvSnapshot& s) {
    n_past_ = s.n_past;
    conv_ = s.conv;
  }

  // Storage used by the forward pass.
  // per layer: [n_head_kv][n_ctx][head_dim] F16 (head-major: attention reads
  // one KV head's rows as one contiguous stream)
  std::vector<std::vector<uint16_t>> k, v;
  std::vector<std::vector<float>> conv_;    // per layer: [(conv_l-1)][n_embd]
  int64_t n_past_ = 0;

 private:
  int64_t n_ctx_;
};

}  // namespace pocketops::model
