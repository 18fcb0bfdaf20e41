// The default thread count's inputs: physical cores among the allowed CPUs,
// cgroup v2 cpu.max and v1 cfs quota parsing, and this process's budget.
#include <gtest/gtest.h>

#include <thread>

#include "kernels/cpu_budget.h"
#include "kernels/thread_pool.h"

namespace pocketops::kernels {
namespace {

TEST(CpuBudget, CountsCoresNotSmtSiblings) {
  // 4 logical CPUs, 2 per core
  EXPECT_EQ(count_physical_cores({{0, 0, 0}, {1, 0, 1}, {2, 0, 0}, {3, 0, 1}}), 2);
  // the same core ids on two packages are different cores
  EXPECT_EQ(count_physical_cores({{0, 0, 0}, {1, 0, 1}, {2, 1, 0}, {3, 1, 1}}), 4);
  // an affinity mask with one sibling of each of three cores
  EXPECT_EQ(count_physical_cores({{0, 0, 0}, {3, 0, 1}, {5, 0, 7}}), 3);
  EXPECT_EQ(count_physical_cores({}), 0);
}

TEST(CpuBudget, ParsesCgroupV2CpuMax) {
  EXPECT_EQ(cpus_from_cpu_max("max 100000\n"), std::nullopt);
  EXPECT_EQ(cpus_from_cpu_max("200000 100000\n"), 2);
  EXPECT_EQ(cpus_from_cpu_max("150000 100000\n"), 2);  // 1.5 CPUs: round up
  EXPECT_EQ(cpus_from_cpu_max("50000 100000"), 1);
  EXPECT_EQ(cpus_from_cpu_max("400000"), 4);  // period omitted: the kernel's 100 ms
  for (const char* bad : {"", "garbage", "0 100000", "-5 100000", "100000 0", "1 2 3", "12x 100000"})
    EXPECT_EQ(cpus_from_cpu_max(bad), std::nullopt) << bad;
}

TEST(CpuBudget, ParsesCgroupV1CfsQuota) {
  EXPECT_EQ(cpus_from_cfs("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(cpus_from_cfs("300000\n", "100000\n"), 3);
  EXPECT_EQ(cpus_from_cfs("250000", "100000"), 3);
  EXPECT_EQ(cpus_from_cfs("", "100000"), std::nullopt);
  EXPECT_EQ(cpus_from_cfs("100000", "junk"), std::nullopt);
}

TEST(CpuBudget, ThisProcessHasAConsistentBudget) {
  const CpuBudget& b = cpu_budget();
  EXPECT_GE(b.allowed_cpus, 1);
  EXPECT_GE(b.physical_cores, 1);
  EXPECT_LE(b.physical_cores, b.allowed_cpus);
  EXPECT_GE(b.threads, 1);
  EXPECT_LE(b.threads, b.physical_cores);
  if (b.quota_cpus) {
    EXPECT_LE(b.threads, *b.quota_cpus);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  if (hw > 0) {
    EXPECT_LE(b.allowed_cpus, static_cast<int>(hw));
  }
  EXPECT_GE(b.usable_cpus(), b.threads);
  EXPECT_LE(b.usable_cpus(), b.allowed_cpus);
  EXPECT_EQ(default_thread_count(), b.threads);
  EXPECT_EQ(ThreadPool(0).size(), b.threads);
}

}  // namespace
}  // namespace pocketops::kernels
