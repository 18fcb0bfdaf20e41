// Online grouping of masked lines into event templates: a Drain-like
// fixed-depth tree keyed by token count and leading tokens, a similarity
// threshold, an exact-match cache, and LRU eviction under count/byte caps.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "logs/masker.h"

namespace pocketops::logs {

struct Template {
  uint64_t id = 0;
  std::vector<std::string> tokens;  // "<*>" marks a variable position
  uint64_t count = 0;               // lines seen in this run
  uint64_t last_tick = 0;           // LRU clock
  std::vector<std::string> route;   // tree keys used to reach its leaf
  bool fixed = false;               // from the rules file: never generalized or evicted
  std::string text() const;
  size_t bytes() const;
};

struct MinerOptions {
  double threshold = 0.5;            // share of constant positions that must agree to join a template
  size_t depth = 2;                  // leading tokens used as tree keys
  size_t max_children = 64;          // per tree node; extra keys fall into a "<*>" child
  size_t max_templates = 20000;      // LRU eviction beyond this many
  size_t max_template_bytes = 64u << 20;  // ... or beyond this much template text
};

class TemplateMiner {
 public:
  explicit TemplateMiner(MinerOptions opt = {});
  ~TemplateMiner();

  struct Result {
    Template* tpl = nullptr;
    bool created = false;  // a new template was made for this line
    bool changed = false;  // an existing template was generalized
  };
  // Groups one masked line. Never fails.
  Result add(const MaskedLine& m);

  // Inserts a known template (from the store) with its id; ignored when the id
  // is already present. Returns the template.
  Template* insert(uint64_t id, std::vector<std::string> tokens, uint64_t count = 0);
  // Registers a fixed template (rules file): it is matched by the caller, not
  // by the tree, and is never generalized or evicted. id 0 = allocate.
  Template* insert_fixed(uint64_t id, std::vector<std::string> tokens);
  // Counts a line for a template (fixed templates).
  void touch(Template* t) { t->count++; t->last_tick = ++tick_; }

  // Allocates an id for a new template (default: sequential from 1). The
  // store replaces this to reuse persisted ids.
  std::function<uint64_t(const std::string& text)> id_for_new;
  // Called just before a template is evicted.
  std::function<void(const Template&)> on_evict;

  size_t size() const { return by_id_.size(); }
  uint64_t evictions() const { return evictions_; }
  const Template* find(uint64_t id) const;
  // All live templates, by id.
  std::vector<const Template*> templates() const;
  const MinerOptions& options() const { return opt_; }

 private:
  struct Node;
  Template* create(const MaskedLine& m);
  void place(Template* t);
  void unplace(Template* t);
  void evict_if_needed(const Template* keep);
  std::string route_key(std::string_view tok, Node& node) const;

  MinerOptions opt_;
  uint64_t next_id_ = 1;
  uint64_t tick_ = 0;
  uint64_t evictions_ = 0;
  size_t total_bytes_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<Template>> by_id_;
  std::unordered_map<size_t, std::unique_ptr<Node>> roots_;  // by token count
  std::unordered_map<uint64_t, uint64_t> exact_;             // hash of masked text -> id
};

// Similarity of a masked line to a template: agreeing constant positions over
// positions where either side is constant (1 when both are all variables).
double template_similarity(const Template& t, const MaskedLine& m);
// Exactly one differing constant position, holding two plain words.
bool single_word_difference(const Template& t, const MaskedLine& m);

}  // namespace pocketops::logs
