// Fuzzes tokenization and streaming detokenization of arbitrary bytes with a
// small byte-level vocabulary built in memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/tokenizer.h"

namespace {
const pocketops::tokenizer::Tokenizer& tok() {
  static const pocketops::tokenizer::Tokenizer t = [] {
    pocketops::tokenizer::VocabSpec s;
    auto enc = [](int b) { return pocketops::tokenizer::byte_to_mapped(static_cast<uint8_t>(b)); };
    for (int b = 0; b < 256; ++b) s.tokens.push_back(enc(b));
    s.merges = {enc('t') + " " + enc('h'), enc('t') + enc('h') + " " + enc('e'), enc(' ') + " " + enc(' ')};
    s.tokens.push_back(enc('t') + enc('h'));
    s.tokens.push_back(enc('t') + enc('h') + enc('e'));
    s.tokens.push_back(enc(' ') + enc(' '));
    s.tokens.push_back("<|im_end|>");
    s.types.assign(s.tokens.size(), 1);
    s.types.back() = 3;
    s.eos = static_cast<int64_t>(s.tokens.size()) - 1;
    return pocketops::tokenizer::Tokenizer::from_spec(s);
  }();
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ids = tok().encode(text, false, size % 2 == 0);
  pocketops::tokenizer::StreamDecoder d(tok());
  std::string out;
  for (int32_t id : ids) out += d.push(id);
  out += d.flush();
  (void)tok().decode(ids);
  return 0;
}
