// `pocketops logs parse|templates|label`: streaming log normalization into
// event templates (structural, no model) and the model-labelling entry point.
#include <glob.h>
#include <unistd.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "common/error.h"
#include "engine/conversation.h"
#include "engine/json_constraint.h"
#include "logs/labeler.h"
#include "logs/line_reader.h"
#include "logs/log_parser.h"
#include "logs/rules.h"
#include "logs/template_store.h"
#include "logs/template_summary.h"
#include "logs/timestamp.h"

namespace {

using namespace pocketops;
using namespace pocketops::logs;

struct CommonOpts {
  std::vector<std::string> files;
  std::string format;
  std::string rules;
  std::string state;
  size_t max_templates = 20000;
  double threshold = 0;
  size_t max_line_bytes = 4u << 20;
  bool follow = false;
};

void add_common(CLI::App* sub, CommonOpts& o, const char* default_format) {
  o.format = default_format;
  sub->add_option("files", o.files, "log files, globs or '-' for stdin (.gz is read transparently)");
  sub->add_option("--format", o.format, "output format")->check(CLI::IsMember({"jsonl", "table"}));
  sub->add_option("--rules", o.rules, "rules file: extra masks, fixed templates, knobs");
  sub->add_option("--state", o.state, "SQLite template store: reuse and persist template ids across runs");
  sub->add_option("--max-templates", o.max_templates, "memory cap: templates kept in memory (LRU eviction)")
      ->check(CLI::Range(size_t{1}, size_t{100000000}));
  sub->add_option("--threshold", o.threshold, "similarity threshold for joining a template (0-1]")
      ->check(CLI::Range(0.01, 1.0));
  sub->add_option("--max-line-bytes", o.max_line_bytes, "longer lines are cut (the rest of the stream continues)")
      ->check(CLI::Range(size_t{64}, size_t{1} << 30));
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    struct stat st;
    if (a == "-" || stat(a.c_str(), &st) == 0 || a.find_first_of("*?[") == std::string::npos) {
      out.push_back(a);
      continue;
    }
    glob_t g{};
    int rc = glob(a.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0) throw Error("no files match '" + a + "'");
  }
  if (out.empty()) out.push_back("-");
  return out;
}

// Everything a run needs: parser, optional store, summary, timestamp state.
struct Session {
  std::shared_ptr<const RuleSet> rules;
  std::unique_ptr<TemplateStore> store;
  std::unique_ptr<LogParser> parser;
  TemplateSummary summary;
  uint64_t lines_since_flush = 0;

  explicit Session(const CommonOpts& o) {
    ParserOptions po;
    po.miner.max_templates = o.max_templates;
    if (o.threshold > 0) po.miner.threshold = o.threshold;
    if (!o.rules.empty()) rules = std::make_shared<const RuleSet>(RuleSet::load(o.rules));
    parser = std::make_unique<LogParser>(po, rules);
    if (!o.state.empty()) {
      store = std::make_unique<TemplateStore>(o.state);
      store->attach(parser->miner());
    }
    parser->register_fixed_templates();
  }
  // Saves this run's counts to the store and starts a fresh aggregate
  // (keeps memory bounded on endless streams).
  void flush() {
    if (!store) return;
    store->save(summary.store_rows());
    summary = TemplateSummary{};
    lines_since_flush = 0;
  }
};

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::ordered_json opt_str(std::string_view v) {
  if (v.empty()) return nullptr;
  return std::string(v);
}

int current_year() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

int run_parse(const CommonOpts& o) {
  Session s(o);
  auto inputs = expand_inputs(o.files);
  const bool many = inputs.size() > 1;
  std::string out;
  out.reserve(1 << 17);
  auto flush_out = [&] {
    if (!out.empty()) std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
    if (o.follow) std::fflush(stdout);
  };
  for (const auto& path : inputs) {
    LineReaderOptions ro;
    ro.max_line_bytes = o.max_line_bytes;
    ro.follow = o.follow && path == inputs.back();
    LineReader reader(path, ro);
    std::string_view line;
    while (reader.next(line)) {
      const ParsedLine& p = s.parser->parse(line);
      const Header& h = p.header;
      if (o.format == "jsonl") {
        nlohmann::ordered_json j;
        if (many) j["file"] = path;
        j["line"] = reader.line_number();
        j["ts"] = opt_str(h.ts);
        j["host"] = opt_str(h.host);
        j["level"] = opt_str(h.level);
        j["component"] = opt_str(h.component);
        j["pid"] = opt_str(h.pid);
        j["template_id"] = p.tpl->id;
        j["template"] = p.tpl->text();
        auto& params = j["params"] = nlohmann::ordered_json::array();
        for (auto v : p.params) params.push_back(std::string(v));
        if (reader.last_truncated()) j["truncated"] = true;
        out += dump(j);
        out.push_back('\n');
      } else {
        char head[96];
        std::snprintf(head, sizeof head, "%8llu  %-8s  T%-6llu  ", static_cast<unsigned long long>(reader.line_number()),
                      h.level.empty() ? "-" : std::string(h.level).c_str(),
                      static_cast<unsigned long long>(p.tpl->id));
        out += head;
        out += p.tpl->text();
        out.push_back('\n');
      }
      if (s.store) {
        s.summary.add(p, line, h.ts);
        if (++s.lines_since_flush >= 200000) s.flush();
      }
      if (out.size() >= (1 << 16) || o.follow) flush_out();
    }
  }
  flush_out();
  s.flush();
  return 0;
}

