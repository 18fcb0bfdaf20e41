// ThreadPool: every task runs exactly once per call, across many back-to-back
// calls (the decode pattern), with more threads than cores, and run_on_all.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "kernels/thread_pool.h"

namespace pocketops::kernels {
namespace {

TEST(ThreadPool, EveryTaskRunsExactlyOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    std::vector<std::atomic<int>> hits(257);
    for (int call = 0; call < 2000; ++call) {
      const int64_t n = 1 + call % 257;
      for (int64_t i = 0; i < n; ++i) hits[i].store(0);
      std::atomic<int> bad_thread{0};
      pool.parallel_for(n, [&](int64_t t, int th) {
        hits[t].fetch_add(1);
        if (th < 0 || th >= threads) bad_thread.fetch_add(1);
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "threads=" << threads << " call=" << call;
      ASSERT_EQ(bad_thread.load(), 0);
    }
  }
}

TEST(ThreadPool, RunOnAllCoversEveryIndex) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(3);
  for (int call = 0; call < 100; ++call) pool.run_on_all([&](int t) { hits[t].fetch_add(1); });
  for (auto& h : hits) EXPECT_EQ(h.load(), 100);
}

TEST(ThreadPool, ZeroTasksIsANoOp) {
  ThreadPool pool(2);
  int calls = 0;
  pool.parallel_for(0, [&](int64_t, int) { ++calls; });
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace pocketops::kernels
