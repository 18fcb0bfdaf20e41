// Test helper: writes (once per process) a small synthetic LFM2 model with the
// project's own GGUF writer, so engine tests need no shared fixtures.
#pragma once
#include <filesystem>
#include <cstdint>
#include <string>
#include <vector>
#include <unistd.h>

#include "synth/lfm2_synth.h"

namespace pocketops::testing {

inline std::string synthetic_model(const std::string& type = "f32") {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("pocketops-test-tiny-" + type + "-" + std::to_string(::getpid()) + ".gguf")).string();
  if (!std::filesystem::exists(path)) synth::write_synthetic_model(path, synth::synth_shape("tiny"), type, 7);
  return path;
}

// n token ids below 4000 from a small LCG: the same ids for the same seed.
inline std::vector<int32_t> test_tokens(int n, uint32_t seed) {
  std::vector<int32_t> t;
  for (int i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    t.push_back(static_cast<int32_t>((seed >> 8) % 4000));
  }
  return t;
}

}  // namespace pocketops::testing
