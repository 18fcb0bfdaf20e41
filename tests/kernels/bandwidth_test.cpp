// The read-bandwidth probe (bench's decode roofline) runs on any pool size
// and returns a finite positive figure; every kernel set's vector sum behind
// it reads every word (equals the plain wrapping sum).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/bandwidth.h"
#include "kernels/dispatch.h"

namespace pocketops::kernels {
namespace {

TEST(Bandwidth, ProbeReturnsAPositiveRate) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    const double gbs = read_bandwidth_gbs(pool, size_t(8) << 20, 2);
    EXPECT_TRUE(std::isfinite(gbs)) << threads;
    EXPECT_GT(gbs, 0.05) << threads;  // 8 MiB in under 160 ms even under sanitizers
  }
}

TEST(Bandwidth, TinyBufferIsRoundedUp) {
  ThreadPool pool(2);
  EXPECT_GT(read_bandwidth_gbs(pool, 1, 1), 0);
}

TEST(Bandwidth, EverySetsReadSumEqualsThePlainSum) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> words(1000);
  for (auto& w : words) w = rng();  // large values: the sums wrap
  int with_sum = 0;
  for (const KernelSet* ks : available_kernel_sets()) {
    if (!ks->read_sum) continue;
    ++with_sum;
    // every tail length of the 16- and 32-word loops, from an odd offset too
    for (size_t off : {size_t(0), size_t(1)}) {
      for (size_t n : {size_t(0), size_t(1), size_t(15), size_t(16), size_t(31), size_t(32), size_t(33), size_t(63),
                       size_t(64), size_t(999)}) {
        uint64_t want = 0;
        for (size_t i = 0; i < n; ++i) want += words[off + i];
        EXPECT_EQ(ks->read_sum(words.data() + off, n), want) << ks->name << " n=" << n << " off=" << off;
      }
    }
  }
#if defined(__x86_64__)
  if (available_kernel_sets().size() > 1) {
    EXPECT_GT(with_sum, 0);  // the x86 sets have one
  }
#endif
}

}  // namespace
}  // namespace pocketops::kernels
