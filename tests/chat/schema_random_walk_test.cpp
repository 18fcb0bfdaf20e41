// Property tests: random token walks through JsonConstraint (seeded), forced
// completion at a budget, then parse + validate with an independent validator.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "chat/grammar.h"
#include "chat/grammar_synthetic_vocab.h"
#include "gguf/gguf_reader.h"
#include "support/fixtures.h"
#include "tokenizer/byte_unicode.h"

namespace pocketops::chat {
namespace {

using json = nlohmann::json;

// ---- An independent validator for the supported subset (plain recursion over
// the schema document; shares nothing with the automaton). oneOf = anyOf.
class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}
  bool check(const json& v, std::string* why) const { return check(root_, v, "$", why, 0); }

 private:
  const json& root_;

  static size_t code_points(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }
  static bool type_ok(const json& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    if (t == "number") return v.is_number();
    if (t == "integer")
      return v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    return false;
  }
  bool fail(std::string* why, const std::string& path, const std::string& msg) const {
    if (why) *why = path + ": " + msg;
    return false;
  }
  bool check(const json& s, const json& v, const std::string& path, std::string* why, int depth) const {
    if (depth > 200) return fail(why, path, "too deep");
    if (s.is_boolean()) return s.get<bool>() || fail(why, path, "false schema");
    if (s.contains("$ref")) {
      std::string ref = s["$ref"].get<std::string>();
      return check(root_.at(json::json_pointer(ref.substr(1))), v, path, why, depth + 1);
    }
    for (const char* kw : {"anyOf", "oneOf"}) {
      if (!s.contains(kw)) continue;
      for (const auto& alt : s[kw])
        if (check(alt, v, path, nullptr, depth + 1)) return true;
      return fail(why, path, std::string("no ") + kw + " alternative matches " + v.dump());
    }
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"]) found = found || e == v;
      if (!found) return fail(why, path, "not in enum: " + v.dump());
    }
    if (s.contains("const") && s["const"] != v) return fail(why, path, "const mismatch: " + v.dump());
    if (s.contains("type")) {
      bool ok = false;
      if (s["type"].is_array()) {
        for (const auto& t : s["type"]) ok = ok || type_ok(v, t.get<std::string>());
      } else {
        ok = type_ok(v, s["type"].get<std::string>());
      }
      if (!ok) return fail(why, path, "wrong type: " + v.dump());
    }
    if (v.is_object()) {
      const json* props = s.contains("properties") ? &s["properties"] : nullptr;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (props && props->contains(it.key())) {
          if (!check((*props)[it.key()], it.value(), path + "." + it.key(), why, depth + 1)) return false;
        } else if (s.contains("additionalProperties")) {
          const json& ap = s["additionalProperties"];
          if (ap.is_boolean() && !ap.get<bool>()) return fail(why, path, "unexpected property " + it.key());
          if (ap.is_object() && !check(ap, it.value(), path + "." + it.key(), why, depth + 1)) return false;
        }
      }
      if (s.contains("required"))
        for (const auto& r : s["required"])
          if (!v.contains(r.get<std::string>())) return fail(why, path, "missing required " + r.get<std::string>());
    }
    if (v.is_array()) {
      if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) return fail(why, path, "too few items");
      if (s.contains("maxItems") && s["maxItems"].get<double>() < static_cast<double>(v.size())) return fail(why, path, "too many items");
      if (s.contains("items"))
        for (size_t i = 0; i < v.size(); ++i)
          if (!check(s["items"], v[i], path + "[" + std::to_string(i) + "]", why, depth + 1)) return false;
    }
    if (v.is_string()) {
      size_t n = code_points(v.get<std::string>());
      if (s.contains("minLength") && n < s["minLength"].get<size_t>()) return fail(why, path, "string too short");
      if (s.contains("maxLength") && n > s["maxLength"].get<size_t>()) return fail(why, path, "string too long");
    }
    if (v.is_number()) {
      double d = v.get<double>();
      if (s.contains("minimum") && d < s["minimum"].get<double>()) return fail(why, path, "below minimum");
      if (s.contains("maximum") && d > s["maximum"].get<double>()) return fail(why, path, "above maximum");
      if (s.contains("exclusiveMinimum") && d <= s["exclusiveMinimum"].get<double>()) return fail(why, path, "not above exclusiveMinimum");
      if (s.contains("exclusiveMaximum") && d >= s["exclusiveMaximum"].get<double>()) return fail(why, path, "not below exclusiveMaximum");
    }
    return true;
  }
};

