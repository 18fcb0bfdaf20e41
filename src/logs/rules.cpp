// Rules file parsing and PCRE2 (JIT when available) matching for user masks
// and fixed templates.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "logs/rules.h"

#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "logs/masker.h"

namespace pocketops::logs {

namespace {
struct Regex {
  pcre2_code* code = nullptr;
  pcre2_match_data* md = nullptr;
  Regex() = default;
  Regex(const Regex&) = delete;
  Regex(Regex&& o) noexcept : code(o.code), md(o.md) { o.code = nullptr, o.md = nullptr; }
  ~Regex() {
    if (md) pcre2_match_data_free(md);
    if (code) pcre2_code_free(code);
  }
};

Regex compile(const std::string& pattern, const std::string& where) {
  int err = 0;
  PCRE2_SIZE off = 0;
  Regex r;
  r.code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                         &err, &off, nullptr);
  if (!r.code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw Error(where + ": bad regex at offset " + std::to_string(off) + ": " + reinterpret_cast<char*>(msg));
  }
  pcre2_jit_compile(r.code, PCRE2_JIT_COMPLETE);  // best effort
  r.md = pcre2_match_data_create_from_pattern(r.code, nullptr);
  return r;
}

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return std::string(s.substr(a, b - a));
}

// Regex for a fixed template: literals escaped, whitespace runs flexible, <*> lazy.
std::string template_regex(const std::string& t) {
  std::string re = "^\\s*";
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 3, "<*>") == 0) {
      re += "(.*?)";
      i += 3;
    } else if (t[i] == ' ' || t[i] == '\t') {
      re += "\\s+";
      while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
    } else {
      unsigned char c = static_cast<unsigned char>(t[i]);
      if (c < 0x80 && !std::isalnum(c)) re += '\\';
      re += t[i];
      ++i;
    }
  }
  re += "\\s*$";
  return re;
}
}  // namespace

struct RuleSet::Impl {
  std::vector<Regex> masks;
  std::vector<Regex> fixed;
  std::vector<std::string> fixed_text;
};

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;

RuleSet RuleSet::parse(std::string_view text, const std::string& origin) {
  RuleSet rs;
  size_t lineno = 0, pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++lineno;
    if (line.empty() || line[0] == '#') {
      if (nl == text.size()) break;
      continue;
    }
    std::string where = origin + ":" + std::to_string(lineno);
    size_t sp = line.find_first_of(" \t");
    std::string key = line.substr(0, sp);
    std::string arg = sp == std::string::npos ? "" : trim(std::string_view(line).substr(sp));
    if (arg.empty()) throw Error(where + ": '" + key + "' needs a value");
    try {
      if (key == "mask") {
        rs.impl_->masks.push_back(compile(arg, where));
      } else if (key == "template") {
        rs.impl_->fixed.push_back(compile(template_regex(arg), where));
        // Normalize spacing so the stored text matches miner token joins.
        std::istringstream ss(arg);
        std::string tok, norm;
        while (ss >> tok) norm += (norm.empty() ? "" : " ") + tok;
        rs.impl_->fixed_text.push_back(norm);
      } else if (key == "threshold") {
        double v = std::stod(arg);
        if (!(v > 0 && v <= 1)) throw Error(where + ": threshold must be in (0, 1]");
        rs.threshold = v;
      } else if (key == "depth") {
        long v = std::stol(arg);
        if (v < 1 || v > 16) throw Error(where + ": depth must be 1..16");
        rs.depth = static_cast<size_t>(v);
      } else if (key == "max-templates") {
        long v = std::stol(arg);
        if (v < 1 || v > 100000000) throw Error(where + ": max-templates must be 1..100000000");
        rs.max_templates = static_cast<size_t>(v);
      } else {
        throw Error(where + ": unknown rule '" + key + "' (expected mask, template, threshold, depth, max-templates)");
      }
    } catch (const std::invalid_argument&) {
      throw Error(where + ": '" + arg + "' is not a number");
    } catch (const std::out_of_range&) {
      throw Error(where + ": '" + arg + "' is out of range");
    }
    if (nl == text.size()) break;
  }
  return rs;
}

RuleSet RuleSet::load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot open rules file '" + path + "'");
  std::string text;
  char buf[4096];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    text.append(buf, static_cast<size_t>(f.gcount()));
    if (text.size() > (1u << 20)) throw Error("rules file '" + path + "' is larger than 1 MiB");
  }
  return parse(text, path);
}

bool RuleSet::has_masks() const { return !impl_->masks.empty(); }
size_t RuleSet::fixed_count() const { return impl_->fixed.size(); }
const std::string& RuleSet::fixed_template(size_t i) const { return impl_->fixed_text.at(i); }

void RuleSet::apply_masks(std::string_view msg, std::string& out, std::vector<std::string_view>& params) const {
  // Collect non-overlapping matches of all masks, left to right per mask.
  std::vector<std::pair<size_t, size_t>> spans;
  for (const auto& r : impl_->masks) {
    size_t start = 0;
    while (start <= msg.size()) {
      int rc = pcre2_match(r.code, reinterpret_cast<PCRE2_SPTR>(msg.data()), msg.size(), start, 0, r.md, nullptr);
      if (rc < 0) break;
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(r.md);
      size_t a = ov[0], b = ov[1];
      if (b <= a) {  // empty match: step on
        start = a + 1;
        continue;
      }
      bool overlap = false;
      for (auto& s : spans)
        if (a < s.second && s.first < b) overlap = true;
      if (!overlap) spans.emplace_back(a, b);
      start = b;
    }
  }
  std::sort(spans.begin(), spans.end());
  out.clear();
  params.clear();
  size_t pos = 0;
  for (auto& [a, b] : spans) {
    out.append(msg.substr(pos, a - pos));
    out.push_back(kPremasked);
    params.push_back(msg.substr(a, b - a));
    pos = b;
  }
  out.append(msg.substr(pos));
}

int RuleSet::match_fixed(std::string_view msg, std::vector<std::string_view>& params) const {
  for (size_t i = 0; i < impl_->fixed.size(); ++i) {
    const auto& r = impl_->fixed[i];
    int rc = pcre2_match(r.code, reinterpret_cast<PCRE2_SPTR>(msg.data()), msg.size(), 0, 0, r.md, nullptr);
    if (rc < 0) continue;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(r.md);
    params.clear();
    for (int g = 1; g < rc; ++g) params.push_back(msg.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
    return static_cast<int>(i);
  }
  return -1;
}

}  // namespace pocketops::logs
