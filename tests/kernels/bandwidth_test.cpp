// The read-bandwidth probe (bench's decode roofline) runs on any pool size
// and returns a finite positive figure.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/bandwidth.h"

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

}  // namespace
}  // namespace pocketops::kernels