TEST(SchemaValidator, RejectsWhatItShould) {
  json s = json::parse(R"({"type":"object","properties":{"a":{"type":"integer","maximum":3},"b":{"type":"string","maxLength":2}},
     "required":["a"],"additionalProperties":false})");
  Validator v(s);
  EXPECT_TRUE(v.check(json::parse(R"({"a":3,"b":"é!"})"), nullptr));
  EXPECT_FALSE(v.check(json::parse(R"({"a":4})"), nullptr));
  EXPECT_FALSE(v.check(json::parse(R"({"a":1.5})"), nullptr));
  EXPECT_FALSE(v.check(json::parse(R"({"b":"x"})"), nullptr));
  EXPECT_FALSE(v.check(json::parse(R"({"a":1,"b":"xyz"})"), nullptr));
  EXPECT_FALSE(v.check(json::parse(R"({"a":1,"c":1})"), nullptr));
  EXPECT_FALSE(v.check(json::parse(R"([1])"), nullptr));
}

struct WalkStats {
  int walks = 0, forced = 0, eos_natural = 0;
  size_t max_len = 0;
};

// One random walk: mask, pick an allowed token (EOS with probability p_eos
// when allowed), accept; past `budget` tokens only completion tokens are used.
// Returns the produced bytes; fails the test on any stuck state.
std::string walk_once(JsonConstraint& c, const TokenTrie& trie, std::mt19937& rng, int budget, int mode, WalkStats& st) {
  std::string text;
  std::vector<uint8_t> mask;
  std::vector<int32_t> allowed, short_ones;
  for (int step = 0; step < budget + 100000; ++step) {
    const bool forcing = step >= budget;
    if (forcing) c.completion_mask(mask);
    else c.allowed_mask(mask);
    allowed.clear();
    short_ones.clear();
    bool eos_ok = false;
    for (size_t t = 0; t < mask.size(); ++t) {
      if (!mask[t]) continue;
      if (trie.is_eos(static_cast<int32_t>(t))) eos_ok = true;
      allowed.push_back(static_cast<int32_t>(t));
      if (trie.token_bytes(static_cast<int32_t>(t)).size() <= 2) short_ones.push_back(static_cast<int32_t>(t));
    }
    EXPECT_FALSE(allowed.empty()) << "stuck after: " << text;
    if (allowed.empty()) return text;
    EXPECT_EQ(eos_ok, c.is_complete()) << text;
    if (eos_ok && (forcing || rng() % 100 < 35)) {
      EXPECT_TRUE(c.accept(trie.eos_ids()[0]));
      (forcing ? st.forced : st.eos_natural)++;
      return text;
    }
    const auto& pool = (mode == 1 && !short_ones.empty() && rng() % 100 < 85) ? short_ones : allowed;
    int32_t tok = pool[rng() % pool.size()];
    if (trie.is_eos(tok)) {  // EOS drawn as an ordinary pick
      EXPECT_TRUE(c.accept(tok));
      st.eos_natural++;
      return text;
    }
    EXPECT_TRUE(c.accept(tok)) << "mask allowed a token accept() refused";
    text += trie.token_bytes(tok);
  }
  ADD_FAILURE() << "forced completion did not terminate";
  return text;
}

void run_walks(const std::string& schema_text, const TokenTrie* trie_ptr, std::shared_ptr<const TokenTrie> trie, int walks,
               int budget, uint32_t seed, bool json_mode = false) {
  json schema = json_mode ? json::parse(R"({"type":"object"})") : json::parse(schema_text);
  auto compiled = json_mode ? any_json_object_schema() : compile_json_schema_text(schema_text);
  Validator val(schema);
  std::mt19937 rng(seed);
  WalkStats st;
  for (int w = 0; w < walks; ++w) {
    JsonConstraint c(compiled, trie);
    int mode = w % 2;
    int b = 1 + static_cast<int>(rng() % static_cast<uint32_t>(budget));
    std::string text = walk_once(c, *trie_ptr, rng, b, mode, st);
    ASSERT_TRUE(c.is_complete()) << text;
    json parsed;
    try {
      parsed = json::parse(text);
    } catch (const std::exception& e) {
      FAIL() << "walk " << w << " produced invalid JSON: " << e.what() << "\n" << text;
    }
    std::string why;
    ASSERT_TRUE(val.check(parsed, &why)) << "walk " << w << ": " << why << "\n" << text;
    st.max_len = std::max(st.max_len, text.size());
    ++st.walks;
  }
  EXPECT_EQ(st.walks, walks);
  EXPECT_GT(st.eos_natural, 0) << "no walk ever finished on its own";
}

