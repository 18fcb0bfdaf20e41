// SQLite persistence of templates so ids are stable across runs: a daily run
// reloads yesterday's templates and reuses their ids.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;

namespace pocketops::logs {

class TemplateMiner;

struct TemplateRow {
  uint64_t id = 0;
  std::string text;
  uint64_t count = 0;  // on save: lines seen in this run (added to the stored total)
  std::string first_seen, last_seen, example;
  bool fixed = false;
};

class TemplateStore {
 public:
  explicit TemplateStore(const std::string& path);  // creates the schema; throws Error
  ~TemplateStore();
  TemplateStore(const TemplateStore&) = delete;
  TemplateStore& operator=(const TemplateStore&) = delete;

  // Up to `limit` templates, most recently seen first.
  std::vector<TemplateRow> load(size_t limit) const;
  // Loads templates into the miner and makes it allocate ids through the store.
  void attach(TemplateMiner& miner);
  // Id of a stored template with this text that is not live in `miner`, else a new row.
  uint64_t id_for(const std::string& text, const TemplateMiner* miner);
  // Upserts rows in one transaction (count is added, first_seen/example kept).
  void save(const std::vector<TemplateRow>& rows);
  size_t size() const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace pocketops::logs
