// Implementation of the CLI helpers.
#include "cli/cli_util.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "common/error.h"
#include "kernels/cpu_budget.h"

namespace pocketops::cli {

CLI::Option* add_threads_option(CLI::App& app, int& threads) {
  return app
      .add_option("-t,--threads", threads,
                  "threads (0 or unset: one per physical core this process may use, within a cgroup CPU quota)")
      ->check(CLI::Range(0, 4096))
      ->each([](const std::string& v) {
        int n = 0;
        try {
          n = std::stoi(v);
        } catch (const std::exception&) {
          return;  // CLI11 reports the bad value itself
        }
        const auto& b = kernels::cpu_budget();
        const int cpus = b.usable_cpus();
        if (n > cpus)
          std::fprintf(stderr,
                       "pocketops: warning: %d threads but only %d %s available to this process%s; the extra "
                       "threads compete for cores and make every step slower (leave -t unset to use %d)\n",
                       n, cpus, cpus == 1 ? "CPU is" : "CPUs are",
                       cpus < b.allowed_cpus ? " (cgroup CPU quota)" : "", b.threads);
      });
}

std::optional<int> parse_args(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 1;
  }
  return std::nullopt;
}

std::string read_text_file(const std::string& path, size_t max_bytes) {
  std::string data;
  if (path == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error(path + ": read failed");
    data = ss.str();
  }
  if (data.size() > max_bytes)
    throw Error(path + ": input is larger than " + std::to_string(max_bytes >> 20) + " MiB");
  return data;
}

std::vector<int32_t> parse_id_list(const std::string& s) {
  std::vector<int32_t> ids;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    std::string item = s.substr(i, j - i);
    while (!item.empty() && isspace(static_cast<unsigned char>(item.back()))) item.pop_back();
    while (!item.empty() && isspace(static_cast<unsigned char>(item.front()))) item.erase(item.begin());
    if (!item.empty() || j < s.size()) {
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(item.c_str(), &end, 10);
      if (item.empty() || *end != '\0' || errno != 0 || v < 0 || v > INT32_MAX)
        throw Error("bad token id '" + item + "' in --tokens (expected comma-separated non-negative integers)");
      ids.push_back(static_cast<int32_t>(v));
    }
    i = j + 1;
  }
  return ids;
}

std::string join_ids(const std::vector<int32_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out;
}

namespace {
double status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string k = key;
  while (std::getline(in, line))
    if (line.rfind(k, 0) == 0) return std::strtod(line.c_str() + k.size(), nullptr);
  return 0;
}
}  // namespace

double peak_rss_mb() { return status_kb("VmHWM:") / 1024.0; }
double current_rss_mb() { return status_kb("VmRSS:") / 1024.0; }

bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace pocketops::cli
