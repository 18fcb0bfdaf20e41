// Drain-like online template mining; see template_miner.h for the knobs and
// docs/logs.md for the algorithm and its memory bounds.
#include "logs/template_miner.h"

#include <algorithm>

namespace pocketops::logs {

namespace {
struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
bool has_digit_or_wild(std::string_view t) {
  if (t.find(kWildcard) != std::string_view::npos) return true;
  for (char c : t)
    if (c >= '0' && c <= '9') return true;
  return false;
}
}  // namespace

struct TemplateMiner::Node {
  std::unordered_map<std::string, std::unique_ptr<Node>, SvHash, std::equal_to<>> children;
  std::vector<Template*> leaf;
};

std::string Template::text() const {
  std::string s;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) s.push_back(' ');
    s += tokens[i];
  }
  return s;
}

size_t Template::bytes() const {
  size_t b = sizeof(Template) + 64;
  for (const auto& t : tokens) b += t.size() + sizeof(std::string);
  for (const auto& t : route) b += t.size() + sizeof(std::string);
  return b;
}

TemplateMiner::TemplateMiner(MinerOptions opt) : opt_(opt) {
  if (opt_.depth < 1) opt_.depth = 1;
  if (opt_.max_children < 2) opt_.max_children = 2;
  if (opt_.max_templates < 1) opt_.max_templates = 1;
}
TemplateMiner::~TemplateMiner() = default;

double template_similarity(const Template& t, const MaskedLine& m) {
  size_t constant = 0, agree = 0;
  for (size_t i = 0; i < t.tokens.size(); ++i) {
    std::string_view a = t.tokens[i], b = m.token(i);
    bool aw = a == kWildcard;
    bool bw = b == kWildcard;
    if (aw && bw) continue;
    if (aw) continue;  // already generalized: does not count either way
    ++constant;
    if (a == b) ++agree;
  }
  if (constant == 0) return 1.0;
  return static_cast<double>(agree) / static_cast<double>(constant);
}

// True when the line differs from the template in exactly one constant
// position and both tokens there are plain words ("VM Started" vs "VM Paused"):
// such lines are kept apart, as a one-word change usually names another event.
// A token after which a word is usually a value: "for X", "to: X", "user X".
bool variable_slot(std::string_view p) {
  if (p.empty()) return false;
  char last = p.back();
  if (last == ':' || last == '=') return true;
  static const char* k[] = {"for", "to", "by", "from", "of", "as", "with", "at", "on", "in", "user", "named", "via"};
  for (const char* w : k)
    if (p == w) return true;
  return false;
}

bool single_word_difference(const Template& t, const MaskedLine& m) {
  auto word = [](std::string_view w) {
    if (w.size() < 2) return false;
    for (char c : w)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
    return true;
  };
  int diffs = 0;
  bool words = false;
  for (size_t i = 0; i < t.tokens.size(); ++i) {
    std::string_view a = t.tokens[i], b = m.token(i);
    if (a == kWildcard || a == b) continue;
    if (++diffs > 1) return false;
    words = word(a) && word(b) && !(i > 0 && variable_slot(t.tokens[i - 1]));
  }
  return diffs == 1 && words;
}

std::string TemplateMiner::route_key(std::string_view tok, Node& node) const {
  if (has_digit_or_wild(tok)) return std::string(kWildcard);
  if (node.children.find(tok) != node.children.end()) return std::string(tok);
  if (node.children.size() + 1 >= opt_.max_children) return std::string(kWildcard);
  return std::string(tok);
}

void TemplateMiner::place(Template* t) {
  if (t->fixed) return;
  auto& root = roots_[t->tokens.size()];
  if (!root) root = std::make_unique<Node>();
  Node* node = root.get();
  t->route.clear();
  size_t d = std::min(opt_.depth, t->tokens.size());
  for (size_t i = 0; i < d; ++i) {
    std::string key = route_key(t->tokens[i], *node);
    auto& child = node->children[key];
    if (!child) child = std::make_unique<Node>();
    node = child.get();
    t->route.push_back(std::move(key));
  }
  node->leaf.push_back(t);
}

void TemplateMiner::unplace(Template* t) {
  if (t->fixed) return;
  auto rit = roots_.find(t->tokens.size());
  if (rit == roots_.end()) return;
  std::vector<Node*> path{rit->second.get()};
  for (const auto& key : t->route) {
    auto it = path.back()->children.find(key);
    if (it == path.back()->children.end()) return;
    path.push_back(it->second.get());
  }
  auto& leaf = path.back()->leaf;
  leaf.erase(std::remove(leaf.begin(), leaf.end(), t), leaf.end());
  // Prune empty nodes bottom-up.
  for (size_t i = path.size() - 1; i > 0; --i) {
    Node* n = path[i];
    if (!n->leaf.empty() || !n->children.empty()) break;
    path[i - 1]->children.erase(t->route[i - 1]);
  }
  if (path[0]->children.empty() && path[0]->leaf.empty()) roots_.erase(rit);
}

Template* TemplateMiner::create(const MaskedLine& m) {
  auto t = std::make_unique<Template>();
  t->tokens.reserve(m.tokens.size());
  for (size_t i = 0; i < m.tokens.size(); ++i) t->tokens.emplace_back(m.token(i));
  uint64_t id = 0;
  if (id_for_new) id = id_for_new(t->text());
  while (id == 0 || by_id_.count(id)) id = next_id_++;
  if (id >= next_id_) next_id_ = id + 1;
  t->id = id;
  Template* raw = t.get();
  place(raw);
  total_bytes_ += raw->bytes();
  by_id_.emplace(id, std::move(t));
  return raw;
}

