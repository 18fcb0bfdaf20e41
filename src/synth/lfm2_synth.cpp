// Synthetic model writer: shapes, per-tensor type recipes, a small byte-level
// BPE vocabulary with consistent merges, and seeded random weights.
#include "synth/lfm2_synth.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "common/error.h"
#include "gguf/gguf_writer.h"
#include "kernels/quantize.h"
#include "tokenizer/byte_unicode.h"

namespace pocketops::synth {

using gguf::TensorType;

SynthShape synth_shape(const std::string& name) {
  if (name == "lfm2-1.2b") return {name, 2048, 8192, 16, 32, 8, 65536, 128000, {2, 5, 8, 10, 12, 14}};
  if (name == "lfm2-350m") return {name, 1024, 4608, 16, 16, 8, 65536, 128000, {2, 5, 8, 10, 12, 14}};
  if (name == "tiny") return {name, 256, 768, 6, 4, 2, 4112, 4096, {2, 4}};
  throw Error("unknown shape '" + name + "' (choose lfm2-1.2b, lfm2-350m or tiny)");
}

std::vector<std::string> synth_types() {
  return {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k_m", "q5_k_m", "q6_k"};
}

namespace {

// The reference quantizer's "use more bits" layer pattern for *_K_M mixes.
bool more_bits(int64_t i, int64_t n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Approximately normal values (sum of 4 uniforms), scaled.
void fill_random(std::vector<float>& v, uint64_t seed, float scale) {
  uint64_t s = seed;
  for (float& x : v) {
    uint64_t r = splitmix(s);
    float acc = 0;
    for (int k = 0; k < 4; ++k) acc += static_cast<float>((r >> (16 * k)) & 0xFFFF) / 65535.f;
    x = (acc - 2.f) * 1.7320508f * scale;  // var of the sum of 4 U(0,1) = 1/3
  }
}

struct Vocab {
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  std::vector<std::string> merges;
  int32_t bos, eos, pad;
};

// 256 byte tokens, then merged tokens (letter pairs, then triples) up to the
// vocab size minus the LFM2 special tokens, which come last.
Vocab make_vocab(int64_t n_vocab) {
  static const char* kSpecials[] = {"<|pad|>", "<|startoftext|>", "<|endoftext|>", "<|fim_pre|>", "<|fim_mid|>",
                                    "<|fim_suf|>", "<|im_start|>", "<|im_end|>", "<|tool_list_start|>",
                                    "<|tool_list_end|>", "<|tool_call_start|>", "<|tool_call_end|>",
                                    "<|tool_response_start|>", "<|tool_response_end|>", "<think>", "</think>"};
  constexpr int64_t kNumSpecials = 16;
  if (n_vocab < 256 + kNumSpecials) throw Error("synthetic vocab too small");
  Vocab v;
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(tokenizer::byte_to_mapped(static_cast<uint8_t>(b)));
    v.types.push_back(1);
  }
  const std::string alphabet = "etaoinshrdlucmfwypvbgkjqxzETAOINSHRDLUCMFWYPVBGKJQXZ0123456789 ";
  std::vector<std::string> level1;
  for (char c : alphabet) level1.push_back(tokenizer::byte_to_mapped(static_cast<uint8_t>(c)));
  const int64_t target = n_vocab - kNumSpecials;
  std::vector<std::string> prev = level1;
  while (static_cast<int64_t>(v.tokens.size()) < target) {
    std::vector<std::string> next;
    for (const std::string& a : prev) {
      for (const std::string& b : level1) {
        if (static_cast<int64_t>(v.tokens.size()) >= target) break;
        v.merges.push_back(a + " " + b);
        v.tokens.push_back(a + b);
        v.types.push_back(1);
        next.push_back(a + b);
      }
      if (static_cast<int64_t>(v.tokens.size()) >= target) break;
    }
    prev.swap(next);
  }
  const int32_t base = static_cast<int32_t>(v.tokens.size());
  for (const char* s : kSpecials) {
    v.tokens.push_back(s);
    v.types.push_back(3);
  }
  v.pad = base;
  v.bos = base + 1;
  v.eos = base + 7;  // <|im_end|>, as in LFM2.5-Instruct
  return v;
}

// A compact LFM2-style chat template (ChatML turns, tool list in the system
// prompt) so chat tools recognise the family.
const char* kChatTemplate =
    "{{- bos_token -}}{%- set ns = namespace(system_prompt='') -%}"
    "{%- if messages[0]['role'] == 'system' -%}{%- set ns.system_prompt = messages[0]['content'] -%}"
    "{%- set messages = messages[1:] -%}{%- endif -%}"
    "{%- if tools -%}{%- set ns.system_prompt = ns.system_prompt + ('\\n' if ns.system_prompt else '') + "
    "'List of tools: ' + (tools | tojson) -%}{%- endif -%}"
    "{%- if ns.system_prompt -%}{{- '<|im_start|>system\\n' + ns.system_prompt + '<|im_end|>\\n' -}}{%- endif -%}"
    "{%- for message in messages -%}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
    "'<|im_end|>\\n' -}}{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

}  // namespace

TensorType synth_tensor_type(const std::string& type, const std::string& tensor, int64_t layer, int64_t attn_index,
                             const SynthShape& shape) {
  const bool is_norm_or_conv = tensor.find("norm") != std::string::npos || tensor.find("conv.weight") != std::string::npos;
  if (is_norm_or_conv) return TensorType::F32;
  if (type == "f32") return TensorType::F32;
  if (type == "f16") return TensorType::F16;
  if (type == "bf16") return TensorType::BF16;
  if (type == "q8_0") return TensorType::Q8_0;
  if (type == "q6_k") return TensorType::Q6_K;
  const bool embd = tensor == "token_embd.weight";
  if (type == "q4_0" || type == "q4_1" || type == "q5_0" || type == "q5_1") {
    if (embd) return TensorType::Q6_K;  // tied output: the reference keeps it at Q6_K
    TensorType t;
    gguf::type_from_name(type, &t);
    return t;
  }
  if (type == "q4_k_m" || type == "q5_k_m") {
    const TensorType base = type == "q4_k_m" ? TensorType::Q4_K : TensorType::Q5_K;
    if (embd) return TensorType::Q6_K;
    if (tensor.find("ffn_down") != std::string::npos && more_bits(layer, shape.n_layer)) return TensorType::Q6_K;
    if (tensor.find("attn_v") != std::string::npos &&
        more_bits(attn_index, static_cast<int64_t>(shape.attn_layers.size())))
      return TensorType::Q6_K;
    return base;
  }
  throw Error("unknown type '" + type + "' (choose one of f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k_m q5_k_m q6_k)");
}

uint64_t write_synthetic_model(const std::string& path, const SynthShape& sh, const std::string& type, uint64_t seed,
                               SynthProgress* progress) {
  synth_tensor_type(type, "blk.0.ffn_up.weight", 0, 0, sh);  // validates the type name early
  gguf::Writer w;
  w.set("general.architecture", gguf::make_string("lfm2"));
  w.set("general.name", gguf::make_string("pocketops-synthetic-" + sh.name + "-" + type));
  w.set("lfm2.vocab_size", gguf::make_u32(static_cast<uint32_t>(sh.n_vocab)));
  w.set("lfm2.context_length", gguf::make_u32(static_cast<uint32_t>(sh.n_ctx)));
  w.set("lfm2.embedding_length", gguf::make_u32(static_cast<uint32_t>(sh.n_embd)));
  w.set("lfm2.feed_forward_length", gguf::make_u32(static_cast<uint32_t>(sh.n_ff)));
  w.set("lfm2.block_count", gguf::make_u32(static_cast<uint32_t>(sh.n_layer)));
  w.set("lfm2.attention.head_count", gguf::make_u32(static_cast<uint32_t>(sh.n_head)));
  std::vector<int32_t> kv(sh.n_layer, 0);
  for (int64_t a : sh.attn_layers) kv[a] = static_cast<int32_t>(sh.n_head_kv);
  w.set("lfm2.attention.head_count_kv", gguf::make_i32_array(kv));
  w.set("lfm2.rope.freq_base", gguf::make_f32(1e6f));
  w.set("lfm2.attention.layer_norm_rms_epsilon", gguf::make_f32(1e-5f));
  w.set("lfm2.shortconv.l_cache", gguf::make_u32(3));
  Vocab voc = make_vocab(sh.n_vocab);
  w.set("tokenizer.ggml.model", gguf::make_string("gpt2"));
  w.set("tokenizer.ggml.pre", gguf::make_string("lfm2"));
  w.set("tokenizer.ggml.tokens", gguf::make_string_array(voc.tokens));
  w.set("tokenizer.ggml.token_type", gguf::make_i32_array(voc.types));
  w.set("tokenizer.ggml.merges", gguf::make_string_array(voc.merges));
  w.set("tokenizer.ggml.bos_token_id", gguf::make_u32(static_cast<uint32_t>(voc.bos)));
  w.set("tokenizer.ggml.eos_token_id", gguf::make_u32(static_cast<uint32_t>(voc.eos)));
  w.set("tokenizer.ggml.padding_token_id", gguf::make_u32(static_cast<uint32_t>(voc.pad)));
  w.set("tokenizer.ggml.add_bos_token", gguf::make_bool(true));
  w.set("tokenizer.ggml.add_eos_token", gguf::make_bool(false));
  w.set("tokenizer.chat_template", gguf::make_string(kChatTemplate));
  w.set("general.quantization_version", gguf::make_u32(2));

  struct Spec {
    std::string name;
    int64_t cols, rows, layer, attn_index;
    float scale;  // std-dev of the random values
  };
  std::vector<Spec> specs;
  const int64_t d = sh.n_embd, ff = sh.n_ff, hd = sh.n_embd / sh.n_head, kvd = sh.n_head_kv * hd;
  // 0.1: logits of a normalized state get a std-dev near 1.6, like the fixtures.
  specs.push_back({"token_embd.weight", d, sh.n_vocab, -1, -1, 0.1f});
  specs.push_back({"token_embd_norm.weight", d, 1, -1, -1, -1});
  int64_t ai = 0;
  for (int64_t i = 0; i < sh.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    const float sd = 1.f / std::sqrt(static_cast<float>(d)), sf = 1.f / std::sqrt(static_cast<float>(ff));
    specs.push_back({p + "attn_norm.weight", d, 1, i, -1, -1});
    specs.push_back({p + "ffn_norm.weight", d, 1, i, -1, -1});
    specs.push_back({p + "ffn_gate.weight", d, ff, i, -1, sd});
    specs.push_back({p + "ffn_up.weight", d, ff, i, -1, sd});
    specs.push_back({p + "ffn_down.weight", ff, d, i, -1, sf});
    bool attn = std::find(sh.attn_layers.begin(), sh.attn_layers.end(), i) != sh.attn_layers.end();
    if (attn) {
      specs.push_back({p + "attn_q.weight", d, d, i, ai, sd});
      specs.push_back({p + "attn_k.weight", d, kvd, i, ai, sd});
      specs.push_back({p + "attn_v.weight", d, kvd, i, ai, sd});
      specs.push_back({p + "attn_output.weight", d, d, i, ai, sd});
      specs.push_back({p + "attn_q_norm.weight", hd, 1, i, ai, -1});
      specs.push_back({p + "attn_k_norm.weight", hd, 1, i, ai, -1});
      ++ai;
    } else {
      specs.push_back({p + "shortconv.in_proj.weight", d, 3 * d, i, -1, sd});
      specs.push_back({p + "shortconv.out_proj.weight", d, d, i, -1, sd});
      specs.push_back({p + "shortconv.conv.weight", 3, d, i, -1, 0.5f});
    }
  }
  for (size_t k = 0; k < specs.size(); ++k) {
    const Spec& s = specs[k];
    TensorType t = synth_tensor_type(type, s.name, s.layer, s.attn_index, sh);
    std::vector<float> vals(static_cast<size_t>(s.cols * s.rows));
    if (s.scale < 0) {
      fill_random(vals, seed * 1000003 + k, 0.1f);
      for (float& x : vals) x += 1.f;  // norm weights near 1
    } else {
      fill_random(vals, seed * 1000003 + k, s.scale);
    }
    std::vector<int64_t> ne = s.rows == 1 ? std::vector<int64_t>{s.cols} : std::vector<int64_t>{s.cols, s.rows};
    w.add_tensor(s.name, t, ne, kernels::quantize_matrix(t, vals.data(), s.rows, s.cols));
    if (progress) progress->tensor_done(s.name, k + 1, specs.size());
  }
  w.write(path);
  return std::filesystem::file_size(path);
}

}  // namespace pocketops::synth
