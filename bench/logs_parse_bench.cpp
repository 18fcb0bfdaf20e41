// Parse-only throughput of the log pipeline (header detection + masking +
// template lookup) on typical syslog lines; target >= 1M lines/s per core.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "logs/header.h"
#include "logs/log_parser.h"
#include "logs/masker.h"

using namespace pocketops::logs;

namespace {
std::vector<std::string> syslog_lines(size_t n) {
  std::mt19937 rng(42);
  auto r = [&](int a, int b) { return std::to_string(std::uniform_int_distribution<int>(a, b)(rng)); };
  const char* users[] = {"root", "admin", "alice", "deploy", "postgres"};
  std::vector<std::string> v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string ts = "Mar " + r(10, 28) + " " + r(10, 23) + ":" + r(10, 59) + ":" + r(10, 59) + " web01 ";
    std::string ip = r(1, 223) + "." + r(0, 255) + "." + r(0, 255) + "." + r(1, 254);
    switch (i % 8) {
      case 0: v.push_back(ts + "sshd[" + r(1000, 30000) + "]: Failed password for " + users[i % 5] + " from " + ip + " port " + r(1024, 65535) + " ssh2"); break;
      case 1: v.push_back(ts + "sshd[" + r(1000, 30000) + "]: Accepted publickey for " + users[i % 5] + " from " + ip + " port " + r(1024, 65535) + " ssh2"); break;
      case 2: v.push_back(ts + "CRON[" + r(1000, 30000) + "]: pam_unix(cron:session): session opened for user root by (uid=0)"); break;
      case 3: v.push_back(ts + "kernel: [" + r(1000, 99999) + ".123456] IPv4: martian source " + ip + " from " + ip + ", on dev eth0"); break;
      case 4: v.push_back(ts + "systemd[1]: Started Session " + r(1, 9999) + " of user " + users[i % 5] + "."); break;
      case 5: v.push_back(ts + "postfix/smtpd[" + r(1000, 30000) + "]: connect from unknown[" + ip + "]"); break;
      case 6: v.push_back(ts + "sshd[" + r(1000, 30000) + "]: Connection closed by " + ip + " port " + r(1024, 65535) + " [preauth]"); break;
      default: v.push_back(ts + "dhclient[" + r(100, 999) + "]: DHCPREQUEST on eth0 to " + ip + " port 67"); break;
    }
  }
  return v;
}
const std::vector<std::string>& lines() {
  static const auto v = syslog_lines(1 << 16);
  return v;
}
}  // namespace

static void BM_ParseOnly(benchmark::State& st) {
  const auto& v = lines();
  LogParser p;
  size_t i = 0, bytes = 0;
  for (auto _ : st) {
    const auto& r = p.parse(v[i]);
    benchmark::DoNotOptimize(r.tpl);
    bytes += v[i].size();
    if (++i == v.size()) i = 0;
  }
  st.SetItemsProcessed(st.iterations());
  st.SetBytesProcessed(static_cast<int64_t>(bytes));
  st.counters["templates"] = static_cast<double>(p.miner().size());
}
BENCHMARK(BM_ParseOnly);

static void BM_HeaderOnly(benchmark::State& st) {
  const auto& v = lines();
  HeaderScratch sc;
  Header h;
  size_t i = 0;
  for (auto _ : st) {
    parse_header(v[i], h, sc);
    benchmark::DoNotOptimize(h.message.data());
    if (++i == v.size()) i = 0;
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_HeaderOnly);

static void BM_MaskOnly(benchmark::State& st) {
  const auto& v = lines();
  MaskedLine m;
  size_t i = 0;
  for (auto _ : st) {
    mask_message(std::string_view(v[i]).substr(22), m);
    benchmark::DoNotOptimize(m.text.data());
    if (++i == v.size()) i = 0;
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_MaskOnly);

BENCHMARK_MAIN();
