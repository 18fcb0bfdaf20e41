// Building a Tokenizer from GGUF metadata (tokenizer.ggml.*) with full
// validation: every problem ends in one pocketops::Error naming it.
#include <algorithm>

#include "common/error.h"
#include "gguf/gguf_value.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/tokenizer.h"

namespace pocketops::tokenizer {

namespace {

constexpr size_t kMaxVocab = 16u << 20;   // far above any real vocabulary
constexpr size_t kMaxMerges = 16u << 20;

// Pre-tokenizer names that use the llama-3 pattern (LFM2 reuses it).
bool is_llama3_pre(const std::string& pre) {
  static const char* const names[] = {"lfm2", "llama3", "llama-bpe", "llama-v3", "dbrx", "smaug-bpe"};
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return pre == n; });
}

std::string shorten(std::string_view s) {
  std::string out(s.substr(0, 60));
  if (s.size() > 60) out += "...";
  return out;
}

const gguf::Value& array_key(const gguf::File& f, const std::string& key, gguf::ValueType elem, bool numeric) {
  const gguf::Value& v = f.get(key);
  if (!v.is_array()) throw Error("tokenizer: metadata '" + key + "' should be an array, is " + value_type_name(v.type));
  const bool ok = numeric ? gguf::is_integer(v.elem_type) : v.elem_type == elem;
  if (!ok)
    throw Error("tokenizer: metadata '" + key + "' has elements of type " + value_type_name(v.elem_type) +
                (numeric ? ", expected integers" : ", expected strings"));
  return v;
}

}  // namespace

Tokenizer Tokenizer::from_gguf(const gguf::File& f) {
  VocabSpec spec;
  if (!f.find("tokenizer.ggml.model")) throw Error("tokenizer: metadata 'tokenizer.ggml.model' is missing");
  spec.model = f.get_string("tokenizer.ggml.model");
  spec.pre = f.get_string("tokenizer.ggml.pre", "");

  const gguf::Value& toks = array_key(f, "tokenizer.ggml.tokens", gguf::ValueType::STRING, false);
  if (toks.size() == 0 || toks.size() > kMaxVocab)
    throw Error("tokenizer: 'tokenizer.ggml.tokens' has " + std::to_string(toks.size()) + " entries");
  spec.tokens.reserve(toks.size());
  for (uint64_t i = 0; i < toks.size(); ++i) spec.tokens.emplace_back(toks.string_at(i));

  if (f.find("tokenizer.ggml.token_type")) {
    const gguf::Value& types = array_key(f, "tokenizer.ggml.token_type", gguf::ValueType::INT32, true);
    if (types.size() != toks.size())
      throw Error("tokenizer: 'tokenizer.ggml.token_type' has " + std::to_string(types.size()) + " entries but there are " +
                  std::to_string(toks.size()) + " tokens");
    spec.types.reserve(types.size());
    for (uint64_t i = 0; i < types.size(); ++i) {
      const int64_t t = types.int_at(i);
      if (t < 0 || t > 6) throw Error("tokenizer: token " + std::to_string(i) + " has unknown type " + std::to_string(t));
      spec.types.push_back(static_cast<int32_t>(t));
    }
  }
  if (f.find("tokenizer.ggml.merges")) {
    const gguf::Value& merges = array_key(f, "tokenizer.ggml.merges", gguf::ValueType::STRING, false);
    if (merges.size() > kMaxMerges) throw Error("tokenizer: too many merges (" + std::to_string(merges.size()) + ")");
    spec.merges.reserve(merges.size());
    for (uint64_t i = 0; i < merges.size(); ++i) spec.merges.emplace_back(merges.string_at(i));
  }
  spec.bos = f.get_int_opt("tokenizer.ggml.bos_token_id").value_or(-1);
  spec.eos = f.get_int_opt("tokenizer.ggml.eos_token_id").value_or(-1);
  spec.pad = f.get_int_opt("tokenizer.ggml.padding_token_id").value_or(-1);
  if (f.find("tokenizer.ggml.add_bos_token")) spec.add_bos = f.get_bool("tokenizer.ggml.add_bos_token", true);
  if (f.find("tokenizer.ggml.add_eos_token")) spec.add_eos = f.get_bool("tokenizer.ggml.add_eos_token", false);
  return from_spec(spec);
}

