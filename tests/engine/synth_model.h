// Test helper: writes (once per process) a small synthetic LFM2 model with the
// project's own GGUF writer, so engine tests need no shared fixtures.
#pragma once
#include <filesystem>
#include <string>
#include <unistd.h>

#include "synth/lfm2_synth.h"

namespace pocketops::testing {

inline std::string synthetic_model(const std::string& type = "f32") {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("pocketops-test-tiny-" + type + "-" + std::to_string(::getpid()) + ".gguf")).string();
  if (!std::filesystem::exists(path)) synth::write_synthetic_model(path, synth::synth_shape("tiny"), type, 7);
  return path;
}

}  // namespace pocketops::testing
