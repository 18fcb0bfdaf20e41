// Builds the vocabulary byte tries (all tokens, non-plain tokens) and the
// plain-string-content token list used by the string fast path.
#include "chat/grammar_token_trie.h"

#include <algorithm>
#include <deque>
#include <numeric>

#include "common/error.h"

namespace pocketops::chat {

namespace {

// Code points in s if every byte is plain JSON string content, else -1.
int64_t plain_codepoints(const std::string& s) {
  int64_t cps = 0;
  size_t i = 0;
  while (i < s.size()) {
    uint8_t b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      if (b < 0x20 || b == '"' || b == '\\') return -1;
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
    for (size_t k = 1; k <= rem; ++k) {
      if (i + k >= s.size()) return -1;
      uint8_t c = static_cast<uint8_t>(s[i + k]);
      if (c < lo || c > hi) return -1;
      lo = 0x80, hi = 0xBF;
    }
    i += rem + 1;
    ++cps;
  }
  return cps;
}

// Trie over the given token ids (children contiguous, breadth-first layout).
TokenTrie::Trie build(const std::vector<std::string>& bytes, std::vector<int32_t> ids) {
  std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    return bytes[a] != bytes[b] ? bytes[a] < bytes[b] : a < b;
  });
  TokenTrie::Trie t;
  t.toks.reserve(ids.size());
  t.nodes.emplace_back();
  struct Work {
    uint32_t node;
    size_t lo, hi, depth;
  };
  std::deque<Work> q;
  q.push_back({0, 0, ids.size(), 0});
  while (!q.empty()) {
    Work w = q.front();
    q.pop_front();
    size_t i = w.lo;
    t.nodes[w.node].tok_begin = static_cast<uint32_t>(t.toks.size());
    while (i < w.hi && bytes[ids[i]].size() == w.depth) t.toks.push_back(ids[i++]);
    t.nodes[w.node].tok_end = static_cast<uint32_t>(t.toks.size());
    // Group the rest by their byte at `depth`.
    uint32_t first = static_cast<uint32_t>(t.nodes.size());
    uint32_t count = 0;
    while (i < w.hi) {
      uint8_t b = static_cast<uint8_t>(bytes[ids[i]][w.depth]);
      size_t j = i;
      while (j < w.hi && static_cast<uint8_t>(bytes[ids[j]][w.depth]) == b) ++j;
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
  std::vector<int32_t> all, special;
  std::vector<std::pair<uint32_t, int32_t>> plain;
  for (size_t i = 0; i < n; ++i) {
    const std::string& s = token_bytes[i];
    bool blocked = s.empty() || t->eos_[i] || (!never_allowed.empty() && never_allowed[i]);
    if (blocked) {
      t->blocked_[i] = 1;
      continue;
    }
    t->max_len_ = std::max(t->max_len_, s.size());
    all.push_back(static_cast<int32_t>(i));
    int64_t cps = plain_codepoints(s);
    if (cps >= 0) plain.emplace_back(static_cast<uint32_t>(cps), static_cast<int32_t>(i));
    else special.push_back(static_cast<int32_t>(i));
  }
  std::sort(plain.begin(), plain.end());
  for (const auto& [cp, id] : plain) {
    t->plain_cp_.push_back(cp);
    t->plain_.push_back(id);
  }
  t->all_ = build(token_bytes, std::move(all));
  t->special_ = build(token_bytes, std::move(special));
  return t;
}

}  // namespace pocketops::chat
