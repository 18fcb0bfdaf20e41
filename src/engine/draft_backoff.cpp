// DraftBackoff: exponential pause of prompt-lookup drafting after rejected drafts.
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
    next_pause_ = 1;
    return;
  }
  pause_ = next_pause_;  // 1, 2, 4, 8, 16, 16, ...
  next_pause_ = 2 * next_pause_ < kMaxPause ? 2 * next_pause_ : kMaxPause;
}

}  // namespace pocketops::engine
