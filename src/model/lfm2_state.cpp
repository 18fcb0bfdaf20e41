// Allocation and reset of the KV cache and conv state.
#include "model/lfm2_state.h"

#include <algorithm>

#include "common/error.h"

namespace pocketops::model {

namespace {
// F16 values in one of attention layer i's K (or V) caches for n_ctx tokens.
size_t kv_values(const Lfm2Config& cfg, int64_t i, int64_t n_ctx) {
  return static_cast<size_t>(n_ctx) * cfg.n_head_kv[i] * cfg.head_dim;
}
}  // namespace

Lfm2State::Lfm2State(const Lfm2Config& cfg, int64_t n_ctx) : n_ctx_(n_ctx) {
  if (n_ctx < 1) throw Error("context size must be at least 1");
  k.resize(cfg.n_layer);
  v.resize(cfg.n_layer);
  conv_.resize(cfg.n_layer);
  for (int64_t i = 0; i < cfg.n_layer; ++i) {
    if (cfg.is_attention(i)) {
      const size_t n = kv_values(cfg, i, n_ctx);
      k[i].assign(n, 0);
      v[i].assign(n, 0);
    } else {
      conv_[i].assign(static_cast<size_t>(cfg.conv_l - 1) * cfg.n_embd, 0.f);
    }
  }
}

void Lfm2State::reset() {
  n_past_ = 0;
  for (auto& c : conv_) std::fill(c.begin(), c.end(), 0.f);
}

size_t Lfm2State::kv_bytes_for(const Lfm2Config& cfg, int64_t n_ctx) {
  size_t b = 0;
  for (int64_t i = 0; i < cfg.n_layer; ++i)
    if (cfg.is_attention(i)) b += 2 * kv_values(cfg, i, n_ctx) * sizeof(uint16_t);
  return b;
}

size_t Lfm2State::kv_bytes() const {
  size_t b = 0;
  for (size_t i = 0; i < k.size(); ++i) b += (k[i].size() + v[i].size()) * sizeof(uint16_t);
  return b;
}

}  // namespace pocketops::model
