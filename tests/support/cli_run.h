// Test helpers for CLI-level tests: a per-test temporary folder and a way to
// run the built pocketops binary without a shell, capturing stdout and stderr.
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixtures.h"

namespace pocketops::testing {

struct CliResult {
  int rc = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fixture with its own temporary folder, removed after the test.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("po_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& body) {
    const std::filesystem::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << body;
    return p;
  }

  // Runs `pocketops ARGS...` (arguments passed verbatim, stdin /dev/null).
  CliResult run_pocketops(const std::vector<std::string>& args) {
    const std::filesystem::path o = dir_ / "stdout", e = dir_ / "stderr";
    std::vector<std::string> full = {pocketops_bin()};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fo = ::open(o.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int fe = ::open(e.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int fi = ::open("/dev/null", O_RDONLY);
      ::dup2(fo, 1);
      ::dup2(fe, 2);
      ::dup2(fi, 0);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(o), slurp(e)};
  }

  std::filesystem::path dir_;
};

}  // namespace pocketops::testing
