// The default thread count from the CPU affinity mask, the sysfs core
// topology and the cgroup (v2 cpu.max, v1 cfs quota) of this process.
#include "kernels/cpu_budget.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#if defined(__linux__)
#include <sched.h>
#endif

namespace pocketops::kernels {

namespace {

std::optional<long long> parse_int(const std::string& s) {
  const char* b = s.c_str();
  while (*b == ' ' || *b == '\t') ++b;
  if (*b == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(b, &end, 10);
  if (errno != 0 || end == b) return std::nullopt;
  while (*end == ' ' || *end == '\t' || *end == '\n') ++end;
  if (*end != '\0') return std::nullopt;
  return v;
}

// Logical CPUs by std::thread, when nothing better is known.
int hardware_cpus() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

// ceil(quota / period) for a positive quota and period.
std::optional<int> quota_cpus(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  const long long n = (quota + period - 1) / period;
  return static_cast<int>(std::min<long long>(n, 1 << 20));
}

#if defined(__linux__)
std::optional<std::string> read_text(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::optional<int> read_int(const std::string& path) {
  auto t = read_text(path);
  if (!t) return std::nullopt;
  auto v = parse_int(*t);
  if (!v || *v < 0 || *v > (1 << 30)) return std::nullopt;
  return static_cast<int>(*v);
}

// Calls f(dir) for a cgroup path and each of its parents up to "/" (a quota
// can sit on a parent: a systemd slice, the container's own cgroup).
template <class F>
void for_cgroup_dirs(std::string path, F&& f) {
  if (path.empty() || path[0] != '/') path = "/" + path;
  for (;;) {
    f(path == "/" ? std::string() : path);
    if (path == "/") break;
    const size_t slash = path.find_last_of('/');
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
}

std::optional<int> cgroup_quota_cpus() {
  std::optional<int> best;
  auto take = [&](std::optional<int> q) {
    if (q && (!best || *q < *best)) best = q;
  };
  auto text = read_text("/proc/self/cgroup");
  if (!text) return std::nullopt;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    // "id:controllers:path"; cgroup v2 has id 0 and no controllers
    const size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (controllers.empty()) {
      for (const char* base : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
        for_cgroup_dirs(path, [&](const std::string& dir) {
          if (auto t = read_text(std::string(base) + dir + "/cpu.max")) take(cpus_from_cpu_max(*t));
        });
      continue;
    }
    bool cpu = false;
    std::istringstream names(controllers);
    for (std::string n; std::getline(names, n, ',');) cpu = cpu || n == "cpu";
    if (!cpu) continue;
    // the hierarchy's mount ("cpu,cpuacct"), or a separate "cpu" mount (read once when it is the same)
    std::vector<std::string> bases = {"/sys/fs/cgroup/" + controllers};
    if (controllers != "cpu") bases.push_back("/sys/fs/cgroup/cpu");
    for (const std::string& base : bases)
      for_cgroup_dirs(path, [&](const std::string& dir) {
        auto q = read_text(base + dir + "/cpu.cfs_quota_us"), p = read_text(base + dir + "/cpu.cfs_period_us");
        if (q && p) take(cpus_from_cfs(*q, *p));
      });
  }
  return best;
}

CpuBudget measure() {
  CpuBudget b;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) {
    b.allowed_cpus = b.physical_cores = hardware_cpus();
  } else {
    std::vector<CpuPlace> places;
    bool known = true;
    int n = 0;
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (!CPU_ISSET(c, &set)) continue;
      ++n;
      const std::string topo = "/sys/devices/system/cpu/cpu" + std::to_string(c) + "/topology/";
      auto core = read_int(topo + "core_id"), pkg = read_int(topo + "physical_package_id");
      if (core && pkg) places.push_back({c, *pkg, *core});
      else known = false;
    }
    b.allowed_cpus = std::max(n, 1);
    b.physical_cores = known && !places.empty() ? count_physical_cores(places) : b.allowed_cpus;
  }
  b.quota_cpus = cgroup_quota_cpus();
  b.threads = std::max(1, b.quota_cpus ? std::min(b.physical_cores, *b.quota_cpus) : b.physical_cores);
  return b;
}
#else
CpuBudget measure() {
  CpuBudget b;
  b.allowed_cpus = b.physical_cores = b.threads = hardware_cpus();
  return b;
}
#endif

}  // namespace

int count_physical_cores(const std::vector<CpuPlace>& cpus) {
  std::set<std::pair<int, int>> cores;
  for (const CpuPlace& c : cpus) cores.insert({c.package, c.core});
  return static_cast<int>(cores.size());
}

std::optional<int> cpus_from_cpu_max(const std::string& text) {
  std::istringstream in(text);
  std::string quota, period;
  if (!(in >> quota)) return std::nullopt;
  if (quota == "max") return std::nullopt;
  if (!(in >> period)) period = "100000";  // the kernel's default period
  std::string rest;
  if (in >> rest) return std::nullopt;
  return cpus_from_cfs(quota, period);  // the same two numbers as v1's two files
}

std::optional<int> cpus_from_cfs(const std::string& quota, const std::string& period) {
  auto q = parse_int(quota), p = parse_int(period);
  if (!q || !p) return std::nullopt;
  return quota_cpus(*q, *p);
}

const CpuBudget& cpu_budget() {
  static const CpuBudget b = measure();
  return b;
}

}  // namespace pocketops::kernels
