// TemplateSummary: aggregates parsed lines by template id.
#include "logs/template_summary.h"

#include <algorithm>

#include "common/error.h"

namespace pocketops::logs {

void TemplateSummary::add(const ParsedLine& p, std::string_view raw_line, std::string_view ts) {
  if (!p.tpl) return;
  ++order_;
  auto [it, fresh] = stats_.try_emplace(p.tpl->id);
  Entry& e = it->second;
  if (fresh) {
    e.s.id = p.tpl->id;
    e.s.text = p.tpl->text();
    e.s.first_seen = std::string(ts);
    e.s.example = std::string(raw_line.substr(0, 1024));
    e.s.first_order = order_;
    e.fixed = p.tpl->fixed;
  } else if (p.changed || p.created) {
    e.s.text = p.tpl->text();
  }
  e.s.count++;
  if (!ts.empty()) e.s.last_seen.assign(ts.data(), ts.size());
  if (e.s.first_seen.empty()) e.s.first_seen = std::string(ts);
  e.last_order = order_;
}

std::vector<TemplateStats> TemplateSummary::rows(std::string_view sort) const {
  std::vector<const Entry*> v;
  v.reserve(stats_.size());
  for (const auto& [id, e] : stats_) v.push_back(&e);
  if (sort == "count") {
    std::sort(v.begin(), v.end(), [](const Entry* a, const Entry* b) {
      return a->s.count != b->s.count ? a->s.count > b->s.count : a->s.id < b->s.id;
    });
  } else if (sort == "id") {
    std::sort(v.begin(), v.end(), [](const Entry* a, const Entry* b) { return a->s.id < b->s.id; });
  } else if (sort == "first") {
    std::sort(v.begin(), v.end(), [](const Entry* a, const Entry* b) { return a->s.first_order < b->s.first_order; });
  } else if (sort == "last") {
    std::sort(v.begin(), v.end(), [](const Entry* a, const Entry* b) { return a->last_order > b->last_order; });
  } else {
    throw Error("unknown sort '" + std::string(sort) + "' (use count, id, first or last)");
  }
  std::vector<TemplateStats> out;
  out.reserve(v.size());
  for (const Entry* e : v) out.push_back(e->s);
  return out;
}

std::vector<TemplateRow> TemplateSummary::store_rows() const {
  std::vector<TemplateRow> rows;
  rows.reserve(stats_.size());
  for (const auto& [id, e] : stats_) {
    TemplateRow r;
    r.id = id;
    r.text = e.s.text;
    r.count = e.s.count;
    r.first_seen = e.s.first_seen;
    r.last_seen = e.s.last_seen;
    r.example = e.s.example;
    r.fixed = e.fixed;
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](const TemplateRow& a, const TemplateRow& b) { return a.id < b.id; });
  return rows;
}

}  // namespace pocketops::logs
