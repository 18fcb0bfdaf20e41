// Builds small GGUF tokenizers in memory (pocketops::gguf::Writer ->
// File::from_bytes) so tests control every token, type and merge.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/tokenizer.h"

namespace tokenizer_test {

struct SynthVocab {
  std::string model = "gpt2";
  std::string pre = "lfm2";
  std::vector<std::string> tokens;  // byte-mapped texts
  std::vector<int32_t> types;
  std::vector<std::string> merges;
  std::optional<int64_t> bos, eos, pad;
  std::optional<bool> add_bos;
  bool write_types = true;

  // 256 byte tokens (ids 0-255 in byte order) as in the fixture vocab.
  SynthVocab() {
    for (int b = 0; b < 256; ++b) {
      tokens.push_back(pocketops::tokenizer::byte_to_mapped(static_cast<uint8_t>(b)));
      types.push_back(1);
    }
  }
  // Adds a token given by its raw bytes; returns its id.
  int32_t add(const std::string& raw, int32_t type = 1) {
    tokens.push_back(type == 3 || type == 4 ? raw : pocketops::tokenizer::bytes_to_mapped(raw));
    types.push_back(type);
    return static_cast<int32_t>(tokens.size() - 1);
  }
  // Adds the merge of two raw strings (and, unless told otherwise, its result token).
  int32_t merge(const std::string& l, const std::string& r, bool add_result = true) {
    merges.push_back(pocketops::tokenizer::bytes_to_mapped(l) + " " + pocketops::tokenizer::bytes_to_mapped(r));
    return add_result ? add(l + r) : -1;
  }

  std::vector<uint8_t> gguf_bytes() const {
    pocketops::gguf::Writer w;
    w.set("general.architecture", pocketops::gguf::make_string("lfm2"));
    w.set("tokenizer.ggml.model", pocketops::gguf::make_string(model));
    w.set("tokenizer.ggml.pre", pocketops::gguf::make_string(pre));
    w.set("tokenizer.ggml.tokens", pocketops::gguf::make_string_array(tokens));
    if (write_types) w.set("tokenizer.ggml.token_type", pocketops::gguf::make_i32_array(types));
    w.set("tokenizer.ggml.merges", pocketops::gguf::make_string_array(merges));
    if (bos) w.set("tokenizer.ggml.bos_token_id", pocketops::gguf::make_u32(static_cast<uint32_t>(*bos)));
    if (eos) w.set("tokenizer.ggml.eos_token_id", pocketops::gguf::make_u32(static_cast<uint32_t>(*eos)));
    if (pad) w.set("tokenizer.ggml.padding_token_id", pocketops::gguf::make_u32(static_cast<uint32_t>(*pad)));
    if (add_bos) w.set("tokenizer.ggml.add_bos_token", pocketops::gguf::make_bool(*add_bos));
    return w.to_bytes();
  }
  std::unique_ptr<pocketops::gguf::File> file() const {
    const auto b = gguf_bytes();
    return pocketops::gguf::File::from_bytes(b.data(), b.size());
  }
  pocketops::tokenizer::Tokenizer build() const { return pocketops::tokenizer::Tokenizer::from_gguf(*file()); }
};

}  // namespace tokenizer_test
