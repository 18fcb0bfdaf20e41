// When prompt-lookup speculation looks for drafts, and how many: a step whose
// drafts were all rejected costs a verification batch (1.2-1.8x a decode
// step for 8 drafts, less for fewer) for one token, so after such a step
// drafting pauses, for 1, 2, 4, ... up to kMaxPause steps as failures
// repeat, and the number of drafts per step halves (down to 1); any
// accepted draft resumes drafting at once, and a step whose drafts were all
// accepted doubles the number again (up to the caller's maximum). Text that
// does not repeat its context then runs at nearly plain decode speed, and
// copy-heavy text (RAG answers, extraction) keeps long drafts. The choice
// never changes the output (greedy verification is exact).
#pragma once

#include "kernels/dispatch.h"

namespace pocketops::engine {

class DraftBackoff {
 public:
  static constexpr int kMaxPause = 16;
  // Verification batches (the sampled token + drafts) stay within the
  // batches whose results equal decode's bit for bit.
  static constexpr int kMaxDrafts = static_cast<int>(kernels::kExactBatchTokens) - 1;

  // Once per decode step: may this step look for drafts?
  bool should_draft();
  // How many drafts this step may verify, given the caller's maximum.
  int draft_limit(int max) const { return max < limit_ ? max : limit_; }
  // After a step that verified `drafted` > 0 drafts of which `accepted` matched.
  void record(int drafted, int accepted);

  int pause() const { return pause_; }  // steps left without drafts

 private:
  int next_pause_ = 1;  // after the next step with every draft rejected
  int pause_ = 0;
  int limit_ = kMaxDrafts;
};

}  // namespace pocketops::engine
