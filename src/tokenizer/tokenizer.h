// Byte-level BPE tokenizer of LFM2/LFM2.5 GGUF files (tokenizer.ggml.model
// "gpt2", llama-3 style pre-tokenizer), matching the reference engine's
// token ids; plus decoding and a UTF-8 safe streaming detokenizer.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_reader.h"
#include "tokenizer/bpe.h"

namespace pocketops::tokenizer {

enum class TokenType : int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

// What a GGUF file's tokenizer section holds, already read into memory (lets
// tests build tokenizers without a file).
struct VocabSpec {
  std::string model = "gpt2";
  std::string pre = "lfm2";
  std::vector<std::string> tokens;
  std::vector<int32_t> types;      // empty: all Normal
  std::vector<std::string> merges; // "left right", rank = index
  int64_t bos = -1, eos = -1, pad = -1;
  std::optional<bool> add_bos, add_eos;
};

class Tokenizer {
 public:
  // Reads tokenizer.ggml.* and validates it (tokens/types/merges consistent,
  // ids in range); throws pocketops::Error naming the problem.
  static Tokenizer from_gguf(const gguf::File& f);
  static Tokenizer from_spec(const VocabSpec& spec);

  // add_bos: prepend the BOS id (when the vocab has one). parse_special: text
  // of control / user-defined tokens becomes those tokens; without it only
  // user-defined tokens are split out (as the reference engine does).
  std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const;
  std::vector<int32_t> encode(std::string_view text) const;  // add_bos from metadata, no special parsing

  // Bytes of the ids concatenated. Control/unknown tokens render their text
  // only when render_special; unused tokens render nothing. Throws on ids out of range.
  std::string decode(const std::vector<int32_t>& ids, bool render_special = false) const;
  // Bytes one token contributes to decode() (same rules); throws when out of range.
  std::string piece(int32_t id, bool render_special = false) const;
  std::string token_bytes(int32_t id) const;                 // raw bytes (control tokens: their text)
  const std::vector<std::string>& all_token_bytes() const { return bytes_; }
  const std::string& token_text(int32_t id) const;           // vocab entry as stored (byte-mapped form)

  int32_t n_vocab() const { return static_cast<int32_t>(text_.size()); }
  int32_t bos() const { return bos_; }
  int32_t eos() const { return eos_; }
  int32_t pad() const { return pad_; }
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }  // informational: encode() never appends EOS
  TokenType type(int32_t id) const;
  bool is_control(int32_t id) const { return type(id) == TokenType::Control; }
  std::optional<int32_t> find_token(std::string_view text) const;
  size_t n_merges() const { return merges_.size(); }

 private:
  void check_id(int32_t id) const;
  void encode_text(std::string_view text, std::vector<int32_t>& out) const;
  struct Fragment {
    size_t offset, length;
    int32_t token;  // -1: raw text
  };
  std::vector<Fragment> partition(std::string_view text, bool parse_special) const;

  std::vector<std::string> text_;
  std::vector<std::string> bytes_;
  std::vector<TokenType> types_;
  std::unordered_map<std::string, int32_t> text_to_id_;
  std::vector<int32_t> specials_;  // control / user-defined / unknown ids, longest text first
  int32_t byte_token_[256];        // id of each byte's one-character vocab entry, -1 when absent
  BpeMerges merges_;
  int32_t bos_ = -1, eos_ = -1, pad_ = -1;
  bool add_bos_ = false, add_eos_ = false;
  bool ignore_merges_ = true;
};

// Streaming detokenization: push() returns only complete UTF-8; bytes of a
// character split across tokens are held back. Invalid bytes are replaced by
// U+FFFD, so everything returned is valid UTF-8. flush() emits what is left
// (an incomplete tail becomes U+FFFD) and resets the decoder.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& t, bool render_special = false) : tok_(&t), render_special_(render_special) {}
  std::string push(int32_t id);
  std::string flush();
  size_t pending() const { return pending_.size(); }

 private:
  const Tokenizer* tok_;
  bool render_special_;
  std::string pending_;
};

// Moves the longest valid-UTF-8 prefix of `pending` out (invalid bytes become
// U+FFFD); an incomplete sequence at the end stays in `pending` unless `final`.
std::string drain_utf8(std::string& pending, bool final);

}  // namespace pocketops::tokenizer
