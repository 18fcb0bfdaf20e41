// `pocketops synth`: writes a synthetic LFM2 GGUF (real shape, metadata and
// tensor names, random weights) for benchmarks and tests without downloads.
#include <unistd.h>

#include <cstdio>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "synth/lfm2_synth.h"

namespace {

struct Progress : pocketops::synth::SynthProgress {
  bool tty = isatty(2);
  void tensor_done(const std::string& name, size_t i, size_t n) override {
    if (tty) std::fprintf(stderr, "\r[%3zu/%zu] %-40s", i, n, name.c_str());
    if (i == n && tty) std::fprintf(stderr, "\n");
  }
};

int run_synth(int argc, char** argv) {
  CLI::App app{"Write a synthetic LFM2 model (real architecture and metadata, random weights)"};
  std::string shape = "tiny", type = "q4_0", out;
  uint64_t seed = 1234;
  app.add_option("--shape", shape, "lfm2-1.2b | lfm2-350m | tiny")->capture_default_str();
  app.add_option("--type", type, "f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k_m q5_k_m q6_k")->capture_default_str();
  app.add_option("-o,--output", out, "output .gguf path")->required();
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  if (auto rc = pocketops::cli::parse_args(app, argc, argv)) return *rc;
  auto sh = pocketops::synth::synth_shape(shape);
  Progress p;
  const uint64_t bytes = pocketops::synth::write_synthetic_model(out, sh, type, seed, &p);
  std::fprintf(stderr, "wrote %s (%s, %s, %.1f MiB)\n", out.c_str(), shape.c_str(), type.c_str(), bytes / 1048576.0);
  return 0;
}

}  // namespace

POCKETOPS_COMMAND("synth", "write a synthetic LFM2 GGUF (real shape, random weights) for benchmarks", run_synth);
