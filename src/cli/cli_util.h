// Helpers shared by the subcommands: CLI11 parsing with proper exit codes,
// input files, token lists, resource usage.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pocketops::cli {

// Parses argv; returns an exit code to return immediately (help: 0, bad
// usage: 1 with the message on stderr), or nullopt to continue.
std::optional<int> parse_args(CLI::App& app, int argc, char** argv);
// Whole file (or stdin for "-") with a size limit; throws Error.
std::string read_text_file(const std::string& path, size_t max_bytes = size_t{256} << 20);
// Adds -t/--threads; a count above this machine's hardware threads gets a
// warning on stderr when parsed (oversubscribed workers spin against each other).
CLI::Option* add_threads_option(CLI::App& app, int& threads);
// "1,2,3" -> ids; throws Error naming the bad entry.
std::vector<int32_t> parse_id_list(const std::string& s);
std::string join_ids(const std::vector<int32_t>& ids);
// Peak resident set size of this process in MiB (VmHWM).
double peak_rss_mb();
// Current resident set size in MiB (VmRSS).
double current_rss_mb();
// Resets the peak (VmHWM) to the current RSS (Linux: /proc/self/clear_refs);
// false when the system does not allow it.
bool reset_peak_rss();

}  // namespace pocketops::cli