int run_templates(const CommonOpts& o, const std::string& sort, const std::string& since, const std::string& until,
                  size_t limit) {
  Session s(o);
  std::string lo = since.empty() ? "" : normalize_bound(since);
  std::string hi = until.empty() ? "" : normalize_bound(until);
  const int year = current_year();
  TemplateSummary shown;  // lines inside the time window
  for (const auto& path : expand_inputs(o.files)) {
    LineReaderOptions ro;
    ro.max_line_bytes = o.max_line_bytes;
    LineReader reader(path, ro);
    std::string_view line;
    std::string last_ts, last_norm;
    while (reader.next(line)) {
      const ParsedLine& p = s.parser->parse(line);
      std::string_view ts = p.header.ts;
      if (!ts.empty()) {
        last_ts.assign(ts.data(), ts.size());
        if (!lo.empty() || !hi.empty()) last_norm = normalize_timestamp(ts, year);
      }
      // Lines without a timestamp (stack traces, continuations) inherit the last one.
      bool in = true;
      if (!last_norm.empty()) {
        if (!lo.empty() && last_norm.compare(0, lo.size(), lo) < 0) in = false;
        if (!hi.empty() && last_norm.compare(0, hi.size(), hi) > 0) in = false;
      }
      if (in) shown.add(p, line, last_ts);
      if (s.store) s.summary.add(p, line, last_ts);
    }
  }
  s.flush();
  auto rows = shown.rows(sort);
  if (limit && rows.size() > limit) rows.resize(limit);
  std::string out;
  for (const auto& r : rows) {
    if (o.format == "jsonl") {
      nlohmann::ordered_json j;
      j["template_id"] = r.id;
      j["count"] = r.count;
      j["first_seen"] = opt_str(r.first_seen);
      j["last_seen"] = opt_str(r.last_seen);
      j["template"] = r.text;
      j["example"] = r.example;
      out += dump(j);
      out.push_back('\n');
    } else {
      char head[160];
      std::snprintf(head, sizeof head, "T%-6llu %9llu  %-26s %-26s ", static_cast<unsigned long long>(r.id),
                    static_cast<unsigned long long>(r.count), r.first_seen.substr(0, 26).c_str(),
                    r.last_seen.substr(0, 26).c_str());
      out += head;
      out += r.text;
      out += "\n        e.g. ";
      out += r.example.substr(0, 200);
      out.push_back('\n');
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

// LabelModel backed by the local engine: one fresh conversation per
// template, output constrained to the label schema, greedy for repeatability.
class EngineLabelModel : public LabelModel {
 public:
  explicit EngineLabelModel(const engine::Engine& e) : eng_(e) {}
  std::string complete_json(const std::string& system, const std::string& user, const nlohmann::json& schema) override {
    engine::Conversation conv(eng_, eng_.context_for(0));
    conv.set_system(system);
    engine::JsonSchemaConstraint c(chat::compile_json_schema(schema), eng_.token_trie());
    engine::GenerateOptions opt;
    opt.sampling = chat::SamplingParams::from_gguf(eng_.file());
    opt.sampling.temperature = 0;
    opt.max_tokens = 384;
    opt.constraint = &c;
    return conv.say(user, opt).gen.text;
  }

 private:
  const engine::Engine& eng_;
};

std::string default_label_cache() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::string dir = xdg && *xdg ? std::string(xdg) + "/pocketops" : home && *home ? std::string(home) + "/.cache/pocketops" : "";
  if (dir.empty()) return ":memory:";
  std::string cmd_dir = dir;
  ::mkdir(cmd_dir.substr(0, cmd_dir.rfind('/')).c_str(), 0755);
  ::mkdir(cmd_dir.c_str(), 0755);
  return dir + "/labels.sqlite";
}

int run_label(const CommonOpts& o, const std::string& model_path, std::string cache_path, size_t limit, int threads) {
  Session s(o);
  TemplateSummary seen;
  for (const auto& path : expand_inputs(o.files)) {
    LineReaderOptions ro;
    ro.max_line_bytes = o.max_line_bytes;
    LineReader reader(path, ro);
    std::string_view line;
    while (reader.next(line)) {
      const ParsedLine& p = s.parser->parse(line);
      seen.add(p, line, p.header.ts);
      if (s.store) s.summary.add(p, line, p.header.ts);
    }
  }
  s.flush();
  auto rows = seen.rows("count");
  if (limit && rows.size() > limit) rows.resize(limit);
  if (cache_path.empty()) cache_path = default_label_cache();
  LabelCache cache(cache_path);
  std::unique_ptr<engine::Engine> eng;  // loaded only when a template is not cached
  std::unique_ptr<EngineLabelModel> lm;
  struct Lazy : LabelModel {
    std::function<LabelModel&()> get;
    std::string complete_json(const std::string& a, const std::string& b, const nlohmann::json& c) override {
      return get().complete_json(a, b, c);
    }
  } lazy;
  lazy.get = [&]() -> LabelModel& {
    if (!lm) {
      eng = engine::Engine::load(model_path, {threads});
      lm = std::make_unique<EngineLabelModel>(*eng);
    }
    return *lm;
  };
  Labeler labeler(lazy, &cache, model_path.substr(model_path.rfind('/') + 1));
  const bool tty = isatty(2);
  size_t i = 0;
  for (const auto& r : rows) {
    ++i;
    if (tty) std::fprintf(stderr, "\r[%zu/%zu] labelling template %llu ...", i, rows.size(), static_cast<unsigned long long>(r.id));
    nlohmann::ordered_json j;
    j["template_id"] = r.id;
    j["count"] = r.count;
    j["template"] = r.text;
    try {
      auto res = labeler.label(r.text, {r.example});
      j["severity"] = res.label.severity;
      j["category"] = res.label.category;
      j["probable_cause"] = res.label.probable_cause;
      j["next_check"] = res.label.next_check;
      j["suggestion"] = true;
      j["cached"] = res.cached;
    } catch (const Error& e) {
      j["error"] = e.what();
      j["suggestion"] = true;
    }
    std::string line = dump(j);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  if (tty) std::fprintf(stderr, "\r%-60s\r", "");
  std::fprintf(stderr, "labelled %zu templates (suggestions for a human to confirm; cache: %s)\n", rows.size(),
               cache_path.c_str());
  return 0;
}

int cmd_logs(int argc, char** argv) {
  CLI::App app{"Normalize heterogeneous logs into event templates (no model needed), list templates, label them"};
  app.require_subcommand(1);
  CommonOpts po, to, lo;
  auto* parse = app.add_subcommand("parse", "stream lines as JSONL events: header fields, template id, template, params");
  add_common(parse, po, "jsonl");
  parse->add_flag("-f,--follow", po.follow, "keep reading the last input as it grows (tail -f)");

  auto* tpl = app.add_subcommand("templates", "summarize templates: count, first/last seen, an example line");
  add_common(tpl, to, "table");
  std::string sort = "count", since, until;
  size_t limit = 0;
  tpl->add_option("--sort", sort, "count | id | first | last")->check(CLI::IsMember({"count", "id", "first", "last"}));
  tpl->add_option("--since", since, "only lines at/after YYYY-MM-DD[THH:MM[:SS]]");
  tpl->add_option("--until", until, "only lines at/before YYYY-MM-DD[THH:MM[:SS]]");
  tpl->add_option("--limit", limit, "show at most N templates");

  auto* label = app.add_subcommand("label", "ask a model for severity, category and probable cause per template");
  std::string model;
  add_common(label, lo, "jsonl");
  label->add_option("-m,--model", model, "GGUF model file")->required();
  std::string cache_path;
  size_t label_limit = 0;
  int threads = 0;
  label->add_option("--cache", cache_path, "SQLite label cache (default ~/.cache/pocketops/labels.sqlite)");
  label->add_option("--limit", label_limit, "label only the N most frequent templates");
  cli::add_threads_option(*label, threads);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (parse->parsed()) return run_parse(po);
  if (tpl->parsed()) return run_templates(to, sort, since, until, limit);
  if (label->parsed()) return run_label(lo, model, cache_path, label_limit, threads);
  return 1;
}

}  // namespace

POCKETOPS_COMMAND("logs", "normalize logs into event templates (parse, templates, label)", cmd_logs);
