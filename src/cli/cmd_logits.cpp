// `pocketops logits`: evaluates a token prompt as one batch, writes float32
// logits for every prompt position, then N greedy single-token steps (the
// layout of the conformance fixtures); prints the greedy ids.
#include <cstdio>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "common/error.h"
#include "kernels/thread_pool.h"
#include "model/lfm2_model.h"

namespace {

int run_logits(int argc, char** argv) {
  CLI::App app{"Write raw float32 logits for a token prompt (+ N greedy decode steps)"};
  std::string path, tokens, out_path;
  int decode = 0, threads = 0;
  int64_t ctx = 0;
  app.add_option("-m,--model", path, "GGUF model file")->required();
  app.add_option("--tokens", tokens, "prompt token ids, comma-separated (e.g. 4097,1538,726)")->required();
  app.add_option("--decode", decode, "greedy single-token steps after the prompt")->check(CLI::Range(0, 1 << 20));
  app.add_option("--out", out_path, "output file: little-endian float32, one row of n_vocab per position")->required();
  pocketops::cli::add_threads_option(app, threads);
  app.add_option("--ctx", ctx, "context size (default: prompt + decode, at least 4096 if the model allows)");
  if (auto rc = pocketops::cli::parse_args(app, argc, argv)) return *rc;

  std::vector<int32_t> prompt = pocketops::cli::parse_id_list(tokens);
  if (prompt.empty()) throw pocketops::Error("--tokens is empty: give at least one token id");
  auto model = pocketops::model::Lfm2Model::load(path);
  const int64_t V = model->n_vocab();
  for (size_t i = 0; i < prompt.size(); ++i)
    if (prompt[i] >= V)
      throw pocketops::Error("token id " + std::to_string(prompt[i]) + " (position " + std::to_string(i) +
                             ") is out of range: the vocabulary has " + std::to_string(V) + " tokens");
  const int64_t need = static_cast<int64_t>(prompt.size()) + decode;
  const int64_t train = model->config().n_ctx_train;
  if (ctx == 0) ctx = std::max<int64_t>(need, std::min<int64_t>(4096, train));
  if (need > ctx || ctx > train)
    throw pocketops::Error("prompt + decode = " + std::to_string(need) + " tokens does not fit the context (" +
                           std::to_string(std::min(ctx, train)) + ", model trained for " + std::to_string(train) + ")");
  pocketops::kernels::ThreadPool pool(threads);
  pocketops::model::Lfm2State st(model->config(), ctx);

  FILE* out = std::fopen(out_path.c_str(), "wb");
  if (!out) throw pocketops::Error("cannot create '" + out_path + "'");
  std::vector<int64_t> rows(prompt.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  std::vector<float> logits(rows.size() * V);
  bool ok = true;
  try {
    model->forward(st, prompt, rows, logits.data(), pool);
    ok = std::fwrite(logits.data(), sizeof(float), logits.size(), out) == logits.size();
    std::vector<int32_t> greedy;
    const float* last = logits.data() + (rows.size() - 1) * V;
    std::vector<float> row(last, last + V);
    int64_t r0 = 0;
    for (int s = 0; s < decode && ok; ++s) {
      int32_t tok = static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
      greedy.push_back(tok);
      model->forward(st, std::span<const int32_t>(&tok, 1), std::span<const int64_t>(&r0, 1), row.data(), pool);
      ok = std::fwrite(row.data(), sizeof(float), V, out) == static_cast<size_t>(V);
    }
    ok = (std::fclose(out) == 0) && ok;
    out = nullptr;
    if (!ok) throw pocketops::Error("write to '" + out_path + "' failed");
    std::printf("%s\n", pocketops::cli::join_ids(greedy).c_str());
  } catch (...) {
    if (out) std::fclose(out);
    std::remove(out_path.c_str());
    throw;
  }
  return 0;
}

}  // namespace

POCKETOPS_COMMAND("logits", "write raw logits for a token prompt (+ greedy steps) for conformance checks", run_logits);
