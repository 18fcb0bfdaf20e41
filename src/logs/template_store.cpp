// TemplateStore over SQLite: one table, ids are SQLite row ids.
#include "logs/template_store.h"

#include <sqlite3.h>

#include "common/error.h"
#include "logs/template_miner.h"

namespace pocketops::logs {

namespace {
struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
      throw Error(std::string("template store: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(s); }
  void text(int i, const std::string& v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void i64(int i, uint64_t v) { sqlite3_bind_int64(s, i, static_cast<sqlite3_int64>(v)); }
  std::string col(int i) {
    auto p = sqlite3_column_text(s, i);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s, i))) : "";
  }
};
void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error("template store: " + m);
  }
}
std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> v;
  size_t i = 0;
  while (i < s.size()) {
    size_t e = s.find(' ', i);
    if (e == std::string::npos) e = s.size();
    if (e > i) v.emplace_back(s.substr(i, e - i));
    i = e + 1;
  }
  return v;
}
}  // namespace

TemplateStore::TemplateStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string m = db_ ? sqlite3_errmsg(db_) : "cannot open";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("cannot open template store '" + path + "': " + m);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec(db_,
         "CREATE TABLE IF NOT EXISTS templates(id INTEGER PRIMARY KEY, text TEXT NOT NULL, count INTEGER NOT NULL "
         "DEFAULT 0, first_seen TEXT, last_seen TEXT, example TEXT, fixed INTEGER NOT NULL DEFAULT 0, "
         "updated INTEGER NOT NULL DEFAULT 0);"
         "CREATE INDEX IF NOT EXISTS templates_text ON templates(text);");
  } catch (const Error& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("template store '" + path + "' is not usable: " + e.what());
  }
}

TemplateStore::~TemplateStore() { sqlite3_close(db_); }

std::vector<TemplateRow> TemplateStore::load(size_t limit) const {
  Stmt st(db_,
          "SELECT id, text, count, first_seen, last_seen, example, fixed FROM templates ORDER BY updated DESC, id DESC "
          "LIMIT ?");
  st.i64(1, limit);
  std::vector<TemplateRow> rows;
  while (sqlite3_step(st.s) == SQLITE_ROW) {
    TemplateRow r;
    r.id = static_cast<uint64_t>(sqlite3_column_int64(st.s, 0));
    r.text = st.col(1);
    r.count = static_cast<uint64_t>(sqlite3_column_int64(st.s, 2));
    r.first_seen = st.col(3);
    r.last_seen = st.col(4);
    r.example = st.col(5);
    r.fixed = sqlite3_column_int(st.s, 6) != 0;
    rows.push_back(std::move(r));
  }
  return rows;
}

void TemplateStore::attach(TemplateMiner& miner) {
  auto rows = load(miner.options().max_templates);
  for (auto it = rows.rbegin(); it != rows.rend(); ++it)  // oldest first so LRU order is kept
    if (!it->fixed) miner.insert(it->id, split(it->text));
  miner.id_for_new = [this, &miner](const std::string& text) { return id_for(text, &miner); };
}

uint64_t TemplateStore::id_for(const std::string& text, const TemplateMiner* miner) {
  {
    Stmt st(db_, "SELECT id FROM templates WHERE text = ? ORDER BY id");
    st.text(1, text);
    while (sqlite3_step(st.s) == SQLITE_ROW) {
      uint64_t id = static_cast<uint64_t>(sqlite3_column_int64(st.s, 0));
      if (!miner || !miner->find(id)) return id;
    }
  }
  Stmt ins(db_, "INSERT INTO templates(text, updated) VALUES(?, strftime('%s','now'))");
  ins.text(1, text);
  if (sqlite3_step(ins.s) != SQLITE_DONE) throw Error(std::string("template store: ") + sqlite3_errmsg(db_));
  return static_cast<uint64_t>(sqlite3_last_insert_rowid(db_));
}

void TemplateStore::save(const std::vector<TemplateRow>& rows) {
  exec(db_, "BEGIN");
  try {
    Stmt st(db_,
            "INSERT INTO templates(id, text, count, first_seen, last_seen, example, fixed, updated) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, strftime('%s','now')) ON CONFLICT(id) DO UPDATE SET "
            "text = excluded.text, count = templates.count + excluded.count, "
            "first_seen = COALESCE(NULLIF(templates.first_seen, ''), excluded.first_seen), "
            "last_seen = COALESCE(NULLIF(excluded.last_seen, ''), templates.last_seen), "
            "example = COALESCE(NULLIF(templates.example, ''), excluded.example), fixed = excluded.fixed, "
            "updated = excluded.updated");
    for (const auto& r : rows) {
      sqlite3_reset(st.s);
      st.i64(1, r.id);
      st.text(2, r.text);
      st.i64(3, r.count);
      st.text(4, r.first_seen);
      st.text(5, r.last_seen);
      st.text(6, r.example);
      sqlite3_bind_int(st.s, 7, r.fixed ? 1 : 0);
      if (sqlite3_step(st.s) != SQLITE_DONE) throw Error(std::string("template store: ") + sqlite3_errmsg(db_));
    }
    exec(db_, "COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

size_t TemplateStore::size() const {
  Stmt st(db_, "SELECT COUNT(*) FROM templates");
  sqlite3_step(st.s);
  return static_cast<size_t>(sqlite3_column_int64(st.s, 0));
}

}  // namespace pocketops::logs
