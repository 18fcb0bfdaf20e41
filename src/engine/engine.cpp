// Engine loading: GGUF -> model weights + tokenizer + thread pool.
#include "engine/engine.h"

#include <chrono>

#include "common/error.h"
#include "engine/json_constraint.h"

namespace pocketops::engine {

std::unique_ptr<Engine> Engine::load(const std::string& path, const EngineOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Engine> e(new Engine());
  e->model_ = model::Lfm2Model::load(path);
  e->tok_ = tokenizer::Tokenizer::from_gguf(e->model_->file());
  if (e->tok_.n_vocab() != e->model_->n_vocab())
    throw Error(path + ": tokenizer has " + std::to_string(e->tok_.n_vocab()) + " tokens but the model has " +
                std::to_string(e->model_->n_vocab()));
  e->pool_ = std::make_unique<kernels::ThreadPool>(opt.n_threads);
  e->load_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return e;
}

int64_t default_context(int64_t n_ctx_train) { return std::min<int64_t>(4096, n_ctx_train); }

int64_t Engine::context_for(int64_t requested) const {
  const int64_t train = model_->config().n_ctx_train;
  if (requested < 0) throw Error("context size must be positive");
  if (requested == 0) return default_context(train);
  if (requested > train)
    throw Error("requested context " + std::to_string(requested) + " exceeds the model's trained context of " +
                std::to_string(train));
  return requested;
}

}  // namespace pocketops::engine

namespace pocketops::engine {

std::shared_ptr<const chat::TokenTrie> Engine::token_trie() const {
  std::call_once(trie_once_, [this] { trie_ = build_vocab_trie(tok_); });
  return trie_;
}

}  // namespace pocketops::engine
