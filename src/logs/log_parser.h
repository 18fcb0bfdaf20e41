// The parse pipeline for one line: header detection -> user masks -> fixed
// templates -> masking -> online template mining -> params for the template.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logs/header.h"
#include "logs/masker.h"
#include "logs/rules.h"
#include "logs/template_miner.h"

namespace pocketops::logs {

struct ParserOptions {
  MinerOptions miner;
  MaskerOptions masker;
};

struct ParsedLine {
  Header header;
  const Template* tpl = nullptr;
  std::vector<std::string_view> params;  // one per "<*>" in the template text
  bool created = false;                  // this line opened a new template
  bool changed = false;                  // this line generalized its template
};

class LogParser {
 public:
  // Rules (may be null) override options where they set knobs.
  explicit LogParser(ParserOptions opt = {}, std::shared_ptr<const RuleSet> rules = nullptr);

  // Parses one line. The result (and its views) stays valid until the next
  // call or until the template is evicted. Never throws on any input.
  const ParsedLine& parse(std::string_view line);

  TemplateMiner& miner() { return miner_; }
  const TemplateMiner& miner() const { return miner_; }
  // Registers the rules' fixed templates (call once, after the store has set
  // miner().id_for_new, so fixed templates get persisted ids).
  void register_fixed_templates();

 private:
  ParserOptions opt_;
  std::shared_ptr<const RuleSet> rules_;
  TemplateMiner miner_;
  std::vector<Template*> fixed_;
  bool fixed_registered_ = false;
  HeaderScratch scratch_;
  MaskedLine masked_;
  std::string premasked_text_;
  std::vector<std::string_view> premasked_params_;
  ParsedLine out_;
};

}  // namespace pocketops::logs
