// `pocketops info -m FILE`: what a GGUF file holds (architecture, shape,
// tensor types, vocabulary, context) without loading any weights into RAM,
// the memory a run needs, and how this machine would run it (kernel set,
// threads).
#include <map>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "engine/engine.h"
#include "gguf/gguf_reader.h"
#include "kernels/cpu_budget.h"
#include "kernels/dispatch.h"
#include "model/lfm2_config.h"
#include "model/lfm2_state.h"

namespace {

int run_info(int argc, char** argv) {
  CLI::App app{"Describe a GGUF model file: architecture, shape, tensor types, vocabulary, context"};
  std::string path;
  bool all_meta = false;
  app.add_option("-m,--model", path, "GGUF model file")->required();
  app.add_flag("--metadata", all_meta, "also list every metadata key");
  if (auto rc = pocketops::cli::parse_args(app, argc, argv)) return *rc;

  auto f = pocketops::gguf::File::open(path);
  const auto cfg = pocketops::model::Lfm2Config::from_gguf(*f);
  std::printf("file:           %s\n", path.c_str());
  std::printf("file size:      %zu bytes (%.1f MiB)\n", f->file_size(), f->file_size() / 1048576.0);
  std::printf("gguf version:   %u (alignment %llu)\n", f->version(), static_cast<unsigned long long>(f->alignment()));
  std::printf("architecture:   %s\n", cfg.arch.c_str());
  if (!cfg.name.empty()) std::printf("name:           %s\n", cfg.name.c_str());
  std::printf("layers:         %lld (", static_cast<long long>(cfg.n_layer));
  std::string attn;
  for (int64_t i = 0; i < cfg.n_layer; ++i)
    if (cfg.is_attention(i)) attn += (attn.empty() ? "" : ",") + std::to_string(i);
  std::printf("%lld short-conv, %lld attention at %s)\n", static_cast<long long>(cfg.n_layer - cfg.n_attn_layers()),
              static_cast<long long>(cfg.n_attn_layers()), attn.empty() ? "-" : attn.c_str());
  std::printf("embedding:      %lld\n", static_cast<long long>(cfg.n_embd));
  std::printf("feed-forward:   %lld\n", static_cast<long long>(cfg.n_ff));
  int64_t kvh = 0;
  for (int64_t h : cfg.n_head_kv) kvh = std::max(kvh, h);
  std::printf("heads:          %lld (kv %lld, head dim %lld)\n", static_cast<long long>(cfg.n_head),
              static_cast<long long>(kvh), static_cast<long long>(cfg.head_dim));
  std::printf("conv L:         %lld\n", static_cast<long long>(cfg.conv_l));
  std::printf("rope base:      %g\n", cfg.rope_base);
  std::printf("rms eps:        %g\n", cfg.norm_eps);
  std::printf("context length: %lld\n", static_cast<long long>(cfg.n_ctx_train));
  std::printf("vocab size:     %lld\n", static_cast<long long>(cfg.n_vocab));
  auto id = [&](const char* key) -> std::string {
    auto v = f->get_int_opt(key);
    return v ? std::to_string(*v) : "-";
  };
  std::printf("special ids:    bos %s, eos %s, pad %s\n", id("tokenizer.ggml.bos_token_id").c_str(),
              id("tokenizer.ggml.eos_token_id").c_str(), id("tokenizer.ggml.padding_token_id").c_str());
  if (const auto* toks = f->find("tokenizer.ggml.tokens"); toks && toks->is_array() && toks->elem_type == pocketops::gguf::ValueType::STRING) {
    std::string named;
    for (const char* s : {"<|im_start|>", "<|im_end|>", "<|tool_call_start|>", "<|tool_call_end|>"}) {
      for (uint64_t i = 0; i < toks->size(); ++i)
        if (toks->string_at(i) == s) named += std::string(named.empty() ? "" : ", ") + s + " " + std::to_string(i);
    }
    if (!named.empty()) std::printf("chat ids:       %s\n", named.c_str());
  }
  std::printf("tokenizer:      %s / pre %s\n", f->get_string("tokenizer.ggml.model", "-").c_str(),
              f->get_string("tokenizer.ggml.pre", "-").c_str());
  std::printf("chat template:  %s\n", f->find("tokenizer.chat_template") ? "yes" : "no");
  std::map<std::string, int> counts;
  uint64_t params = 0, weight_bytes = 0;
  for (const auto& t : f->tensors()) {
    counts[pocketops::gguf::type_name(t.type)]++;
    params += static_cast<uint64_t>(t.n_elements());
    weight_bytes += t.nbytes;
  }
  std::printf("tensors:        %zu (", f->tensors().size());
  bool first = true;
  for (const auto& [k, v] : counts) {
    std::printf("%s%s %d", first ? "" : ", ", k.c_str(), v);
    first = false;
  }
  std::printf(")\nparameters:     %llu (%.2f B)\n", static_cast<unsigned long long>(params), params / 1e9);
  // What a run needs: the weights (read from the mapped file, quantized
  // matrices repacked once at load) and the F16 KV cache, which grows with
  // --ctx; activations and scratch add a few tens of MiB.
  const int64_t ctx = pocketops::engine::default_context(cfg.n_ctx_train);
  const double kv = static_cast<double>(pocketops::model::Lfm2State::kv_bytes_for(cfg, ctx));
  std::printf("memory:         weights %.1f MiB + KV cache %.1f MiB at context %lld (%.1f KiB per token of --ctx)\n",
              weight_bytes / 1048576.0, kv / 1048576.0, static_cast<long long>(ctx), kv / ctx / 1024.0);
  // How this machine would run it (the same choice run, chat and bench make).
  const auto& budget = pocketops::kernels::cpu_budget();
  std::string sets;
  for (const auto* k : pocketops::kernels::available_kernel_sets()) sets += (sets.empty() ? "" : ", ") + k->name;
  std::printf("this machine:   kernels %s (available: %s); %d thread%s by default (%d CPU%s, %d physical core%s%s)\n",
              pocketops::kernels::active_kernels().name.c_str(), sets.c_str(), budget.threads,
              budget.threads == 1 ? "" : "s", budget.allowed_cpus, budget.allowed_cpus == 1 ? "" : "s",
              budget.physical_cores, budget.physical_cores == 1 ? "" : "s",
              budget.quota_cpus ? (", cgroup CPU quota " + std::to_string(*budget.quota_cpus)).c_str() : "");
  const std::string note = pocketops::kernels::unused_cpu_features();
  if (!note.empty()) std::printf("                note: %s\n", note.c_str());
  if (all_meta) {
    std::printf("metadata:\n");
    for (const auto& [k, v] : f->metadata()) std::printf("  %-44s %s\n", k.c_str(), v.describe().c_str());
  }
  return 0;
}

}  // namespace

POCKETOPS_COMMAND("info", "describe a GGUF model file (shape, types, vocab, context)", run_info);
