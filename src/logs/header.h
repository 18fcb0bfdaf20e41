// Zero-configuration header detection: splits one log line into timestamp,
// host, level, component, pid and the free-text message.
#pragma once
#include <string>
#include <string_view>

namespace pocketops::logs {

struct Header {
  std::string_view ts, host, level, component, pid, message;
  // Short name of the detected format ("syslog", "rfc5424", "iso", "json", ...).
  std::string_view format;
};

// Owned storage for fields that must be decoded (JSON lines); reuse it across
// calls to avoid allocations.
struct HeaderScratch {
  std::string field[8];
};

// Fills `out`. Views point into `line` or into `scratch`. Never throws.
void parse_header(std::string_view line, Header& out, HeaderScratch& scratch);

// Canonical lower-case level for a level word ("WARN" -> "warning"), or empty.
std::string_view canonical_level(std::string_view word);

}  // namespace pocketops::logs