Template* TemplateMiner::insert(uint64_t id, std::vector<std::string> tokens, uint64_t count) {
  if (id == 0) id = next_id_;
  if (auto it = by_id_.find(id); it != by_id_.end()) return it->second.get();
  auto t = std::make_unique<Template>();
  t->id = id;
  t->tokens = std::move(tokens);
  t->count = count;
  t->last_tick = ++tick_;
  if (id >= next_id_) next_id_ = id + 1;
  Template* raw = t.get();
  place(raw);
  total_bytes_ += raw->bytes();
  by_id_.emplace(id, std::move(t));
  evict_if_needed(raw);
  return raw;
}

Template* TemplateMiner::insert_fixed(uint64_t id, std::vector<std::string> tokens) {
  auto t = std::make_unique<Template>();
  t->tokens = std::move(tokens);
  t->fixed = true;
  if (id == 0 && id_for_new) id = id_for_new(t->text());
  while (id == 0 || by_id_.count(id)) id = next_id_++;
  if (id >= next_id_) next_id_ = id + 1;
  t->id = id;
  Template* raw = t.get();
  total_bytes_ += raw->bytes();
  by_id_.emplace(id, std::move(t));
  return raw;
}

TemplateMiner::Result TemplateMiner::add(const MaskedLine& m) {
  Result r;
  ++tick_;
  const uint64_t h = std::hash<std::string_view>{}(m.text) ^ (m.tokens.size() * 0x9E3779B97F4A7C15ull);
  if (auto it = exact_.find(h); it != exact_.end()) {
    auto t = by_id_.find(it->second);
    if (t != by_id_.end() && t->second->tokens.size() == m.tokens.size()) {
      Template* tp = t->second.get();
      bool ok = true;
      for (size_t i = 0; i < m.tokens.size() && ok; ++i) {
        const std::string& a = tp->tokens[i];
        ok = a == kWildcard || a == m.token(i);
      }
      if (ok) {
        tp->count++;
        tp->last_tick = tick_;
        r.tpl = tp;
        return r;
      }
    }
    exact_.erase(it);
  }
  // Tree search.
  Template* best = nullptr;
  double best_sim = -1;
  auto rit = roots_.find(m.tokens.size());
  if (rit != roots_.end()) {
    Node* node = rit->second.get();
    size_t d = std::min(opt_.depth, m.tokens.size());
    for (size_t i = 0; i < d && node; ++i) {
      std::string_view tok = m.token(i);
      Node* next = nullptr;
      if (!has_digit_or_wild(tok)) {
        auto it = node->children.find(tok);
        if (it != node->children.end()) next = it->second.get();
      }
      if (!next) {
        auto it = node->children.find(kWildcard);
        if (it != node->children.end()) next = it->second.get();
      }
      node = next;
    }
    if (node) {
      for (Template* t : node->leaf) {
        double s = template_similarity(*t, m);
        if (s > best_sim || (s == best_sim && t->id < best->id)) {
          best_sim = s;
          best = t;
        }
      }
    }
  }
  if (best && best_sim >= opt_.threshold && !single_word_difference(*best, m)) {
    size_t before = best->bytes();
    for (size_t i = 0; i < best->tokens.size(); ++i) {
      if (best->tokens[i] != kWildcard && best->tokens[i] != m.token(i)) {
        best->tokens[i] = std::string(kWildcard);
        r.changed = true;
      }
    }
    total_bytes_ = total_bytes_ - before + best->bytes();
    r.tpl = best;
  } else {
    r.tpl = create(m);
    r.created = true;
  }
  r.tpl->count++;
  r.tpl->last_tick = tick_;
  if (exact_.size() >= 4 * opt_.max_templates + 1024) exact_.clear();
  exact_[h] = r.tpl->id;
  evict_if_needed(r.tpl);
  return r;
}

void TemplateMiner::evict_if_needed(const Template* keep) {
  if (by_id_.size() <= opt_.max_templates && total_bytes_ <= opt_.max_template_bytes) return;
  // Evict the least recently used tenth in one go (amortizes the sort).
  std::vector<Template*> all;
  all.reserve(by_id_.size());
  for (auto& [id, t] : by_id_)
    if (t.get() != keep) all.push_back(t.get());
  std::sort(all.begin(), all.end(), [](const Template* a, const Template* b) {
    return a->last_tick != b->last_tick ? a->last_tick < b->last_tick : a->id < b->id;
  });
  size_t target = opt_.max_templates - opt_.max_templates / 10;
  size_t byte_target = opt_.max_template_bytes - opt_.max_template_bytes / 10;
  for (Template* t : all) {
    if (by_id_.size() <= target && total_bytes_ <= byte_target) break;
    if (t->fixed) continue;
    if (on_evict) on_evict(*t);
    unplace(t);
    total_bytes_ -= std::min(total_bytes_, t->bytes());
    ++evictions_;
    by_id_.erase(t->id);
  }
}

const Template* TemplateMiner::find(uint64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

std::vector<const Template*> TemplateMiner::templates() const {
  std::vector<const Template*> v;
  v.reserve(by_id_.size());
  for (auto& [id, t] : by_id_) v.push_back(t.get());
  std::sort(v.begin(), v.end(), [](const Template* a, const Template* b) { return a->id < b->id; });
  return v;
}

}  // namespace pocketops::logs
