// `pocketops chat`: interactive conversation in the terminal — streaming
// answers, multi-line input, history with prefix reuse, /reset, /system,
// /save; Ctrl-C stops the current answer, not the program.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/sampling_options.h"
#include "common/error.h"
#include "engine/conversation.h"

namespace {

std::atomic<int> g_interrupts{0};
void on_sigint(int) { g_interrupts.fetch_add(1); }

const char* kHelp =
    "commands:\n"
    "  /reset          forget the conversation (keeps the system prompt)\n"
    "  /system TEXT    set the system prompt (and reset)\n"
    "  /save FILE      save the conversation as a JSON messages array\n"
    "  /history        show the conversation so far\n"
    "  /help           this help\n"
    "  /quit           leave (also Ctrl-D)\n"
    "multi-line input: end a line with \\ to continue it, or wrap a block in lines of \"\"\"\n"
    "Ctrl-C stops the current answer.\n";

// Reads one user message (possibly multi-line); false at end of input.
bool read_message(std::string& out, bool tty) {
  out.clear();
  std::string line;
  bool block = false;
  for (;;) {
    if (tty) std::fputs(out.empty() && !block ? "> " : ". ", stdout), std::fflush(stdout);
    if (!std::getline(std::cin, line)) {
      if (std::cin.eof()) return !out.empty();
      std::cin.clear();  // interrupted by Ctrl-C at the prompt
      if (tty) std::fputs("\n(Ctrl-D or /quit to leave)\n", stdout);
      out.clear();
      block = false;
      continue;
    }
    if (line == "\"\"\"") {
      if (block) return true;
      block = true;
      continue;
    }
    if (block) {
      out += line + "\n";
      continue;
    }
    if (!line.empty() && line.back() == '\\') {
      line.pop_back();
      out += line + "\n";
      continue;
    }
    out += line;
    return true;
  }
}

int run_chat(int argc, char** argv) {
  CLI::App app{"Chat with the model in the terminal"};
  std::string path, system;
  int n = 1024, threads = 0;
  int64_t ctx = 0;
  pocketops::cli::SamplingFlags sf;
  app.add_option("-m,--model", path, "GGUF model file")->required();
  app.add_option("-s,--system", system, "system prompt");
  app.add_option("-n,--max-tokens", n, "maximum tokens per answer")->capture_default_str()->check(CLI::Range(1, 1 << 20));
  pocketops::cli::add_threads_option(app, threads);
  app.add_option("--ctx", ctx, "context size (default 4096); old turns are dropped when it fills");
  sf.add_to(app);
  if (auto rc = pocketops::cli::parse_args(app, argc, argv)) return *rc;

  const bool tty = isatty(0) && isatty(1);
  auto eng = pocketops::engine::Engine::load(path, {threads});
  pocketops::engine::Conversation conv(*eng, eng->context_for(ctx));
  if (!conv.template_warning().empty()) std::fprintf(stderr, "warning: %s\n", conv.template_warning().c_str());
  conv.set_system(system);
  pocketops::engine::GenerateOptions opt;
  opt.sampling = pocketops::chat::SamplingParams::from_gguf(eng->file());
  sf.apply(opt.sampling);
  opt.max_tokens = n;
  opt.on_text = [](const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
    return true;
  };
  opt.should_stop = [] { return g_interrupts.load() > 0; };

  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a Ctrl-C at the prompt interrupts the read
  sigaction(SIGINT, &sa, nullptr);

  if (tty)
    std::printf("pocketops chat — %s (ctx %lld). /help for commands.\n", eng->model().config().name.c_str(),
                static_cast<long long>(conv.session().n_ctx()));
  std::string msg;
  while (read_message(msg, tty)) {
    g_interrupts = 0;
    if (msg.empty()) continue;
    if (msg[0] == '/') {
      std::string cmd = msg.substr(0, msg.find(' '));
      std::string arg = msg.size() > cmd.size() + 1 ? msg.substr(cmd.size() + 1) : "";
      if (cmd == "/quit" || cmd == "/exit") break;
      if (cmd == "/help") {
        std::fputs(kHelp, stdout);
      } else if (cmd == "/reset") {
        conv.reset();
        std::puts("(conversation reset)");
      } else if (cmd == "/system") {
        system = arg;
        conv.set_system(arg);
        conv.reset();
        std::puts(arg.empty() ? "(system prompt cleared)" : "(system prompt set; conversation reset)");
      } else if (cmd == "/save") {
        if (arg.empty()) {
          std::puts("usage: /save FILE");
          continue;
        }
        nlohmann::ordered_json all = nlohmann::ordered_json::array();
        if (!system.empty()) all.push_back({{"role", "system"}, {"content", system}});
        for (const auto& m : conv.messages()) all.push_back(m);
        std::ofstream out(arg);
        out << all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        std::printf(out ? "(saved %zu messages to %s)\n" : "(could not write %zu messages to %s)\n", all.size(), arg.c_str());
      } else if (cmd == "/history") {
        for (const auto& m : conv.messages())
          std::printf("[%s] %s\n", m.value("role", "?").c_str(),
                      m["content"].is_string() ? m["content"].get<std::string>().c_str() : m["content"].dump().c_str());
      } else {
        std::printf("unknown command %s (/help)\n", cmd.c_str());
      }
      continue;
    }
    try {
      auto tr = conv.say(msg, opt);
      const auto& g = tr.gen;
      std::printf("\n");
      if (g.stop_reason == "cancelled") std::printf("(stopped)\n");
      std::fprintf(stderr, "[prompt %lld tokens, %lld reused, %.1f tok/s | answer %zu tokens, %.1f tok/s%s]\n",
                   static_cast<long long>(g.n_prompt), static_cast<long long>(g.n_reused),
                   (g.n_prompt - g.n_reused) / std::max(g.prompt_s, 1e-9), g.tokens.size(),
                   g.tokens.size() / std::max(g.gen_s, 1e-9),
                   tr.dropped_messages ? ", oldest turns dropped to fit the context" : "");
      if (!tr.tool_calls.empty())
        std::printf("(tool calls: %s)\n", pocketops::chat::tool_calls_to_openai(tr.tool_calls).dump().c_str());
    } catch (const pocketops::Error& e) {
      std::printf("error: %s\n", e.what());
    }
  }
  if (tty) std::printf("\n");
  return 0;
}

}  // namespace

POCKETOPS_COMMAND("chat", "interactive chat in the terminal (streaming, history, /reset, /save)", run_chat);
