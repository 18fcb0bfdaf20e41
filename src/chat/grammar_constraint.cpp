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

void JsonConstraint::walk(const TokenTrie::Trie& t, std::vector<uint8_t>& mask) const {
  if (t.nodes.empty()) return;
  if (work_.size() < trie_->max_token_bytes() + 2) work_.resize(trie_->max_token_bytes() + 2);
  stack_.clear();
  const TokenTrie::Node& root = t.nodes[0];
  for (uint32_t c = root.first_child; c < root.first_child + root.n_children; ++c) stack_.emplace_back(c, 1);
  while (!stack_.empty()) {
    auto [id, depth] = stack_.back();
    stack_.pop_back();
    const TokenTrie::Node& nd = t.nodes[id];
    const PdaState& src = depth == 1 ? state_ : work_[depth - 1];
    if (!pda_.step(src, nd.byte, work_[depth])) continue;
    for (uint32_t k = nd.tok_begin; k < nd.tok_end; ++k) mask[static_cast<size_t>(t.toks[k])] = 1;
    for (uint32_t c = nd.first_child; c < nd.first_child + nd.n_children; ++c) stack_.emplace_back(c, depth + 1);
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
    walk(trie_->special(), mask);
  } else {
    walk(trie_->all(), mask);
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