// A shortest completion from a random mid-walk state always finishes validly.
void check_completions(const std::string& schema_text, std::shared_ptr<const TokenTrie> trie, int walks, uint32_t seed) {
  json schema = json::parse(schema_text);
  auto compiled = compile_json_schema_text(schema_text);
  Validator val(schema);
  std::mt19937 rng(seed);
  std::vector<uint8_t> mask;
  for (int w = 0; w < walks; ++w) {
    JsonConstraint c(compiled, trie);
    std::string text;
    int steps = static_cast<int>(rng() % 40);
    for (int i = 0; i < steps; ++i) {
      c.allowed_mask(mask);
      std::vector<int32_t> allowed;
      for (size_t t = 0; t < mask.size(); ++t)
        if (mask[t] && !trie->is_eos(static_cast<int32_t>(t))) allowed.push_back(static_cast<int32_t>(t));
      if (allowed.empty()) break;
      int32_t tok = allowed[rng() % allowed.size()];
      ASSERT_TRUE(c.accept(tok));
      text += trie->token_bytes(tok);
    }
    JsonConstraint probe(c);
    std::string comp = probe.shortest_completion();
    ASSERT_TRUE(probe.accept_bytes(comp)) << text << " + " << comp;
    ASSERT_TRUE(probe.is_complete()) << text << " + " << comp;
    std::string why;
    json parsed = json::parse(text + comp);
    ASSERT_TRUE(val.check(parsed, &why)) << why << "\n" << text << comp;
  }
}

const char* kPerson = R"({"type":"object","properties":{
  "name":{"type":"string","minLength":1,"maxLength":20},
  "age":{"type":"integer","minimum":0,"maximum":150},
  "email":{"type":"string"},
  "tags":{"type":"array","items":{"type":"string","maxLength":8},"maxItems":3},
  "active":{"type":"boolean"},
  "nickname":{"anyOf":[{"type":"string","maxLength":5},{"type":"null"}]}},
  "required":["name","age","active"],"additionalProperties":false})";

const char* kNested = R"({"type":"object","properties":{
  "user":{"type":"object","properties":{
     "id":{"type":"integer"},
     "roles":{"type":"array","items":{"enum":["admin","user","guest"]},"minItems":1,"maxItems":3},
     "profile":{"type":"object","properties":{"bio":{"type":"string","maxLength":12},"score":{"type":"number"}},"required":["score"]}},
   "required":["id","roles"],"additionalProperties":false},
  "meta":{"type":"object","properties":{"created":{"type":"string"},"ok":{"type":"null"}}}},
  "required":["user"]})";

const char* kArrays = R"({"type":"object","properties":{
  "points":{"type":"array","items":{"type":"array","items":{"type":"number"},"minItems":2,"maxItems":2},"minItems":1,"maxItems":4},
  "n":{"type":["integer","null"]},
  "mode":{"const":"fast"},
  "levels":{"type":"array","items":{"type":"integer","minimum":-5,"maximum":12},"maxItems":5},
  "empty":{"type":"array","maxItems":0}},
  "required":["points","mode","levels"]})";

const char* kAnyOf = R"({"anyOf":[
  {"type":"object","properties":{"kind":{"const":"a"},"x":{"type":"integer"}},"required":["kind","x"],"additionalProperties":false},
  {"type":"object","properties":{"kind":{"const":"b"},"y":{"type":"string","maxLength":3}},"required":["kind"],"additionalProperties":false},
  {"type":"object","properties":{"kind":{"enum":["a","c"]},"z":{"type":"boolean"}},"required":["z"],"additionalProperties":false},
  {"type":"array","items":{"type":"string","minLength":2,"maxLength":4},"minItems":1,"maxItems":2}]})";

const char* kRecursive = R"({"$defs":{"node":{"type":"object","properties":{
   "value":{"type":"integer"},"label":{"type":"string","maxLength":6},
   "children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":3}},"required":["value"],"additionalProperties":false}},
  "$ref":"#/$defs/node"})";

const char* kEnums = R"({"type":"object","properties":{
  "e":{"enum":[1,12,1.5,"x","x\"y",null,true,{"a":[1,2]},[],"\u00e9"]},
  "s":{"type":"string","minLength":3,"maxLength":6},
  "weird key \"q\" \u00fc":{"type":"boolean"},
  "free":{"type":"object","additionalProperties":{"type":"integer"}}},
  "required":["e","s"],"additionalProperties":false})";

