// `pocketops run`: one-shot chat answer that pipes well — prompt from -p or
// stdin, only the answer on stdout (or exactly the JSON document with
// --json-schema / --json), stats and diagnostics on stderr.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "chat/tool_call.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/sampling_options.h"
#include "common/error.h"
#include "engine/conversation.h"
#include "engine/json_constraint.h"

namespace {

using pocketops::Error;

int run_run(int argc, char** argv) {
  CLI::App app{"Answer one prompt with the chat model (stdin in, answer out)"};
  std::string path, system, prompt, schema_path, tools_path;
  int n = 512, threads = 0, draft = 0;
  int64_t ctx = 0;
  bool json_mode = false, verbose = false, no_stream = false;
  pocketops::cli::SamplingFlags sf;
  app.add_option("-m,--model", path, "GGUF model file")->required();
  app.add_option("-s,--system", system, "system prompt");
  app.add_option("-p,--prompt", prompt, "user prompt (default: read stdin)");
  app.add_option("--json-schema", schema_path, "constrain the answer to this JSON schema file; stdout is exactly the JSON document");
  app.add_flag("--json", json_mode, "JSON mode: the answer is always one valid JSON object");
  app.add_option("--tools", tools_path, "tools array (JSON file); tool calls are printed as JSON");
  app.add_option("-n,--max-tokens", n, "maximum answer tokens")->capture_default_str()->check(CLI::Range(1, 1 << 20));
  pocketops::cli::add_threads_option(app, threads);
  app.add_option("--ctx", ctx, "context size (default 4096)");
  app.add_option("--draft", draft, "prompt-lookup speculative drafts per step (greedy only, 0 = off; same output, pauses while drafts keep failing)")->check(CLI::Range(0, 32));
  app.add_flag("--no-stream", no_stream, "print the answer only when complete");
  app.add_flag("-v,--verbose", verbose, "show the rendered prompt and token counts on stderr");
  sf.add_to(app);
  if (auto rc = pocketops::cli::parse_args(app, argc, argv)) return *rc;
  if (!schema_path.empty() && json_mode) throw Error("use either --json-schema or --json, not both");

  if (prompt.empty()) {
    if (isatty(0)) std::fprintf(stderr, "reading the prompt from stdin (Ctrl-D to end)...\n");
    prompt.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    while (!prompt.empty() && (prompt.back() == '\n' || prompt.back() == '\r')) prompt.pop_back();
  }
  if (prompt.empty()) throw Error("empty prompt: pass -p TEXT or pipe text on stdin");

  auto eng = pocketops::engine::Engine::load(path, {threads});
  pocketops::engine::Conversation conv(*eng, eng->context_for(ctx));
  if (!conv.template_warning().empty()) std::fprintf(stderr, "warning: %s\n", conv.template_warning().c_str());
  conv.set_system(system);
  if (!tools_path.empty()) {
    nlohmann::ordered_json tools;
    try {
      tools = nlohmann::ordered_json::parse(pocketops::cli::read_text_file(tools_path));
    } catch (const nlohmann::json::exception& e) {
      throw Error(tools_path + ": " + e.what());
    }
    if (!tools.is_array()) throw Error(tools_path + ": expected a JSON array of tools");
    conv.set_tools(tools);
  }

  pocketops::engine::GenerateOptions opt;
  opt.sampling = pocketops::chat::SamplingParams::from_gguf(eng->file());
  sf.apply(opt.sampling);
  opt.max_tokens = n;
  opt.draft_max = draft;
  std::unique_ptr<pocketops::engine::JsonSchemaConstraint> constraint;
  const bool structured = !schema_path.empty() || json_mode;
  if (structured) {
    auto schema = json_mode ? pocketops::chat::any_json_object_schema()
                            : pocketops::engine::load_json_schema_file(schema_path);
    constraint = std::make_unique<pocketops::engine::JsonSchemaConstraint>(schema, eng->token_trie());
    opt.constraint = constraint.get();
  }
  const bool stream = !no_stream && !structured && tools_path.empty();
  if (stream)
    opt.on_text = [](const std::string& s) {
      std::fwrite(s.data(), 1, s.size(), stdout);
      std::fflush(stdout);
      return true;
    };
  const nlohmann::ordered_json user = {{"role", "user"}, {"content", prompt}};
  if (verbose) std::fprintf(stderr, "--- rendered prompt ---\n%s\n--- end of prompt ---\n", conv.preview_text(user).c_str());
  auto tr = conv.send(user, opt);
  const auto& g = tr.gen;
  int rc = 0;
  if (structured) {
    if (nlohmann::json::accept(g.text)) {
      std::printf("%s\n", g.text.c_str());
    } else {
      std::fprintf(stderr, "error: the answer ended before the JSON document was complete (stop: %s); raise -n\n",
                   g.stop_reason.c_str());
      std::printf("%s\n", g.text.c_str());
      rc = 1;
    }
  } else if (!tools_path.empty()) {
    nlohmann::ordered_json out;
    out["content"] = tr.content;
    out["tool_calls"] = pocketops::chat::tool_calls_to_openai(tr.tool_calls);
    if (tr.tool_error) out["tool_call_error"] = *tr.tool_error;
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    if (!stream) std::fwrite(g.text.data(), 1, g.text.size(), stdout);
    std::printf("\n");
  }
  if (verbose || isatty(2)) {
    std::fprintf(stderr,
                 "[prompt %lld tokens (%lld reused) %.1f tok/s | answer %zu tokens %.1f tok/s | stop: %s%s]\n",
                 static_cast<long long>(g.n_prompt), static_cast<long long>(g.n_reused),
                 (g.n_prompt - g.n_reused) / std::max(g.prompt_s, 1e-9), g.tokens.size(),
                 g.tokens.size() / std::max(g.gen_s, 1e-9), g.stop_reason.c_str(),
                 tr.dropped_messages ? ", history trimmed" : "");
    if (draft > 0 && g.n_steps > 0)
      std::fprintf(stderr, "[speculation: %lld drafted, %lld accepted, %.2f tokens per step]\n",
                   static_cast<long long>(g.n_draft), static_cast<long long>(g.n_accepted),
                   double(g.tokens.size()) / g.n_steps);
  }
  return rc;
}

}  // namespace

POCKETOPS_COMMAND("run", "answer one prompt (stdin or -p); --json-schema for structured output", run_run);
