// LogParser: glues header detection, rules, masking and the miner together and
// re-derives the params of each line against its (possibly generalized) template.
#include "logs/log_parser.h"

namespace pocketops::logs {

namespace {
MinerOptions with_rules(MinerOptions m, const RuleSet* r) {
  if (!r) return m;
  if (r->threshold) m.threshold = *r->threshold;
  if (r->depth) m.depth = *r->depth;
  if (r->max_templates) m.max_templates = *r->max_templates;
  return m;
}
std::vector<std::string> split_spaces(const std::string& s) {
  std::vector<std::string> v;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t e = s.find(' ', i);
    if (e == std::string::npos) e = s.size();
    if (e > i) v.emplace_back(s.substr(i, e - i));
    i = e;
  }
  return v;
}
}  // namespace

LogParser::LogParser(ParserOptions opt, std::shared_ptr<const RuleSet> rules)
    : opt_(opt), rules_(std::move(rules)), miner_(with_rules(opt.miner, rules_.get())) {
  masked_.text.reserve(1024);
  masked_.tokens.reserve(64);
  masked_.params.reserve(32);
  out_.params.reserve(32);
}

void LogParser::register_fixed_templates() {
  if (fixed_registered_ || !rules_) return;
  fixed_registered_ = true;
  for (size_t i = 0; i < rules_->fixed_count(); ++i)
    fixed_.push_back(miner_.insert_fixed(0, split_spaces(rules_->fixed_template(i))));
}

const ParsedLine& LogParser::parse(std::string_view line) {
  if (rules_ && !fixed_registered_) register_fixed_templates();
  parse_header(line, out_.header, scratch_);
  out_.params.clear();
  out_.created = out_.changed = false;
  std::string_view msg = out_.header.message;
  if (rules_) {
    if (!fixed_.empty()) {
      int k = rules_->match_fixed(msg, out_.params);
      if (k >= 0) {
        miner_.touch(fixed_[static_cast<size_t>(k)]);
        out_.tpl = fixed_[static_cast<size_t>(k)];
        return out_;
      }
    }
    if (rules_->has_masks()) {
      rules_->apply_masks(msg, premasked_text_, premasked_params_);
      mask_message(premasked_text_, masked_, opt_.masker, &premasked_params_);
    } else {
      mask_message(msg, masked_, opt_.masker);
    }
  } else {
    mask_message(msg, masked_, opt_.masker);
  }
  auto r = miner_.add(masked_);
  out_.tpl = r.tpl;
  out_.created = r.created;
  out_.changed = r.changed;
  const auto& tt = r.tpl->tokens;
  for (size_t i = 0; i < masked_.tokens.size() && i < tt.size(); ++i) {
    const MaskedToken& mt = masked_.tokens[i];
    if (tt[i] == kWildcard && masked_.token(i) != kWildcard) {
      out_.params.push_back(mt.original);  // generalized position: the whole token
    } else {
      for (uint32_t p = mt.param_begin; p < mt.param_end; ++p) out_.params.push_back(masked_.params[p]);
    }
  }
  return out_;
}

}  // namespace pocketops::logs
