// A generation session: one sequence's KV cache + conv state, the tokens it
// holds, prefix reuse between calls (only new tokens are prefilled), and the
// generation loop (sampling, stop strings, constraints, prompt-lookup
// speculative decoding with exact rollback).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "chat/sampler.h"
#include "engine/constraint.h"
#include "engine/engine.h"

namespace pocketops::engine {

struct GenerateOptions {
  int max_tokens = 256;
  chat::SamplingParams sampling;
  std::vector<std::string> stop;           // stop strings (not included in the output)
  std::vector<int32_t> stop_tokens;        // e.g. <|im_end|>; EOS is always one
  TokenConstraint* constraint = nullptr;   // optional
  int draft_max = 0;                       // prompt-lookup drafts per step (0 = off; greedy only)
  int draft_ngram = 3;                     // n-gram length matched against the history
  // Streaming: receives text as it becomes final; return false to stop.
  std::function<bool(const std::string&)> on_text;
  // Called between tokens; return true to stop (Ctrl-C).
  std::function<bool()> should_stop;
};

struct GenerateResult {
  std::string text;
  std::vector<int32_t> tokens;
  std::string stop_reason;  // "eos", "stop", "length", "context", "constraint", "cancelled", "callback"
  int64_t n_prompt = 0;     // prompt tokens
  int64_t n_reused = 0;     // prompt tokens served from the prefix cache
  double prompt_s = 0, gen_s = 0;
  int64_t n_draft = 0, n_accepted = 0, n_steps = 0;  // speculation stats (steps = forward calls while generating)
};

class Session {
 public:
  Session(const Engine& e, int64_t n_ctx);

  int64_t n_ctx() const { return state_.n_ctx(); }
  int64_t n_past() const { return state_.n_past(); }
  const std::vector<int32_t>& tokens() const { return tokens_; }
  void reset();

  // Makes the state hold exactly `prompt`, reusing the longest cached prefix
  // with a conv snapshot; returns the logits after the last prompt token.
  // *reused receives how many prompt tokens did not need evaluation.
  const std::vector<float>& prefill(const std::vector<int32_t>& prompt, int64_t* reused = nullptr);

  GenerateResult generate(const std::vector<int32_t>& prompt, const GenerateOptions& opt);

 private:
  void eval(const std::vector<int32_t>& toks, bool all_rows, model::BatchTrace* trace);
  void remember_snapshot();
  std::vector<int32_t> draft(const std::vector<int32_t>& history, int ngram, int max) const;

  const Engine& eng_;
  model::Lfm2State state_;
  std::vector<int32_t> tokens_;   // tokens whose effects are in state_
  std::vector<float> logits_;     // rows of the last eval
  struct Snap {
    model::ConvSnapshot conv;
  };
  std::vector<Snap> snaps_;       // restore points, ascending n_past
};

}  // namespace pocketops::engine