const char* kPrefixKeys = R"({"type":"object","properties":{
  "a":{"type":"integer"},"ab":{"type":"string","maxLength":2},"abc":{"type":"null"},"b":{"type":"array","items":{"type":"boolean"}}}})";

const char* kTopString = R"({"type":"string","minLength":2,"maxLength":8})";
const char* kTopInt = R"({"type":"integer","minimum":100,"maximum":205})";
const char* kTopNumber = R"({"type":"number"})";

class RandomWalks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    vocab_ = new SyntheticVocab(make_synthetic_vocab(4096, 99));
    trie_ = build_token_trie(vocab_->tokens, vocab_->eos_ids, vocab_->never_allowed);
  }
  static void TearDownTestSuite() {
    delete vocab_;
    trie_.reset();
  }
  static SyntheticVocab* vocab_;
  static std::shared_ptr<const TokenTrie> trie_;
};
SyntheticVocab* RandomWalks::vocab_ = nullptr;
std::shared_ptr<const TokenTrie> RandomWalks::trie_;

TEST_F(RandomWalks, Person) { run_walks(kPerson, trie_.get(), trie_, 300, 120, 1); }
TEST_F(RandomWalks, NestedObjects) { run_walks(kNested, trie_.get(), trie_, 300, 150, 2); }
TEST_F(RandomWalks, ArraysAndNumbers) { run_walks(kArrays, trie_.get(), trie_, 300, 150, 3); }
TEST_F(RandomWalks, AnyOfAlternatives) { run_walks(kAnyOf, trie_.get(), trie_, 300, 80, 4); }
TEST_F(RandomWalks, RecursiveRef) { run_walks(kRecursive, trie_.get(), trie_, 300, 200, 5); }
TEST_F(RandomWalks, EnumsAndEscapedKeys) { run_walks(kEnums, trie_.get(), trie_, 300, 120, 6); }
TEST_F(RandomWalks, PrefixKeys) { run_walks(kPrefixKeys, trie_.get(), trie_, 300, 80, 7); }
TEST_F(RandomWalks, TopLevelScalars) {
  run_walks(kTopString, trie_.get(), trie_, 200, 20, 8);
  run_walks(kTopInt, trie_.get(), trie_, 200, 10, 9);
  run_walks(kTopNumber, trie_.get(), trie_, 200, 20, 10);
}
TEST_F(RandomWalks, JsonMode) { run_walks("", trie_.get(), trie_, 300, 150, 11, /*json_mode=*/true); }

TEST_F(RandomWalks, ShortestCompletionAlwaysFinishes) {
  for (const char* s : {kPerson, kNested, kArrays, kAnyOf, kRecursive, kEnums, kPrefixKeys, kTopInt})
    check_completions(s, trie_, 60, 21);
}

TEST(RandomWalksFullVocab, PersonAndJsonModeAt65k) {
  SyntheticVocab v = make_synthetic_vocab(65536, 1234);
  auto trie = build_token_trie(v.tokens, v.eos_ids, v.never_allowed);
  run_walks(kPerson, trie.get(), trie, 40, 80, 31);
  run_walks(kNested, trie.get(), trie, 40, 80, 32);
  run_walks("", trie.get(), trie, 40, 80, 33, true);
}

// The fixture model's real byte-level BPE vocabulary (GPT-2 byte mapping, 16 control tokens).
TEST(RandomWalksFixtureVocab, TinyModelVocabulary) {
  POCKETOPS_REQUIRE_FIXTURES();
  std::string path = ::pocketops::testing::fixtures_dir() + "/models/tiny-f32.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  auto f = gguf::File::open(path);
  const gguf::Value& toks = f->get("tokenizer.ggml.tokens");
  const gguf::Value* types = f->find("tokenizer.ggml.token_type");
  std::vector<std::string> bytes;
  std::vector<bool> never;
  for (uint64_t i = 0; i < toks.size(); ++i) {
    bool control = types && types->int_at(i) == 3;
    std::string text(toks.string_at(i));
    bytes.push_back(control ? text : tokenizer::mapped_to_bytes(text));
    never.push_back(control);
  }
  int32_t eos = static_cast<int32_t>(f->get_int("tokenizer.ggml.eos_token_id"));
  ASSERT_EQ(bytes.size(), 4112u);
  auto trie = build_token_trie(bytes, {eos}, never);
  run_walks(kPerson, trie.get(), trie, 150, 100, 41);
  run_walks(kAnyOf, trie.get(), trie, 150, 80, 42);
  run_walks("", trie.get(), trie, 150, 100, 43, true);
}

}  // namespace
}  // namespace pocketops::chat