Tokenizer Tokenizer::from_spec(const VocabSpec& spec) {
  if (spec.model != "gpt2")
    throw Error("tokenizer: unsupported tokenizer model '" + shorten(spec.model) + "' (only byte-level BPE 'gpt2')");
  if (!is_llama3_pre(spec.pre))
    throw Error("tokenizer: unsupported pre-tokenizer '" + shorten(spec.pre) + "' (supported: lfm2 / llama-3 style)");
  const size_t n = spec.tokens.size();
  if (n == 0 || n > kMaxVocab) throw Error("tokenizer: vocabulary has " + std::to_string(n) + " tokens");
  if (!spec.types.empty() && spec.types.size() != n)
    throw Error("tokenizer: " + std::to_string(spec.types.size()) + " token types for " + std::to_string(n) + " tokens");

  Tokenizer t;
  t.text_ = spec.tokens;
  t.types_.resize(n, TokenType::Normal);
  t.bytes_.resize(n);
  t.text_to_id_.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    if (!spec.types.empty()) {
      const int32_t ty = spec.types[i];
      if (ty < 0 || ty > 6) throw Error("tokenizer: token " + std::to_string(i) + " has unknown type " + std::to_string(ty));
      t.types_[i] = ty == 0 ? TokenType::Normal : static_cast<TokenType>(ty);
    }
    const std::string& s = t.text_[i];
    const TokenType ty = t.types_[i];
    if (ty == TokenType::Control || ty == TokenType::UserDefined || ty == TokenType::Unknown)
      t.bytes_[i] = s;
    else
      t.bytes_[i] = mapped_to_bytes(s);
    if (!s.empty()) t.text_to_id_[s] = static_cast<int32_t>(i);  // later duplicates win, as in the reference
  }
  for (int b = 0; b < 256; ++b) {
    auto it = t.text_to_id_.find(byte_to_mapped(static_cast<uint8_t>(b)));
    t.byte_token_[b] = it == t.text_to_id_.end() ? -1 : it->second;
  }

  for (size_t r = 0; r < spec.merges.size(); ++r) {
    const std::string& m = spec.merges[r];
    const size_t sp = m.find(' ', 1);
    if (sp == std::string::npos)
      throw Error("tokenizer: merge " + std::to_string(r) + " ('" + shorten(m) + "') is not of the form 'left right'");
    const std::string left = m.substr(0, sp), right = m.substr(sp + 1);
    auto li = t.text_to_id_.find(left), ri = t.text_to_id_.find(right);
    if (li == t.text_to_id_.end())
      throw Error("tokenizer: merge " + std::to_string(r) + " references unknown token '" + shorten(left) + "'");
    if (ri == t.text_to_id_.end())
      throw Error("tokenizer: merge " + std::to_string(r) + " references unknown token '" + shorten(right) + "'");
    auto res = t.text_to_id_.find(left + right);
    t.merges_.add(li->second, ri->second, static_cast<int32_t>(r), res == t.text_to_id_.end() ? -1 : res->second);
  }

  auto check_special = [&](int64_t id, const char* what) -> int32_t {
    if (id == -1) return -1;
    if (id < 0 || static_cast<uint64_t>(id) >= n)
      throw Error(std::string("tokenizer: ") + what + " id " + std::to_string(id) + " is out of range (vocab has " +
                  std::to_string(n) + " tokens)");
    return static_cast<int32_t>(id);
  };
  t.bos_ = check_special(spec.bos, "bos");
  t.eos_ = check_special(spec.eos, "eos");
  t.pad_ = check_special(spec.pad, "padding");
  t.add_bos_ = spec.add_bos.value_or(t.bos_ >= 0);
  t.add_eos_ = spec.add_eos.value_or(false);
  if (t.add_bos_ && t.bos_ < 0) throw Error("tokenizer: add_bos_token is set but there is no bos_token_id");

  for (size_t i = 0; i < n; ++i) {
    const TokenType ty = t.types_[i];
    if ((ty == TokenType::Control || ty == TokenType::UserDefined || ty == TokenType::Unknown) && !t.text_[i].empty())
      t.specials_.push_back(static_cast<int32_t>(i));
  }
  std::stable_sort(t.specials_.begin(), t.specials_.end(),
                   [&](int32_t a, int32_t b) { return t.text_[a].size() > t.text_[b].size(); });
  return t;
}

}  // namespace pocketops::tokenizer
