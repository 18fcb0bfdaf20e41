// DraftBackoff: drafting pauses 1, 2, 4, ... 16 steps after repeated fully
// rejected drafts and resumes after any accepted one; the draft count halves
// on rejection and doubles when every draft matched.
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

TEST(DraftBackoff, DraftCountHalvesOnRejectionAndDoublesOnFullAcceptance) {
  DraftBackoff b;
  EXPECT_EQ(b.draft_limit(8), 8);  // nothing learned yet: the caller's maximum
  std::vector<int> limits;
  for (int i = 0; i < 5; ++i) {  // every draft rejected
    steps_until_draft(b);
    const int n = b.draft_limit(8);
    b.record(n, 0);
    limits.push_back(b.draft_limit(8));
  }
  EXPECT_EQ(limits, (std::vector<int>{4, 2, 1, 1, 1}));
  limits.clear();
  for (int i = 0; i < 5; ++i) {  // every draft accepted
    steps_until_draft(b);
    const int n = b.draft_limit(8);
    b.record(n, n);
    limits.push_back(b.draft_limit(8));
  }
  EXPECT_EQ(limits, (std::vector<int>{2, 4, 8, 8, 8}));
  EXPECT_EQ(b.draft_limit(32), 16);  // a larger maximum grows from what was drafted
  b.record(8, 3);  // some matched: the count stays
  EXPECT_EQ(b.draft_limit(32), 16);
  EXPECT_EQ(b.pause(), 0);
  b.record(3, 3);  // fewer drafts than allowed (a short n-gram continuation), all matched
  EXPECT_EQ(b.draft_limit(32), 6);
  for (int i = 0; i < 10; ++i) b.record(DraftBackoff::kMaxDrafts, DraftBackoff::kMaxDrafts);
  EXPECT_EQ(b.draft_limit(1000), DraftBackoff::kMaxDrafts);
}

TEST(DraftBackoff, FailedDraftsCostFewVerificationsOverALongGeneration) {
  // 1000 decode steps where every draft is rejected: without the backoff
  // all 1000 would verify a batch; with it, about log2(16) + 1000 / 17.
  // The drafts verified shrink too: 8, 4, 2, then 1 per verification.
  DraftBackoff b;
  int verified = 0, drafted = 0;
  for (int step = 0; step < 1000; ++step)
    if (b.should_draft()) {
      ++verified;
      drafted += b.draft_limit(8);
      b.record(b.draft_limit(8), 0);
    }
  EXPECT_LE(verified, 65);
  EXPECT_GE(verified, 55);
  EXPECT_EQ(drafted, 8 + 4 + 2 + (verified - 3));
}

}  // namespace
}  // namespace pocketops::engine
