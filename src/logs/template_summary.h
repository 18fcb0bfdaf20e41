// Per-template aggregate for `logs templates` and for saving to the store:
// count, first/last seen timestamp, one example line.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "logs/log_parser.h"
#include "logs/template_store.h"

namespace pocketops::logs {

struct TemplateStats {
  uint64_t id = 0;
  std::string text;
  uint64_t count = 0;
  std::string first_seen, last_seen;  // as written in the log
  std::string example;                // first line seen (capped at 1 KiB)
  uint64_t first_order = 0;           // stream position of the first line
};

class TemplateSummary {
 public:
  // `ts` is the line's timestamp (possibly inherited from an earlier line).
  void add(const ParsedLine& p, std::string_view raw_line, std::string_view ts);
  // Sorted by "count" (desc), "id", "first" or "last" (stream order of first/last line).
  std::vector<TemplateStats> rows(std::string_view sort) const;
  // Rows for TemplateStore::save (counts of this run).
  std::vector<TemplateRow> store_rows() const;
  size_t size() const { return stats_.size(); }

 private:
  struct Entry {
    TemplateStats s;
    uint64_t last_order = 0;
    bool fixed = false;
  };
  std::unordered_map<uint64_t, Entry> stats_;
  uint64_t order_ = 0;
};

}  // namespace pocketops::logs
