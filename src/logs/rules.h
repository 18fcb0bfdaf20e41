// Optional user rules file: extra masks (PCRE2 regexes), fixed templates and
// grouping knobs. Format in docs/logs.md.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pocketops::logs {

class RuleSet {
 public:
  RuleSet();
  ~RuleSet();
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;

  // Parses rules text; throws Error naming `origin` and the line on bad input.
  static RuleSet parse(std::string_view text, const std::string& origin = "rules");
  static RuleSet load(const std::string& path);

  bool has_masks() const;
  // Replaces every user-mask match in msg by one kPremasked byte in `out`;
  // `params` receives the matched texts (views into msg), in order.
  void apply_masks(std::string_view msg, std::string& out, std::vector<std::string_view>& params) const;

  size_t fixed_count() const;
  // Text of fixed template i ("<*>" for variables).
  const std::string& fixed_template(size_t i) const;
  // Index of the first fixed template matching the whole message, or -1;
  // `params` receives the texts matched by its <*>.
  int match_fixed(std::string_view msg, std::vector<std::string_view>& params) const;

  std::optional<double> threshold;
  std::optional<size_t> depth;
  std::optional<size_t> max_templates;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pocketops::logs
