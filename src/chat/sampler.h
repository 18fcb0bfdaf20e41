// Token sampling: repetition/presence/frequency penalties, logit bias, top-k,
// top-p, min-p and temperature over one logits row, with a seeded portable PRNG
// (same seed -> same tokens on every platform) and an optional allowed mask.
#pragma once
#include <cstdint>
#include <cstddef>
#include <map>
#include <vector>

namespace pocketops::gguf {
class File;
}

namespace pocketops::chat {

// Defaults are LiquidAI's recommended generation parameters for
// LFM2.5-1.2B-Instruct (model card: temperature 0.1, top_k 50, top_p 0.1,
// repetition_penalty 1.05).
struct SamplingParams {
  float temperature = 0.1f;      // <= 0: greedy (argmax, lowest id on ties)
  int top_k = 50;                // <= 0: off
  float top_p = 0.1f;            // >= 1: off
  float min_p = 0.0f;            // <= 0: off
  float repeat_penalty = 1.05f;  // 1: off; divides positive / multiplies negative logits of recent tokens
  int repeat_last_n = 64;        // window of accepted tokens the penalties look at (0: off, -1: all, capped at 65536)
  float presence_penalty = 0.0f;   // subtracted once per token present in the window
  float frequency_penalty = 0.0f;  // subtracted per occurrence in the window
  std::map<int32_t, float> logit_bias;  // added to the raw logits (-inf bans a token)
  uint64_t seed = 0;

  // Defaults overridden by the file's general.sampling.* keys when present
  // (temp, top_k, top_p, min_p, penalty_repeat, penalty_last_n, as written by
  // llama.cpp's GGUF writer). Out-of-range values are ignored.
  static SamplingParams from_gguf(const gguf::File& f);
  // Throws pocketops::Error naming the first out-of-range field.
  void validate() const;
};

class Sampler {
 public:
  Sampler(SamplingParams params, int32_t n_vocab);

  // Picks a token from one row of n_vocab logits. allowed_mask (nullable) has
  // n_vocab bytes, 1 = allowed. Throws pocketops::Error when no token is
  // allowed or every allowed logit is -inf/NaN. Does not call accept().
  int32_t sample(const float* logits, const uint8_t* allowed_mask = nullptr);
  // Records a generated (or prompt) token for the penalties.
  void accept(int32_t token);
  // Forgets history and restarts the PRNG from the seed.
  void reset();

  const SamplingParams& params() const { return params_; }

 private:
  struct Cand {
    float logit;
    int32_t id;
    float e;  // exp(logit - max) (scaled by 1/temperature in the last step)
  };
  uint64_t next_u64();
  double next_unit();  // uniform in [0, 1)

  SamplingParams params_;
  int32_t n_vocab_;
  std::vector<int32_t> history_;  // ring buffer of the last window tokens
  size_t history_pos_ = 0;
  size_t history_cap_ = 0;
  uint64_t rng_[4] = {};
  std::vector<Cand> cands_;      // scratch
  std::vector<float> adjusted_;  // scratch
};

}  // namespace pocketops::chat
