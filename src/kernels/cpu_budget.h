// How many threads to use by default: one per physical core this process may
// run on (its CPU affinity: taskset, numactl, a container's cpuset), capped
// by a cgroup CPU quota (docker --cpus, systemd CPUQuota=). More threads than
// that only compete: SMT siblings share a core's load ports and memory
// stream, and threads beyond a quota spin out the quota and stall.
#pragma once
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace pocketops::kernels {

// One logical CPU and where it sits (Linux sysfs topology).
struct CpuPlace {
  int cpu = 0;
  int package = 0;
  int core = 0;
};

// Distinct (package, core) pairs among the CPUs given.
int count_physical_cores(const std::vector<CpuPlace>& cpus);

// CPUs a cgroup v2 `cpu.max` allows ("max 100000": no limit; "150000 100000":
// 2, rounded up); nullopt for no limit or unreadable text.
std::optional<int> cpus_from_cpu_max(const std::string& text);
// The same from cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (quota -1: no limit).
std::optional<int> cpus_from_cfs(const std::string& quota, const std::string& period);

struct CpuBudget {
  int allowed_cpus = 1;            // logical CPUs in the affinity mask
  int physical_cores = 1;          // cores those CPUs belong to (= allowed_cpus if unknown)
  std::optional<int> quota_cpus;   // cgroup CPU quota, rounded up, if any
  int threads = 1;                 // the default: min(physical_cores, quota), at least 1

  // Logical CPUs the process can keep busy: the affinity mask, within the quota.
  int usable_cpus() const { return quota_cpus ? std::min(allowed_cpus, *quota_cpus) : allowed_cpus; }
};

// This process's budget, read once (Linux; elsewhere from hardware_concurrency).
const CpuBudget& cpu_budget();

}  // namespace pocketops::kernels
