// DraftBackoff: exponential pause of prompt-lookup drafting after rejected
// drafts, and a draft count that halves on rejection and doubles on success.
#include "engine/draft_backoff.h"

namespace pocketops::engine {

bool DraftBackoff::should_draft() {
  if (pause_ > 0) {
    --pause_;
    return false;
  }
  return true;
}

void DraftBackoff::record(int drafted, int accepted) {
  if (drafted <= 0) return;
  if (accepted > 0) {
    // all matched: the text copies, draft further next time; some: keep the count
    if (accepted >= drafted) limit_ = 2 * drafted < kMaxDrafts ? 2 * drafted : kMaxDrafts;
    next_pause_ = 1;
    return;
  }
  limit_ = drafted / 2 > 1 ? drafted / 2 : 1;
  pause_ = next_pause_;  // 1, 2, 4, 8, 16, 16, ...
  next_pause_ = 2 * next_pause_ < kMaxPause ? 2 * next_pause_ : kMaxPause;
}

}  // namespace pocketops::engine
