// Encoding (special-token partition, pre-tokenizer, BPE) and decoding of a
// loaded Tokenizer.
#include "tokenizer/tokenizer.h"

#include <climits>

#include "common/error.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenize.h"

namespace pocketops::tokenizer {

void Tokenizer::check_id(int32_t id) const {
  if (id < 0 || id >= n_vocab())
    throw Error("token id " + std::to_string(id) + " is out of range (vocab has " + std::to_string(n_vocab()) + " tokens)");
}

TokenType Tokenizer::type(int32_t id) const {
  check_id(id);
  return types_[id];
}

const std::string& Tokenizer::token_text(int32_t id) const {
  check_id(id);
  return text_[id];
}

std::string Tokenizer::token_bytes(int32_t id) const {
  check_id(id);
  return bytes_[id];
}

std::optional<int32_t> Tokenizer::find_token(std::string_view text) const {
  auto it = text_to_id_.find(std::string(text));
  if (it == text_to_id_.end()) return std::nullopt;
  return it->second;
}

std::vector<Tokenizer::Fragment> Tokenizer::partition(std::string_view text, bool parse_special) const {
  std::vector<Fragment> frags;
  if (text.empty()) return frags;
  frags.push_back({0, text.size(), -1});
  std::vector<Fragment> next;
  // Longest special texts first; each one splits every raw fragment at all of
  // its non-overlapping occurrences, left to right.
  for (int32_t id : specials_) {
    if (!parse_special && types_[id] != TokenType::UserDefined) continue;
    const std::string& s = text_[id];
    if (s.size() > text.size() || text.find(s) == std::string_view::npos) continue;
    next.clear();
    for (const Fragment& f : frags) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      const size_t end = f.offset + f.length;
      const std::string_view region = text.substr(0, end);
      size_t pos = f.offset;
      for (;;) {
        const size_t m = region.find(s, pos);
        if (m == std::string_view::npos) break;
        if (m > pos) next.push_back({pos, m - pos, -1});
        next.push_back({m, s.size(), id});
        pos = m + s.size();
      }
      if (pos < end) next.push_back({pos, end - pos, -1});
    }
    frags.swap(next);
  }
  return frags;
}

void Tokenizer::encode_text(std::string_view text, std::vector<int32_t>& out) const {
  const PreTokens pre = pretokenize_llama3(text);
  BpeMerges::Scratch scratch;
  std::vector<int32_t> ids;
  std::vector<BpeMerges::Piece> pieces;
  std::string mapped;
  size_t start = 0;
  for (size_t end : pre.ends) {
    const std::string_view word(pre.text.data() + start, end - start);
    start = end;
    mapped.clear();
    for (unsigned char c : word) mapped += byte_to_mapped(c);
    if (ignore_merges_) {
      auto it = text_to_id_.find(mapped);
      if (it != text_to_id_.end()) {
        out.push_back(it->second);
        continue;
      }
    }
    ids.resize(word.size());
    for (size_t i = 0; i < word.size(); ++i) ids[i] = byte_token_[static_cast<unsigned char>(word[i])];
    pieces.clear();
    merges_.apply(ids.data(), ids.size(), pieces, scratch);
    for (const auto& p : pieces) {
      if (p.id >= 0) {
        out.push_back(p.id);
        continue;
      }
      // Not a vocab entry: the reference falls back to looking up each byte of
      // the piece's byte-mapped text as a one-byte token (usually finding none).
      std::string piece_text;
      for (uint32_t k = 0; k < p.len; ++k) piece_text += byte_to_mapped(static_cast<unsigned char>(word[p.start + k]));
      for (char c : piece_text) {
        auto it = text_to_id_.find(std::string(1, c));
        if (it != text_to_id_.end()) out.push_back(it->second);
      }
    }
  }
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
  if (text.size() > static_cast<size_t>(INT32_MAX))
    throw Error("text of " + std::to_string(text.size()) + " bytes is too large to tokenize (limit 2 GiB)");
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (add_bos && bos_ >= 0) out.push_back(bos_);
  for (const Fragment& f : partition(text, parse_special)) {
    if (f.token >= 0)
      out.push_back(f.token);
    else
      encode_text(text.substr(f.offset, f.length), out);
  }
  return out;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text) const { return encode(text, add_bos_, false); }

std::string Tokenizer::piece(int32_t id, bool render_special) const {
  check_id(id);
  switch (types_[id]) {
    case TokenType::Control:
    case TokenType::Unknown:
      return render_special ? bytes_[id] : std::string();
    case TokenType::Unused:
      return std::string();
    default:
      return bytes_[id];
  }
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool render_special) const {
  std::string out;
  for (int32_t id : ids) {
    check_id(id);
    const TokenType ty = types_[id];
    if (ty == TokenType::Unused) continue;
    if ((ty == TokenType::Control || ty == TokenType::Unknown) && !render_special) continue;
    out += bytes_[id];
  }
  return out;
}

}  // namespace pocketops::tokenizer
