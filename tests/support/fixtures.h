// Locating ../shared/fixtures for conformance tests; tests skip with a clear
// message when the folder is absent (e.g. a fresh clone without shared/).
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace pocketops::testing {

inline std::string fixtures_dir() {
  if (const char* env = std::getenv("POCKETOPS_FIXTURES")) return env;
  return POCKETOPS_FIXTURES_DIR;
}

inline bool have_fixtures() { return std::filesystem::exists(fixtures_dir() + "/README.md"); }

// Path of the built pocketops binary (for CLI tests).
inline std::string pocketops_bin() { return POCKETOPS_BIN; }

}  // namespace pocketops::testing

#define POCKETOPS_REQUIRE_FIXTURES()                                                          \
  do {                                                                                        \
    if (!::pocketops::testing::have_fixtures())                                               \
      GTEST_SKIP() << "shared fixtures not found at " << ::pocketops::testing::fixtures_dir() \
                   << " (set POCKETOPS_FIXTURES or place shared/ beside the checkout)";       \
  } while (0)
