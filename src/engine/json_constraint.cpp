// Token trie cache and schema file loading for JSON-constrained generation.
#include "engine/json_constraint.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "chat/grammar_token_trie.h"
#include "common/error.h"

namespace pocketops::engine {

std::shared_ptr<const chat::TokenTrie> build_vocab_trie(const tokenizer::Tokenizer& tok) {
  std::vector<bool> never(tok.n_vocab(), false);
  for (int32_t i = 0; i < tok.n_vocab(); ++i) {
    auto t = tok.type(i);
    never[i] = t == tokenizer::TokenType::Control || t == tokenizer::TokenType::Unknown ||
               t == tokenizer::TokenType::Unused;
  }
  std::vector<int32_t> eos;
  if (tok.eos() >= 0) eos.push_back(tok.eos());
  return chat::build_token_trie(tok.all_token_bytes(), eos, never);
}

size_t JsonSchemaConstraint::growth_bound(const chat::JsonSchema& s) {
  size_t m = 0;
  for (const auto& n : s.nodes()) m = std::max(m, n.min_instance.size());
  return m + 8;
}

std::shared_ptr<const chat::JsonSchema> load_json_schema_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open schema file");
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return chat::compile_json_schema_text(ss.str());
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace pocketops::engine
