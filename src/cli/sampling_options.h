// Sampling flags shared by run / chat / generate: only flags the user gave
// override the model's defaults (model card values, or general.sampling.*).
#pragma once
#include <CLI/CLI.hpp>
#include <optional>

#include "chat/sampler.h"

namespace pocketops::cli {

struct SamplingFlags {
  std::optional<float> temp, top_p, min_p, repeat_penalty, presence, frequency;
  std::optional<int> top_k;
  uint64_t seed = 0;

  void add_to(CLI::App& app) {
    app.add_option("--temp", temp, "temperature (0 = greedy; default: the model's recommendation)");
    app.add_option("--top-k", top_k, "top-k (0 = off)");
    app.add_option("--top-p", top_p, "top-p / nucleus (1 = off)");
    app.add_option("--min-p", min_p, "min-p (0 = off)");
    app.add_option("--repeat-penalty", repeat_penalty, "repetition penalty (1 = off)");
    app.add_option("--presence-penalty", presence, "presence penalty");
    app.add_option("--frequency-penalty", frequency, "frequency penalty");
    app.add_option("--seed", seed, "sampling seed: same seed + same settings = same output")->capture_default_str();
  }
  void apply(chat::SamplingParams& p) const {
    if (temp) p.temperature = *temp;
    if (top_k) p.top_k = *top_k;
    if (top_p) p.top_p = *top_p;
    if (min_p) p.min_p = *min_p;
    if (repeat_penalty) p.repeat_penalty = *repeat_penalty;
    if (presence) p.presence_penalty = *presence;
    if (frequency) p.frequency_penalty = *frequency;
    p.seed = seed;
    p.validate();
  }
};

}  // namespace pocketops::cli
