// When prompt-lookup speculation looks for drafts: a step whose drafts were
// all rejected costs a verification batch (1.2-1.8x a decode step) for one
// token, so after such a step drafting pauses, for 1, 2, 4, ... up to
// kMaxPause steps as failures repeat; any accepted draft resumes it at once.
// Text that does not repeat its context then runs at nearly plain decode
// speed, and copy-heavy text (RAG answers, extraction) keeps its drafts.
// The choice never changes the output (greedy verification is exact).
#pragma once

namespace pocketops::engine {

class DraftBackoff {
 public:
  static constexpr int kMaxPause = 16;

  // Once per decode step: may this step look for drafts?
  bool should_draft();
  // After a step that verified `drafted` > 0 drafts of which `accepted` matched.
  void record(int drafted, int accepted);

  int pause() const { return pause_; }  // steps left without drafts

 private:
  int next_pause_ = 1;  // after the next step with every draft rejected
  int pause_ = 0;
};

}  // namespace pocketops::engine
