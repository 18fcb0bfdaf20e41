// Adapts the chat layer's JSON-schema automaton to the generation loop's
// TokenConstraint, with a token trie built once per tokenizer.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "chat/grammar_constraint.h"
#include "chat/json_schema.h"
#include "engine/constraint.h"
#include "tokenizer/tokenizer.h"

namespace pocketops::engine {

// Builds the vocabulary trie of a tokenizer (control/unknown/unused tokens
// are never allowed; EOS only when the document is complete).
std::shared_ptr<const chat::TokenTrie> build_vocab_trie(const tokenizer::Tokenizer& tok);

class JsonSchemaConstraint : public TokenConstraint {
 public:
  JsonSchemaConstraint(std::shared_ptr<const chat::JsonSchema> schema, std::shared_ptr<const chat::TokenTrie> trie)
      : c_(schema, std::move(trie)), growth_(growth_bound(*schema)) {}
  void allowed(std::vector<uint8_t>& mask) override { c_.allowed_mask(mask); }
  bool accept(int32_t token) override { return c_.accept(token); }
  bool complete() const override { return c_.is_complete(); }
  bool can_continue() const override { return c_.can_continue(); }
  size_t completion_bytes() const override { return c_.shortest_completion().size(); }
  void completion_mask(std::vector<uint8_t>& mask) const override { c_.completion_mask(mask); }
  size_t max_growth() const override { return growth_; }
  // One token can at most open structures whose shortest instances are no
  // longer than the longest shortest-instance of any schema node, plus an
  // unfinished UTF-8 sequence and a few delimiters.
  static size_t growth_bound(const chat::JsonSchema& s);

 private:
  chat::JsonConstraint c_;
  size_t growth_;
};

// Reads a schema file's text and compiles it (keeps property order).
std::shared_ptr<const chat::JsonSchema> load_json_schema_file(const std::string& path);

}  // namespace pocketops::engine
