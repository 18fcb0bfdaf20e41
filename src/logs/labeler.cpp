// Labeler: prompt construction, schema validation of model answers and the
// SQLite label cache.
#include "logs/labeler.h"

#include <sqlite3.h>

#include <algorithm>

#include "common/error.h"

namespace pocketops::logs {

LabelModel::~LabelModel() = default;

nlohmann::json Label::to_json() const {
  return {{"severity", severity},
          {"category", category},
          {"probable_cause", probable_cause},
          {"next_check", next_check},
          {"suggestion", suggestion}};
}

const nlohmann::json& label_schema() {
  static const nlohmann::json schema = {
      {"type", "object"},
      {"properties",
       {{"severity", {{"type", "string"}, {"enum", label_severities()}}},
        {"category", {{"type", "string"}, {"enum", label_categories()}}},
        {"probable_cause", {{"type", "string"}, {"minLength", 1}, {"maxLength", 300}}},
        {"next_check", {{"type", "string"}, {"minLength", 1}, {"maxLength", 300}}}}},
      {"required", {"severity", "category", "probable_cause", "next_check"}},
      {"additionalProperties", false}};
  return schema;
}

std::string label_system_prompt() {
  return "You are an experienced site reliability engineer. You are shown one log event template "
         "(variable parts written as <*>) and a few real lines that match it. Classify the event and "
         "answer only with a JSON object with these fields:\n"
         "- severity: one of critical, error, warning, info, debug\n"
         "- category: one of auth, disk, network, service, hardware, security, config, application, other\n"
         "- probable_cause: one short sentence on the most likely cause\n"
         "- next_check: one concrete command or place an operator should check next\n"
         "Your answer is a suggestion that a human will review; say so by being concise and factual.";
}

std::string label_user_prompt(const std::string& template_text, const std::vector<std::string>& examples) {
  auto cap = [](const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n) + " ..."; };
  std::string p = "Template:\n" + cap(template_text, 2000) + "\n";
  if (!examples.empty()) {
    p += "\nExample lines:\n";
    size_t k = 0;
    for (const auto& e : examples) {
      if (k++ == 5) break;
      p += "- " + cap(e, 500) + "\n";
    }
  }
  p += "\nAnswer with the JSON object only.";
  return p;
}

Label parse_label(const std::string& out) {
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error("model answer is not a JSON object");
  auto str = [&](const char* k) -> std::string {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) throw Error(std::string("model answer lacks string field '") + k + "'");
    return it->get<std::string>();
  };
  Label l;
  l.severity = str("severity");
  l.category = str("category");
  l.probable_cause = str("probable_cause");
  l.next_check = str("next_check");
  const auto& sev = label_severities();
  const auto& cat = label_categories();
  if (std::find(sev.begin(), sev.end(), l.severity) == sev.end())
    throw Error("model answer has unknown severity '" + l.severity + "'");
  if (std::find(cat.begin(), cat.end(), l.category) == cat.end())
    throw Error("model answer has unknown category '" + l.category + "'");
  if (l.probable_cause.empty() || l.next_check.empty()) throw Error("model answer has empty cause or next check");
  if (l.probable_cause.size() > 300) l.probable_cause.resize(300);
  if (l.next_check.size() > 300) l.next_check.resize(300);
  l.suggestion = true;
  return l;
}

LabelCache::LabelCache(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string m = db_ ? sqlite3_errmsg(db_) : "cannot open";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("cannot open label cache '" + path + "': " + m);
  }
  sqlite3_busy_timeout(db_, 5000);
  char* err = nullptr;
  if (sqlite3_exec(db_,
                   "CREATE TABLE IF NOT EXISTS labels(template TEXT PRIMARY KEY, severity TEXT, category TEXT, "
                   "probable_cause TEXT, next_check TEXT, model TEXT, created INTEGER)",
                   nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("label cache '" + path + "' is not usable: " + m);
  }
}

LabelCache::~LabelCache() { sqlite3_close(db_); }

std::optional<Label> LabelCache::get(const std::string& t) const {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT severity, category, probable_cause, next_check FROM labels WHERE template = ?", -1,
                     &st, nullptr);
  sqlite3_bind_text(st, 1, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
  std::optional<Label> r;
  if (sqlite3_step(st) == SQLITE_ROW) {
    auto col = [&](int i) {
      auto p = sqlite3_column_text(st, i);
      return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
    };
    Label l;
    l.severity = col(0);
    l.category = col(1);
    l.probable_cause = col(2);
    l.next_check = col(3);
    r = l;
  }
  sqlite3_finalize(st);
  return r;
}

void LabelCache::put(const std::string& t, const Label& l, const std::string& model) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT OR REPLACE INTO labels(template, severity, category, probable_cause, next_check, "
                         "model, created) VALUES(?,?,?,?,?,?,strftime('%s','now'))",
                         -1, &st, nullptr) != SQLITE_OK)
    throw Error(std::string("label cache: ") + sqlite3_errmsg(db_));
  const std::string* v[] = {&t, &l.severity, &l.category, &l.probable_cause, &l.next_check, &model};
  for (int i = 0; i < 6; ++i) sqlite3_bind_text(st, i + 1, v[i]->data(), static_cast<int>(v[i]->size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw Error(std::string("label cache: ") + sqlite3_errmsg(db_));
}

size_t LabelCache::size() const {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM labels", -1, &st, nullptr);
  sqlite3_step(st);
  size_t n = static_cast<size_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  return n;
}

Labeler::Labeler(LabelModel& model, LabelCache* cache, std::string model_name)
    : model_(model), cache_(cache), model_name_(std::move(model_name)) {}

Labeler::Result Labeler::label(const std::string& template_text, const std::vector<std::string>& examples) {
  if (cache_) {
    if (auto hit = cache_->get(template_text)) return {*hit, true};
  }
  const std::string sys = label_system_prompt();
  const std::string user = label_user_prompt(template_text, examples);
  std::string last_error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      Label l = parse_label(model_.complete_json(sys, user, label_schema()));
      if (cache_) cache_->put(template_text, l, model_name_);
      return {l, false};
    } catch (const Error& e) {
      last_error = e.what();
    }
  }
  throw Error("labelling failed for template '" + template_text.substr(0, 120) + "': " + last_error);
}

}  // namespace pocketops::logs
