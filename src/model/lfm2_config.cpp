// Metadata -> Lfm2Config with range checks (hostile files get clear errors).
#include "model/lfm2_config.h"

#include "common/error.h"

namespace pocketops::model {

int64_t Lfm2Config::n_attn_layers() const {
  int64_t n = 0;
  for (int64_t h : n_head_kv) n += h > 0;
  return n;
}

int64_t Lfm2Config::max_kv_dim() const {
  int64_t m = 0;
  for (int64_t h : n_head_kv) m = std::max(m, h * head_dim);
  return m;
}

Lfm2Config Lfm2Config::from_gguf(const gguf::File& f) {
  Lfm2Config c;
  const std::string& path = f.path();
  c.arch = f.get_string("general.architecture");
  if (c.arch.empty()) throw Error(path + ": missing metadata key 'general.architecture'");
  if (c.arch != "lfm2")
    throw Error(path + ": architecture '" + c.arch + "' is not supported (pocketops runs LFM2 / LFM2.5 models, 'lfm2')");
  c.name = f.get_string("general.name");
  const std::string p = c.arch + ".";
  auto ranged = [&](const std::string& key, int64_t lo, int64_t hi) {
    int64_t v = f.get_int(key);
    if (v < lo || v > hi)
      throw Error(path + ": metadata '" + key + "' = " + std::to_string(v) + " is out of range [" + std::to_string(lo) +
                  ", " + std::to_string(hi) + "]");
    return v;
  };
  c.n_embd = ranged(p + "embedding_length", 1, 1 << 16);
  c.n_ff = ranged(p + "feed_forward_length", 1, 1 << 18);
  c.n_layer = ranged(p + "block_count", 1, 512);
  c.n_head = ranged(p + "attention.head_count", 1, 1024);
  c.n_ctx_train = ranged(p + "context_length", 1, 1 << 24);
  if (f.find(p + "shortconv.l_cache")) c.conv_l = ranged(p + "shortconv.l_cache", 2, 64);
  c.rope_base = static_cast<float>(f.get_float(p + "rope.freq_base", 1e6));
  c.norm_eps = static_cast<float>(f.get_float(p + "attention.layer_norm_rms_epsilon", 1e-5));
  if (!(c.rope_base > 0) || !(c.norm_eps > 0) || !(c.norm_eps < 1))
    throw Error(path + ": rope.freq_base / layer_norm_rms_epsilon out of range");
  if (c.n_embd % c.n_head != 0)
    throw Error(path + ": embedding_length " + std::to_string(c.n_embd) + " is not divisible by head_count " +
                std::to_string(c.n_head));
  c.head_dim = c.n_embd / c.n_head;
  if (c.head_dim % 2 != 0) throw Error(path + ": head dimension must be even for RoPE");

  const std::string kv_key = p + "attention.head_count_kv";
  const gguf::Value& kv = f.get(kv_key);
  c.n_head_kv.assign(c.n_layer, 0);
  if (kv.is_array()) {
    if (kv.size() != static_cast<uint64_t>(c.n_layer))
      throw Error(path + ": metadata '" + kv_key + "' has " + std::to_string(kv.size()) + " entries, block_count is " +
                  std::to_string(c.n_layer));
    for (int64_t i = 0; i < c.n_layer; ++i) c.n_head_kv[i] = kv.int_at(i);
  } else {
    // A scalar would make every layer attention; LFM2 files always use the array.
    for (auto& h : c.n_head_kv) h = kv.as_int();
  }
  for (int64_t i = 0; i < c.n_layer; ++i) {
    int64_t h = c.n_head_kv[i];
    if (h < 0 || h > c.n_head || (h > 0 && c.n_head % h != 0))
      throw Error(path + ": metadata '" + kv_key + "'[" + std::to_string(i) + "] = " + std::to_string(h) +
                  " must be 0 (short-conv) or divide head_count " + std::to_string(c.n_head));
  }
  const gguf::Value* toks = f.find("tokenizer.ggml.tokens");
  if (f.find(p + "vocab_size")) c.n_vocab = ranged(p + "vocab_size", 1, 1 << 22);
  else if (toks) c.n_vocab = static_cast<int64_t>(toks->size());
  return c;
}

}  // namespace pocketops::model
