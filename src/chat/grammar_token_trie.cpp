// Builds the vocabulary byte tries (all tokens, non-plain tokens) and the
// plain-string-content token list used by the string fast path.
#include "chat/grammar_token_trie.h"

#include <algorithm>
#include <deque>
#include <numeric>
#include <string_view>

#include "common/error.h"

namespace pocketops::chat {

namespace {

// How a token behaves inside a JSON string body: returns the code points of
// its leading string content and sets *leave to the offset of the first '"' or
// '\\' (npos when the whole token is content). Returns -1 when the token
// holds a raw control byte or invalid UTF-8 before that point.
int64_t body_scan(const std::string& s, size_t* leave) {
  int64_t cps = 0;
  size_t i = 0;
  *leave = std::string::npos;
  while (i < s.size()) {
    uint8_t b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      if (b == '"' || b == '\\') {
        *leave = i;
        return cps;
      }
      if (b < 0x20) return -1;
      ++i;
      ++cps;
      continue;
    }
    size_t rem;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) rem = 1;
    else if (b == 0xE0) rem = 2, lo = 0xA0;
    else if (b == 0xED) rem = 2, hi = 0x9F;
    else if (b >= 0xE1 && b <= 0xEF) rem = 2;
    else if (b == 0xF0) rem = 3, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3) rem = 3;
    else if (b == 0xF4) rem = 3, hi = 0x8F;
    else return -1;
    ++cps;
    for (size_t k = 1; k <= rem; ++k) {
      if (i + k >= s.size()) return cps;  // ends inside the sequence: still content
      uint8_t c = static_cast<uint8_t>(s[i + k]);
      if (c < lo || c > hi) return -1;
      lo = 0x80, hi = 0xBF;
    }
    i += rem + 1;
  }
  return cps;
}

// Trie over (key, token id) pairs (children contiguous, breadth-first layout;
// a node's subtree is a contiguous range of the sorted token list).
TokenTrie::Trie build(std::vector<std::pair<std::string_view, int32_t>> items) {
  std::sort(items.begin(), items.end());
  TokenTrie::Trie t;
  t.sorted.reserve(items.size());
  for (const auto& it : items) t.sorted.push_back(it.second);
  t.toks.reserve(items.size());
  t.nodes.emplace_back();
  struct Work {
    uint32_t node;
    size_t lo, hi, depth;
  };
  std::deque<Work> q;
  q.push_back({0, 0, items.size(), 0});
  while (!q.empty()) {
    Work w = q.front();
    q.pop_front();
    TokenTrie::Node& self = t.nodes[w.node];
    self.sub_lo = static_cast<uint32_t>(w.lo);
    self.sub_hi = static_cast<uint32_t>(w.hi);
    size_t i = w.lo;
    self.tok_begin = static_cast<uint32_t>(t.toks.size());
    while (i < w.hi && items[i].first.size() == w.depth) t.toks.push_back(items[i++].second);
    t.nodes[w.node].tok_end = static_cast<uint32_t>(t.toks.size());
    // Group the rest by their byte at `depth`.
    uint32_t first = static_cast<uint32_t>(t.nodes.size());
    uint32_t count = 0;
    while (i < w.hi) {
      uint8_t b = static_cast<uint8_t>(items[i].first[w.depth]);
      size_t j = i;
      while (j < w.hi && static_cast<uint8_t>(items[j].first[w.depth]) == b) ++j;
      TokenTrie::Node child;
      child.byte = b;
      t.nodes.push_back(child);
      q.push_back({first + count, i, j, w.depth + 1});
      ++count;
      i = j;
    }
    t.nodes[w.node].first_child = first;
    t.nodes[w.node].n_children = count;
  }
  // plain_ext: for each node at depth d, the most code points among its
  // subtree's token remainders (bytes from d-1 on) when all are plain content.
  for (TokenTrie::Node& nd : t.nodes) nd.plain_ext = 0;
  t.nodes[0].plain_ext = TokenTrie::kNotPlain;
  for (const auto& [key, id] : items) {
    uint32_t node = 0;
    for (size_t d = 0; d < key.size(); ++d) {
      const TokenTrie::Node& cur = t.nodes[node];
      uint32_t lo = cur.first_child, hi = cur.first_child + cur.n_children;
      const uint8_t b = static_cast<uint8_t>(key[d]);
      while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (t.nodes[mid].byte < b) lo = mid + 1;
        else hi = mid;
      }
      node = lo;
      TokenTrie::Node& nd = t.nodes[node];
      if (nd.plain_ext == TokenTrie::kNotPlain) continue;
      size_t leave = 0;
      int64_t cps = key.size() - d > 256 ? -1 : body_scan(std::string(key.substr(d)), &leave);
      if (cps < 0 || leave != std::string::npos) nd.plain_ext = TokenTrie::kNotPlain;
      else nd.plain_ext = std::max(nd.plain_ext, static_cast<uint32_t>(cps));
    }
  }
  return t;
}

}  // namespace

std::shared_ptr<const TokenTrie> build_token_trie(const std::vector<std::string>& token_bytes,
                                                  const std::vector<int32_t>& eos_ids,
                                                  const std::vector<bool>& never_allowed) {
  const size_t n = token_bytes.size();
  require(n > 0 && n < (1u << 31), "token trie: vocabulary must hold between 1 and 2^31 tokens");
  require(never_allowed.empty() || never_allowed.size() == n,
          "token trie: never_allowed has " + std::to_string(never_allowed.size()) + " flags for " +
              std::to_string(n) + " tokens");
  auto t = std::make_shared<TokenTrie>();
  t->bytes_ = token_bytes;
  t->eos_.assign(n, 0);
  t->blocked_.assign(n, 0);
  for (int32_t id : eos_ids) {
    require(id >= 0 && static_cast<size_t>(id) < n, "token trie: eos id " + std::to_string(id) + " out of range");
    if (!t->eos_[id]) t->eos_ids_.push_back(id);
    t->eos_[id] = 1;
  }
  std::vector<std::pair<std::string_view, int32_t>> all;
  std::vector<std::vector<std::pair<std::string_view, int32_t>>> leaving;
  std::vector<std::pair<uint32_t, int32_t>> plain;
  for (size_t i = 0; i < n; ++i) {
    const std::string& s = token_bytes[i];
    bool blocked = s.empty() || t->eos_[i] || (!never_allowed.empty() && never_allowed[i]);
    if (blocked) {
      t->blocked_[i] = 1;
      continue;
    }
    t->max_len_ = std::max(t->max_len_, s.size());
    all.emplace_back(s, static_cast<int32_t>(i));
    size_t leave = 0;
    int64_t cps = body_scan(s, &leave);
    if (cps < 0) continue;
    if (leave == std::string::npos) {
      plain.emplace_back(static_cast<uint32_t>(cps), static_cast<int32_t>(i));
    } else {
      if (leaving.size() <= static_cast<size_t>(cps)) leaving.resize(static_cast<size_t>(cps) + 1);
      leaving[static_cast<size_t>(cps)].emplace_back(std::string_view(s).substr(leave), static_cast<int32_t>(i));
    }
  }
  std::sort(plain.begin(), plain.end());
  for (const auto& [cp, id] : plain) {
    t->plain_cp_.push_back(cp);
    t->plain_.push_back(id);
  }
  t->all_ = build(std::move(all));
  for (auto& group : leaving) t->suffixes_.push_back(build(std::move(group)));
  return t;
}

}  // namespace pocketops::chat
