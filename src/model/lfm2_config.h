// LFM2 hyperparameters read from `lfm2.*` metadata, validated for consistency.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_reader.h"

namespace pocketops::model {

struct Lfm2Config {
  std::string arch;            // "lfm2"
  std::string name;            // general.name
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_ff = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t head_dim = 0;
  int64_t n_ctx_train = 0;
  int64_t conv_l = 3;          // shortconv.l_cache
  float rope_base = 1e6f;
  float norm_eps = 1e-5f;
  std::vector<int64_t> n_head_kv;  // per layer; 0 = short-conv layer

  bool is_attention(int64_t layer) const { return n_head_kv[layer] > 0; }
  int64_t n_attn_layers() const;
  int64_t max_kv_dim() const;   // max over layers of n_head_kv * head_dim

  // Reads and validates; throws pocketops::Error naming the key at fault.
  static Lfm2Config from_gguf(const gguf::File& f);
};

}  // namespace pocketops::model
