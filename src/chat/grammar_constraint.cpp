// JsonConstraint: the allowed-token mask by a pruned depth-first walk of the
// vocabulary trie through the JSON automaton, with a fast path inside strings.
#include "chat/grammar_constraint.h"

#include <algorithm>

#include "common/error.h"

namespace pocketops::chat {

JsonConstraint::JsonConstraint(std::shared_ptr<const JsonSchema> schema, std::shared_ptr<const TokenTrie> trie)
    : schema_(std::move(schema)), trie_(std::move(trie)), pda_(*(schema_ ? schema_ : throw Error("json constraint: null schema"))) {
  require(trie_ != nullptr, "json constraint: null token trie");
  pda_.init(state_);
}

JsonConstraint::JsonConstraint(const JsonConstraint& o)
    : schema_(o.schema_), trie_(o.trie_), pda_(*schema_), ended_(o.ended_) {
  state_.copy_from(o.state_);
}

void JsonConstraint::reset() {
  pda_.init(state_);
  ended_ = false;
}

const PdaState& JsonConstraint::state_at(uint32_t depth) const { return depth == 0 ? *root_ : work_[depth]; }

// out = the state after `cps` plain code points from string-body state src.
void JsonConstraint::materialize(const PdaState& src, uint32_t cps, PdaState& out) const {
  out.clear();
  for (size_t i = 0; i < src.threads(); ++i) {
    size_t b = src.begin(i), e = src.ends[i];
    const PdaFrame& top = src.frames[e - 1];
    if (static_cast<uint64_t>(top.n) + cps > schema_->node(top.node).max_count) continue;
    out.frames.insert(out.frames.end(), src.frames.begin() + b, src.frames.begin() + e);
    out.frames.back().n += cps;
    out.ends.push_back(static_cast<uint32_t>(out.frames.size()));
  }
}

// Depth-first walk of the trie; the automaton state of the node at depth d is
// work_[d]. Inside a string body ("plain" items) bytes are checked directly
// (code points, UTF-8 validity) without stepping the automaton; the state is
// materialized only at the first '"' or '\\'.
void JsonConstraint::walk(const TokenTrie::Trie& t, std::vector<uint8_t>& mask, const PdaState& root) const {
  if (t.nodes.empty()) return;
  if (work_.size() < trie_->max_token_bytes() + 2) {
    work_.resize(trie_->max_token_bytes() + 2);
    rooms_.resize(trie_->max_token_bytes() + 2);
  }
  root_ = &root;
  stack_.clear();
  auto push_children = [&](const TokenTrie::Node& nd, uint32_t depth, bool plain, uint32_t base, uint32_t cps, uint8_t rem,
                           uint8_t code) {
    for (uint32_t c = nd.first_child; c < nd.first_child + nd.n_children; ++c)
      stack_.push_back(WalkItem{c, depth + 1, base, cps, plain, rem, code});
  };
  push_children(t.nodes[0], 0, false, 0, 0, 0, 0);
  while (!stack_.empty()) {
    const WalkItem it = stack_.back();
    stack_.pop_back();
    const TokenTrie::Node& nd = t.nodes[it.node];
    const uint8_t b = nd.byte;
    bool generic = !it.plain;
    if (it.plain) {
      uint32_t cps = it.cps;
      uint8_t rem = it.rem, code = it.code;
      if (rem == 0 && nd.plain_ext != TokenTrie::kNotPlain &&
          static_cast<uint64_t>(cps) + nd.plain_ext <= rooms_[it.base]) {
        // The whole subtree stays string content within the budget.
        for (uint32_t k = nd.sub_lo; k < nd.sub_hi; ++k) mask[static_cast<size_t>(t.sorted[k])] = 1;
        continue;
      }
      if (rem > 0) {
        static constexpr uint8_t lo[5] = {0x80, 0xA0, 0x80, 0x90, 0x80}, hi[5] = {0xBF, 0xBF, 0x9F, 0xBF, 0x8F};
        if (b < lo[code] || b > hi[code]) continue;
        --rem;
        code = 0;
      } else if (b >= 0x20 && b < 0x80 && b != '"' && b != '\\') {
        if (++cps > rooms_[it.base]) continue;
      } else if (b >= 0x80) {
        if (b >= 0xC2 && b <= 0xDF) rem = 1;
        else if (b == 0xE0) rem = 2, code = 1;
        else if (b == 0xED) rem = 2, code = 2;
        else if (b >= 0xE1 && b <= 0xEF) rem = 2;
        else if (b == 0xF0) rem = 3, code = 3;
        else if (b >= 0xF1 && b <= 0xF3) rem = 3;
        else if (b == 0xF4) rem = 3, code = 4;
        else continue;
        if (++cps > rooms_[it.base]) continue;
      } else {
        // '"', '\\' or a control byte: leave the fast path.
        materialize(state_at(it.base), cps, mat_);
        if (mat_.dead() || !pda_.step(mat_, b, work_[it.depth])) continue;
        generic = true;
      }
      if (!generic) {
        for (uint32_t k = nd.tok_begin; k < nd.tok_end; ++k) mask[static_cast<size_t>(t.toks[k])] = 1;
        push_children(nd, it.depth, true, it.base, cps, rem, code);
        continue;
      }
    } else if (!pda_.step(state_at(it.depth - 1), b, work_[it.depth])) {
      continue;
    }
    for (uint32_t k = nd.tok_begin; k < nd.tok_end; ++k) mask[static_cast<size_t>(t.toks[k])] = 1;
    if (nd.n_children == 0) continue;
    uint32_t room = 0;
    if (pda_.in_string_body(work_[it.depth], &room)) {
      rooms_[it.depth] = room;
      push_children(nd, it.depth, true, it.depth, 0, 0, 0);
    } else {
      push_children(nd, it.depth, false, 0, 0, 0, 0);
    }
  }
}

void JsonConstraint::allowed_mask(std::vector<uint8_t>& mask) const {
  mask.assign(trie_->vocab_size(), 0);
  if (ended_) return;
  if (pda_.complete(state_))
    for (int32_t e : trie_->eos_ids()) mask[static_cast<size_t>(e)] = 1;
  uint32_t room = 0;
  if (pda_.in_string_body(state_, &room)) {
    // Plain tokens keep every thread in the string body; only the code-point budget matters.
    const auto& cps = trie_->plain_cps();
    const auto& ids = trie_->plain_tokens();
    size_t end = static_cast<size_t>(std::upper_bound(cps.begin(), cps.end(), room) - cps.begin());
    for (size_t k = 0; k < end; ++k) mask[static_cast<size_t>(ids[k])] = 1;
    // Tokens that leave the body after c code points: walk their suffixes from
    // the state those c code points lead to.
    const auto& groups = trie_->body_suffixes();
    for (size_t c = 0; c < groups.size() && c <= room; ++c) {
      if (groups[c].nodes.size() <= 1) continue;
      materialize(state_, static_cast<uint32_t>(c), start_);
      if (!start_.dead()) walk(groups[c], mask, start_);
    }
  } else {
    walk(trie_->all(), mask, state_);
  }
}

bool JsonConstraint::accept_bytes(std::string_view bytes) {
  if (ended_) return false;
  if (bytes.empty()) return true;
  const PdaState* src = &state_;
  for (char c : bytes) {
    PdaState& dst = (src == &tmp_a_) ? tmp_b_ : tmp_a_;
    if (!pda_.step(*src, static_cast<uint8_t>(c), dst)) return false;
    src = &dst;
  }
  state_.copy_from(*src);
  return true;
}

bool JsonConstraint::accept(int32_t token) {
  if (ended_ || token < 0 || static_cast<size_t>(token) >= trie_->vocab_size()) return false;
  if (trie_->is_eos(token)) {
    if (!pda_.complete(state_)) return false;
    ended_ = true;
    return true;
  }
  if (trie_->is_blocked(token)) return false;
  return accept_bytes(trie_->token_bytes(token));
}

bool JsonConstraint::is_complete() const { return ended_ || pda_.complete(state_); }

bool JsonConstraint::can_continue() const {
  if (ended_) return false;
  for (int b = 0; b < 256; ++b)
    if (pda_.step(state_, static_cast<uint8_t>(b), tmp_a_)) return true;
  return false;
}

std::string JsonConstraint::shortest_completion() const {
  if (ended_) return {};
  return pda_.shortest_completion(state_);
}

void JsonConstraint::completion_mask(std::vector<uint8_t>& mask) const {
  mask.assign(trie_->vocab_size(), 0);
  if (ended_) return;
  if (pda_.complete(state_)) {
    for (int32_t e : trie_->eos_ids()) mask[static_cast<size_t>(e)] = 1;
    return;
  }
  const std::string comp = pda_.shortest_completion(state_);
  const TokenTrie::Trie& t = trie_->all();
  uint32_t node = 0;
  for (char ch : comp) {
    const TokenTrie::Node& nd = t.nodes[node];
    const uint8_t b = static_cast<uint8_t>(ch);
    uint32_t lo = nd.first_child, hi = nd.first_child + nd.n_children;
    while (lo < hi) {
      uint32_t mid = (lo + hi) / 2;
      if (t.nodes[mid].byte < b) lo = mid + 1;
      else hi = mid;
    }
    if (lo == nd.first_child + nd.n_children || t.nodes[lo].byte != b) break;
    node = lo;
    for (uint32_t k = t.nodes[node].tok_begin; k < t.nodes[node].tok_end; ++k) mask[static_cast<size_t>(t.toks[k])] = 1;
  }
}

}  // namespace pocketops::chat
