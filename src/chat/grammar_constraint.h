// JsonConstraint: per-sequence schema-constrained decoding state. At each step
// the engine asks allowed_mask(), samples among allowed tokens, then accept()s.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chat/grammar_pda.h"
#include "chat/grammar_token_trie.h"
#include "chat/json_schema.h"

namespace pocketops::chat {

class JsonConstraint {
 public:
  JsonConstraint(std::shared_ptr<const JsonSchema> schema, std::shared_ptr<const TokenTrie> trie);
  JsonConstraint(const JsonConstraint& o);
  JsonConstraint& operator=(const JsonConstraint&) = delete;

  // mask is resized to n_vocab; 1 = the token may come next. EOS ids are
  // allowed exactly when the document is complete. Not thread-safe (reuses
  // internal buffers); use one JsonConstraint per sequence.
  void allowed_mask(std::vector<uint8_t>& mask) const;
  // Advances by one token; false (state unchanged) if it is not allowed.
  // Accepting an EOS id ends the document: nothing else is allowed after it.
  bool accept(int32_t token);
  // Advances by raw bytes (all or nothing).
  bool accept_bytes(std::string_view bytes);
  // The text so far is a complete valid value (or EOS was accepted).
  bool is_complete() const;
  // Some further byte could still be accepted (false after EOS).
  bool can_continue() const;
  void reset();

  // Forced finishing, e.g. when the token budget runs out: the shortest byte
  // string that completes the document, and the mask of tokens that are a
  // prefix of it (only EOS once complete). completion_mask ⊆ allowed_mask.
  std::string shortest_completion() const;
  void completion_mask(std::vector<uint8_t>& mask) const;
  bool ended() const { return ended_; }

 private:
  struct WalkItem {
    uint32_t node, depth, base, cps;
    bool plain;
    uint8_t rem, code;  // pending UTF-8 continuation bytes and the range code of the next one
  };
  void walk(const TokenTrie::Trie& t, std::vector<uint8_t>& mask, const PdaState& root) const;
  const PdaState& state_at(uint32_t depth) const;
  void materialize(const PdaState& src, uint32_t cps, PdaState& out) const;

  std::shared_ptr<const JsonSchema> schema_;
  std::shared_ptr<const TokenTrie> trie_;
  JsonPda pda_;
  PdaState state_;
  bool ended_ = false;
  // Scratch for the mask walk (one state per trie depth) and accept_bytes.
  mutable std::vector<PdaState> work_;
  mutable std::vector<WalkItem> stack_;
  mutable std::vector<uint32_t> rooms_;
  mutable PdaState tmp_a_, tmp_b_, mat_, start_;
  mutable const PdaState* root_ = nullptr;  // state at depth 0 of the current walk
};

}  // namespace pocketops::chat
