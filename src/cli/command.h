// Subcommand registry: each cmd_*.cpp registers a name, a one-line summary and
// an entry point; main() lists and dispatches them.
#pragma once
#include <string>
#include <vector>

namespace pocketops::cli {

struct Command {
  std::string name;
  std::string summary;
  // argv[0] is "pocketops <name>"; returns the process exit code.
  int (*run)(int argc, char** argv);
};

std::vector<Command>& registry();

struct Registrar {
  explicit Registrar(Command c) { registry().push_back(std::move(c)); }
};

}  // namespace pocketops::cli

#define POCKETOPS_CONCAT_(a, b) a##b
#define POCKETOPS_CONCAT(a, b) POCKETOPS_CONCAT_(a, b)
#define POCKETOPS_COMMAND(name, summary, fn) \
  static ::pocketops::cli::Registrar POCKETOPS_CONCAT(po_cmd_registrar_, __LINE__)({name, summary, fn})
