// Cost of one schema-constrained decoding step (allowed-token mask) over a
// 65,536-token synthetic byte-level vocabulary, in typical JSON states.
#include <benchmark/benchmark.h>

#include <random>

#include "chat/grammar.h"
#include "chat/grammar_synthetic_vocab.h"

namespace {

using namespace pocketops::chat;

const char* kSchema = R"({"type":"object","properties":{
  "name":{"type":"string","maxLength":40},
  "age":{"type":"integer","minimum":0,"maximum":150},
  "email":{"type":"string"},
  "tags":{"type":"array","items":{"type":"string"},"maxItems":5},
  "status":{"enum":["open","closed","pending"]},
  "score":{"anyOf":[{"type":"number"},{"type":"null"}]},
  "address":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string","maxLength":10}},"required":["city"]}},
  "required":["name","age","status"]})";

std::shared_ptr<const TokenTrie> vocab_trie() {
  static std::shared_ptr<const TokenTrie> trie = [] {
    SyntheticVocab v = make_synthetic_vocab(65536, 1234);
    return build_token_trie(v.tokens, v.eos_ids, v.never_allowed);
  }();
  return trie;
}

void mask_after(benchmark::State& state, bool json_mode, const char* prefix) {
  auto schema = json_mode ? any_json_object_schema() : compile_json_schema_text(kSchema);
  JsonConstraint c(schema, vocab_trie());
  if (!c.accept_bytes(prefix)) {
    state.SkipWithError("prefix rejected");
    return;
  }
  std::vector<uint8_t> mask;
  size_t allowed = 0;
  for (auto _ : state) {
    c.allowed_mask(mask);
    benchmark::DoNotOptimize(mask.data());
  }
  for (uint8_t m : mask) allowed += m;
  state.counters["allowed"] = static_cast<double>(allowed);
}

BENCHMARK_CAPTURE(mask_after, start, false, "")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, object_open, false, "{")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, value_start, false, "{\"name\": ")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, in_bounded_string, false, "{\"name\": \"Ada Lov")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, in_free_string, false, "{\"name\": \"Ada\", \"age\": 36, \"email\": \"ada@")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, after_string_escape, false, "{\"name\": \"Ada\\")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, in_integer, false, "{\"name\": \"Ada\", \"age\": 3")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, after_value, false, "{\"name\": \"Ada\", \"age\": 36")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, next_key, false, "{\"name\": \"Ada\", \"age\": 36, ")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, enum_value, false, "{\"name\": \"Ada\", \"age\": 36, \"status\": ")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, anyof_value, false, "{\"name\": \"Ada\", \"age\": 36, \"status\": \"open\", \"score\": ")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, json_mode_key, true, "{\"a\": 1, \"")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mask_after, json_mode_value, true, "{\"a\": [1, {\"b\": ")->Unit(benchmark::kMicrosecond);

// Average over the states of seeded random walks (what a sampling loop sees).
void mask_random_walk(benchmark::State& state) {
  auto schema = compile_json_schema_text(kSchema);
  auto trie = vocab_trie();
  std::mt19937 rng(7);
  std::vector<JsonConstraint> states;
  std::vector<uint8_t> mask;
  for (int w = 0; w < 4; ++w) {
    JsonConstraint c(schema, trie);
    for (int step = 0; step < 50; ++step) {
      step < 40 ? c.allowed_mask(mask) : c.completion_mask(mask);
      std::vector<int32_t> allowed;
      for (size_t t = 0; t < mask.size(); ++t)
        if (mask[t] && !trie->is_eos(static_cast<int32_t>(t))) allowed.push_back(static_cast<int32_t>(t));
      if (allowed.empty()) break;
      states.push_back(c);
      c.accept(allowed[rng() % allowed.size()]);
    }
  }
  size_t i = 0;
  for (auto _ : state) {
    states[i++ % states.size()].allowed_mask(mask);
    benchmark::DoNotOptimize(mask.data());
  }
  state.counters["states"] = static_cast<double>(states.size());
}
BENCHMARK(mask_random_walk)->Unit(benchmark::kMicrosecond);

void accept_token(benchmark::State& state) {
  auto schema = any_json_object_schema();
  auto trie = vocab_trie();
  JsonConstraint base(schema, trie);
  base.accept_bytes("{\"text\": \"");
  int32_t tok = 300;  // some fragment; fall back to byte 'a'
  if (!JsonConstraint(base).accept(tok)) tok = 'a';
  for (auto _ : state) {
    JsonConstraint c(base);
    benchmark::DoNotOptimize(c.accept(tok));
  }
}
BENCHMARK(accept_token)->Unit(benchmark::kMicrosecond);

void build_trie(benchmark::State& state) {
  SyntheticVocab v = make_synthetic_vocab(65536, 1234);
  for (auto _ : state) benchmark::DoNotOptimize(build_token_trie(v.tokens, v.eos_ids, v.never_allowed));
}
BENCHMARK(build_trie)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
