// Runs the built pocketops binary as a user would and captures its output.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/fixtures.h"

namespace pocketops::testing {

struct CliRun {
  int rc = -1;
  std::string out;  // stdout (and stderr when merged)
};

// args are passed to /bin/sh; stderr is merged into out unless split.
inline CliRun cli(const std::string& args, bool merge_stderr = true, const std::string& stdin_text = "") {
  std::string cmd = pocketops_bin() + " " + args;
  std::string in_path;
  if (!stdin_text.empty()) {
    in_path = (std::filesystem::temp_directory_path() / ("po_cli_in_" + std::to_string(::getpid()))).string();
    FILE* f = std::fopen(in_path.c_str(), "wb");
    std::fwrite(stdin_text.data(), 1, stdin_text.size(), f);
    std::fclose(f);
    cmd += " < " + in_path;
  } else {
    cmd += " < /dev/null";
  }
  cmd += merge_stderr ? " 2>&1" : " 2>/dev/null";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (!in_path.empty()) std::filesystem::remove(in_path);
  return r;
}

inline std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("po_cli_" + std::to_string(::getpid()) + "_" + name)).string();
}

inline std::string fixture_model(const std::string& name) { return fixtures_dir() + "/models/" + name + ".gguf"; }

}  // namespace pocketops::testing
