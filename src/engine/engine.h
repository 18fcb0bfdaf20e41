// Engine: one loaded model (weights mmapped), its tokenizer and the thread
// pool, shared by every session that generates with it.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "kernels/thread_pool.h"
#include "model/lfm2_model.h"
#include "tokenizer/tokenizer.h"

namespace pocketops::chat {
class TokenTrie;
}

namespace pocketops::engine {

struct EngineOptions {
  int n_threads = 0;  // <= 0: all cores
};

// The context length used when none is asked for: 4096, or less when the
// model was trained for less.
int64_t default_context(int64_t n_ctx_train);

class Engine {
 public:
  static std::unique_ptr<Engine> load(const std::string& path, const EngineOptions& opt = {});

  const model::Lfm2Model& model() const { return *model_; }
  const tokenizer::Tokenizer& tokenizer() const { return tok_; }
  kernels::ThreadPool& pool() const { return *pool_; }
  const gguf::File& file() const { return model_->file(); }
  double load_seconds() const { return load_s_; }
  // Context length to use when the caller asks for `requested` (0 = default
  // 4096), capped by what the model was trained for.
  int64_t context_for(int64_t requested) const;
  // Vocabulary trie for constrained decoding, built on first use.
  std::shared_ptr<const chat::TokenTrie> token_trie() const;

 private:
  std::unique_ptr<model::Lfm2Model> model_;
  tokenizer::Tokenizer tok_;
  std::unique_ptr<kernels::ThreadPool> pool_;
  double load_s_ = 0;
  mutable std::once_flag trie_once_;
  mutable std::shared_ptr<const chat::TokenTrie> trie_;
};

}  // namespace pocketops::engine
