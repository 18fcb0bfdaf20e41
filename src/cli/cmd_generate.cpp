// `pocketops generate`: raw text completion (no chat template), streamed to
// stdout as it is produced; stats on stderr.
#include <cstdio>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "common/error.h"
#include "engine/session.h"

namespace {

int run_generate(int argc, char** argv) {
  CLI::App app{"Complete a raw text prompt (no chat template), streaming the output"};
  std::string path, prompt;
  int n = 128, threads = 0, draft = 0;
  int64_t ctx = 0;
  pocketops::chat::SamplingParams sp;
  bool have_temp = false;
  float temp = 0;
  uint64_t seed = 0;
  bool verbose = false;
  app.add_option("-m,--model", path, "GGUF model file")->required();
  app.add_option("-p,--prompt", prompt, "prompt text")->required();
  app.add_option("-n,--max-tokens", n, "tokens to generate")->check(CLI::Range(0, 1 << 20));
  app.add_option("--seed", seed, "sampling seed (same seed + settings = same output)");
  app.add_option("--temp", temp, "temperature (0 = greedy; default: the model's recommendation)")->each([&](const std::string&) { have_temp = true; });
  pocketops::cli::add_threads_option(app, threads);
  app.add_option("--ctx", ctx, "context size (default 4096)");
  app.add_option("--draft", draft, "prompt-lookup speculative drafts per step (greedy only, 0 = off; same output, pauses while drafts keep failing)")->check(CLI::Range(0, 32));
  app.add_flag("-v,--verbose", verbose, "print token counts and speed on stderr");
  if (auto rc = pocketops::cli::parse_args(app, argc, argv)) return *rc;

  if (prompt.empty()) throw pocketops::Error("empty prompt: give some text with -p");
  auto eng = pocketops::engine::Engine::load(path, {threads});
  pocketops::engine::Session s(*eng, eng->context_for(ctx));
  auto ids = eng->tokenizer().encode(prompt, eng->tokenizer().add_bos(), false);
  if (ids.empty()) throw pocketops::Error("empty prompt: give some text with -p");
  pocketops::engine::GenerateOptions opt;
  opt.sampling = pocketops::chat::SamplingParams::from_gguf(eng->file());
  if (have_temp) opt.sampling.temperature = temp;
  opt.sampling.seed = seed;
  opt.max_tokens = n;
  opt.draft_max = draft;
  opt.on_text = [](const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
    return true;
  };
  auto r = s.generate(ids, opt);
  std::printf("\n");
  if (verbose) {
    std::fprintf(stderr, "prompt %lld tokens in %.3f s (%.1f tok/s), generated %zu tokens in %.3f s (%.1f tok/s), stop: %s\n",
                 static_cast<long long>(r.n_prompt), r.prompt_s, r.n_prompt / std::max(r.prompt_s, 1e-9), r.tokens.size(),
                 r.gen_s, r.tokens.size() / std::max(r.gen_s, 1e-9), r.stop_reason.c_str());
    if (draft > 0)
      std::fprintf(stderr, "speculation: %lld drafted, %lld accepted, %.2f tokens per step\n",
                   static_cast<long long>(r.n_draft), static_cast<long long>(r.n_accepted),
                   r.n_steps ? double(r.tokens.size()) / r.n_steps : 0.0);
  }
  return 0;
}

}  // namespace

POCKETOPS_COMMAND("generate", "complete a raw text prompt, streaming the output", run_generate);
