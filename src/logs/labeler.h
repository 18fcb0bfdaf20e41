// Model-assisted labelling of event templates (one model call per template,
// never per line): label record, JSON schema, prompt text, SQLite cache. The
// model is injected (LabelModel) so this layer does not depend on the engine.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace pocketops::logs {

// Fixed category list the model must choose from.
inline const std::vector<std::string>& label_categories() {
  static const std::vector<std::string> k = {"auth",     "disk",   "network",     "service", "hardware",
                                             "security", "config", "application", "other"};
  return k;
}
inline const std::vector<std::string>& label_severities() {
  static const std::vector<std::string> k = {"critical", "error", "warning", "info", "debug"};
  return k;
}

struct Label {
  std::string severity;        // one of label_severities()
  std::string category;        // one of label_categories()
  std::string probable_cause;  // short sentence
  std::string next_check;      // one concrete thing to look at next
  bool suggestion = true;      // always true: a human must confirm
  nlohmann::json to_json() const;
};

// The JSON schema the model output must satisfy (used for constrained decoding).
const nlohmann::json& label_schema();

// The model call: returns JSON text that should satisfy `schema`.
struct LabelModel {
  virtual ~LabelModel();
  virtual std::string complete_json(const std::string& system, const std::string& user,
                                    const nlohmann::json& schema) = 0;
};

std::string label_system_prompt();
// User prompt for one template with a few example lines (each capped).
std::string label_user_prompt(const std::string& template_text, const std::vector<std::string>& examples);
// Parses and validates model output; throws Error with a clear reason.
Label parse_label(const std::string& model_output);

// Cache of labels keyed by template text, in SQLite.
class LabelCache {
 public:
  explicit LabelCache(const std::string& path);  // ":memory:" works; throws Error
  ~LabelCache();
  LabelCache(const LabelCache&) = delete;
  LabelCache& operator=(const LabelCache&) = delete;
  std::optional<Label> get(const std::string& template_text) const;
  void put(const std::string& template_text, const Label& label, const std::string& model_name);
  size_t size() const;

 private:
  sqlite3* db_ = nullptr;
};

class Labeler {
 public:
  // cache may be null. model_name is recorded with cached answers.
  Labeler(LabelModel& model, LabelCache* cache, std::string model_name);
  struct Result {
    Label label;
    bool cached = false;
  };
  // Cached answer when present, else asks the model (one retry when the answer
  // does not validate), then caches it. Throws Error when the model fails twice.
  Result label(const std::string& template_text, const std::vector<std::string>& examples);

 private:
  LabelModel& model_;
  LabelCache* cache_;
  std::string model_name_;
};

}  // namespace pocketops::logs
