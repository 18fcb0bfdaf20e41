// pocketops entry point: lists subcommands, dispatches, and turns any Error
// into one "error: ..." line with exit code 1.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "cli/command.h"
#include "common/error.h"

namespace pocketops::cli {
std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}
}  // namespace pocketops::cli

namespace {
void usage(FILE* out) {
  auto cmds = pocketops::cli::registry();
  std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::fprintf(out,
               "pocketops - a private, fast LLM for operations teams (LFM2 GGUF models on a plain CPU)\n\n"
               "usage: pocketops <command> [options]    (pocketops <command> --help for details)\n\ncommands:\n");
  for (const auto& c : cmds) std::fprintf(out, "  %-10s %s\n", c.name.c_str(), c.summary.c_str());
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    usage(stdout);
    return argc < 2 ? 1 : 0;
  }
  const std::string name = argv[1];
  for (const auto& c : pocketops::cli::registry()) {
    if (c.name != name) continue;
    std::string prog = "pocketops " + name;
    std::vector<char*> args;
    args.push_back(prog.data());
    for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
    try {
      return c.run(static_cast<int>(args.size()), args.data());
    } catch (const pocketops::Error& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 1;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "error: out of memory\n");
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "error: unknown command '%s' (see pocketops --help)\n", name.c_str());
  return 1;
}
