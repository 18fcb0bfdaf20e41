// Views of the LFM2 weight tensors inside the mapped GGUF, shape-checked.
#pragma once
#include <memory>
#include <vector>

#include "gguf/gguf_reader.h"
#include "kernels/matmul.h"
#include "model/lfm2_config.h"

namespace pocketops::model {

struct LayerWeights {
  const float* attn_norm = nullptr;  // [n_embd]
  const float* ffn_norm = nullptr;   // [n_embd]
  kernels::Matrix ffn_gate, ffn_up, ffn_down;
  // attention layers
  kernels::Matrix wq, wk, wv, wo;
  const float* q_norm = nullptr;     // [head_dim]
  const float* k_norm = nullptr;     // [head_dim]
  // short-conv layers
  kernels::Matrix in_proj, out_proj;
  // short-conv kernel as [conv_l][n_embd]: the file's [n_embd][conv_l]
  // transposed at load, one contiguous row per tap
  std::vector<float> conv_taps;
};

struct Lfm2Weights {
  kernels::Matrix tok_embd;        // [n_vocab][n_embd]
  kernels::Matrix output;          // tied to tok_embd unless output.weight exists
  const float* out_norm = nullptr; // token_embd_norm.weight
  std::vector<LayerWeights> layers;

  // Repacked copies of the layer matrices (see repack()); owned here.
  std::vector<std::shared_ptr<const uint8_t>> packed;
  size_t packed_bytes = 0;

  // The matrices repack() packs: the output projection (packed even when
  // tied to the embedding table), then every layer's (a layer's unused ones
  // have no data).
  std::vector<kernels::Matrix*> packable_matrices();
  std::vector<const kernels::Matrix*> packable_matrices() const;

  // Finds every tensor, checks shapes and types; throws Error naming the tensor.
  static Lfm2Weights bind(const gguf::File& f, Lfm2Config& cfg);
  // Repacks the layer matrices and the output projection into the active kernel set's layout (when it
  // has one for their type) and releases the mmapped originals' pages, so the
  // resident size stays about one copy of the weights. POCKETOPS_REPACK=0 disables it.
  void repack();
};

}  // namespace pocketops::model
