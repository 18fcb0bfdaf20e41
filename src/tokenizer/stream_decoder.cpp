// Streaming detokenizer: holds back the bytes of a UTF-8 character that is
// split across tokens, and replaces invalid bytes with U+FFFD.
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace pocketops::tokenizer {

std::string drain_utf8(std::string& pending, bool final) {
  std::string out;
  out.reserve(pending.size());
  size_t i = 0;
  while (i < pending.size()) {
    const int r = check_utf8_at(pending, i);
    if (r > 0) {
      out.append(pending, i, static_cast<size_t>(r));
      i += static_cast<size_t>(r);
    } else if (r == 0) {  // valid start of a character whose rest has not arrived yet
      if (!final) break;
      append_utf8(out, kReplacementChar);
      i = pending.size();
    } else {
      append_utf8(out, kReplacementChar);
      i += static_cast<size_t>(-r);
    }
  }
  pending.erase(0, i);
  return out;
}

std::string StreamDecoder::push(int32_t id) {
  pending_ += tok_->piece(id, render_special_);
  return drain_utf8(pending_, false);
}

std::string StreamDecoder::flush() { return drain_utf8(pending_, true); }

}  // namespace pocketops::tokenizer
