// Tokenizing a rendered chat: special-token text counts only inside special
// (structure) segments; the text between special tokens is encoded as plain
// text in one piece, so BPE sees the same fragments as the reference does.
#include <map>
#include <optional>

#include "chat/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace pocketops::chat {

namespace {

constexpr size_t kMaxSpecialLen = 64;

// Is s the text of a special (control) token? It must be one vocab entry that
// tokenizes to itself only when specials are parsed.
std::optional<int32_t> special_id(const tokenizer::Tokenizer& tok, const std::string& s,
                                  std::map<std::string, std::optional<int32_t>>& cache) {
  auto it = cache.find(s);
  if (it != cache.end()) return it->second;
  std::optional<int32_t> res;
  if (auto id = tok.find_token(s)) {
    const auto with = tok.encode(s, false, true);
    if (with.size() == 1 && with[0] == *id) {
      const auto without = tok.encode(s, false, false);
      if (!(without.size() == 1 && without[0] == *id)) res = id;
    }
  }
  cache.emplace(s, res);
  return res;
}

}  // namespace

std::vector<int32_t> tokenize_rendered(const tokenizer::Tokenizer& tok, const Rendered& r) {
  std::map<std::string, std::optional<int32_t>> cache;
  std::vector<int32_t> ids;
  std::string pending;  // plain text since the last special token
  auto flush = [&] {
    if (pending.empty()) return;
    const auto piece = tok.encode(pending, false, false);
    ids.insert(ids.end(), piece.begin(), piece.end());
    pending.clear();
  };
  for (const auto& seg : r.segments) {
    if (!seg.special) {
      pending += seg.text;
      continue;
    }
    const std::string& t = seg.text;
    size_t i = 0;
    while (i < t.size()) {
      if (t[i] == '<') {
        // Longest special token starting here: candidates end at a '>'.
        std::optional<int32_t> best;
        size_t best_len = 0;
        for (size_t j = i + 1; j < t.size() && j - i < kMaxSpecialLen; ++j) {
          const char c = t[j];
          if (c == ' ' || c == '\n' || c == '\t' || c == '<') break;
          if (c != '>') continue;
          if (auto id = special_id(tok, t.substr(i, j + 1 - i), cache)) {
            best = id;
            best_len = j + 1 - i;
          }
        }
        if (best) {
          flush();
          ids.push_back(*best);
          i += best_len;
          continue;
        }
      }
      pending += t[i];
      ++i;
    }
  }
  flush();
  return ids;
}

}  // namespace pocketops::chat
