// Synthetic LFM2 GGUF files with the real architecture, metadata and tensor
// names and seeded random weights, so anyone can benchmark or test without
// downloading a model. Type mixes follow the reference quantizer's recipes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gguf/tensor_type.h"

namespace pocketops::synth {

struct SynthShape {
  std::string name;
  int64_t n_embd, n_ff, n_layer, n_head, n_head_kv, n_vocab, n_ctx;
  std::vector<int64_t> attn_layers;
};

// "lfm2-1.2b", "lfm2-350m", "tiny"; throws Error for unknown names.
SynthShape synth_shape(const std::string& name);
// "f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k_m", "q5_k_m", "q6_k".
std::vector<std::string> synth_types();

struct SynthProgress {
  virtual ~SynthProgress() = default;
  virtual void tensor_done(const std::string& name, size_t index, size_t total) = 0;
};

// Writes the file; returns its size in bytes.
uint64_t write_synthetic_model(const std::string& path, const SynthShape& shape, const std::string& type,
                               uint64_t seed, SynthProgress* progress = nullptr);

// The tensor type the recipe `type` gives a tensor (exposed for tests).
gguf::TensorType synth_tensor_type(const std::string& type, const std::string& tensor, int64_t layer,
                                   int64_t attn_index, const SynthShape& shape);

}  // namespace pocketops::synth
