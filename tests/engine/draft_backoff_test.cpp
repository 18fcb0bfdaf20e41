// DraftBackoff: drafting pauses 1, 2, 4, ... 16 steps after repeated fully
// rejected drafts and resumes after any accepted one.
#include <gtest/gtest.h>

#include <vector>

#include "engine/draft_backoff.h"

namespace pocketops::engine {
namespace {

// Steps until should_draft() says yes again (the step that says yes included).
int steps_until_draft(DraftBackoff& b) {
  int n = 1;
  while (!b.should_draft()) ++n;
  return n;
}

TEST(DraftBackoff, DraftsEveryStepWhileDraftsAreAccepted) {
  DraftBackoff b;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(b.should_draft()) << i;
    b.record(8, 1 + i % 8);
  }
}

TEST(DraftBackoff, StepsWithoutDraftsDoNotCount) {
  DraftBackoff b;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(b.should_draft());
    b.record(0, 0);  // no n-gram match: nothing verified, nothing learned
  }
}

TEST(DraftBackoff, PauseDoublesUpToTheCapThenResetsOnAcceptance) {
  DraftBackoff b;
  std::vector<int> waits;
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(b.should_draft());
    b.record(8, 0);
    waits.push_back(steps_until_draft(b) - 1);  // steps skipped
  }
  EXPECT_EQ(waits, (std::vector<int>{1, 2, 4, 8, 16, 16, 16, 16}));
  // this step drafts (steps_until_draft consumed the yes); one accepted draft resets
  b.record(8, 2);
  EXPECT_TRUE(b.should_draft());
  b.record(8, 0);
  EXPECT_EQ(b.pause(), 1);
}

TEST(DraftBackoff, FailedDraftsCostFewVerificationsOverALongGeneration) {
  // 1000 decode steps where every draft is rejected: without the backoff
  // all 1000 would verify a batch; with it, about log2(16) + 1000 / 17.
  DraftBackoff b;
  int verified = 0;
  for (int step = 0; step < 1000; ++step)
    if (b.should_draft()) {
      ++verified;
      b.record(8, 0);
    }
  EXPECT_LE(verified, 65);
  EXPECT_GE(verified, 55);
}

}  // namespace
}  // namespace pocketops::engine
