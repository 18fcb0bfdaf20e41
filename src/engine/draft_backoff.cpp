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
    fails_ = 0;
    return;
  }
  ++fails_;
  const int shift = fails_ - 1 < 4 ? fails_ - 1 : 4;  // 1, 2, 4, 8, 16
  pause_ = 1 << shift;
  if (pause_ > kMaxPause) pause_ = kMaxPause;
}

}  // namespace pocketops::engine
