// JsonConstraint on hand-made tiny vocabularies: exact masks, rejection of
// invalid tokens, string/number/whitespace edge cases, and mask == accept().
#include <gtest/gtest.h>

#include <random>

#include "chat/grammar.h"
#include "chat/grammar_synthetic_vocab.h"

namespace pocketops::chat {
namespace {

std::vector<int32_t> allowed_ids(const JsonConstraint& c) {
  std::vector<uint8_t> mask;
  c.allowed_mask(mask);
  std::vector<int32_t> out;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) out.push_back(static_cast<int32_t>(i));
  return out;
}

std::shared_ptr<const TokenTrie> trie_of(const std::vector<std::string>& toks, int32_t eos, std::vector<int32_t> ctl = {}) {
  std::vector<bool> never(toks.size(), false);
  for (int32_t c : ctl) never[c] = true;
  return build_token_trie(toks, {eos}, never);
}

TEST(GrammarConstraint, ExactMasksForSmallObject) {
  //                                 0    1    2     3    4        5    6       7        8     9     10   11          12   13       14       15  16       17   18   19
  std::vector<std::string> toks = {"{", "}", "\"", "a", "\"a\"", ":", "true", "false", "tr", "ue", " ", "{\"a\":", "x", "<eos>", "<ctl>", "", "\"b\"", ",", "1", "}\n"};
  auto trie = trie_of(toks, 13, {14});
  auto schema = compile_json_schema_text(
      R"({"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"],"additionalProperties":false})");
  JsonConstraint c(schema, trie);
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{0, 11}));
  EXPECT_FALSE(c.is_complete());
  EXPECT_FALSE(c.accept(1));
  EXPECT_FALSE(c.accept(13));  // EOS before completion
  EXPECT_FALSE(c.accept(14));  // control token
  EXPECT_FALSE(c.accept(15));  // empty text
  EXPECT_FALSE(c.accept(-1));
  EXPECT_FALSE(c.accept(999));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{0, 11}));  // unchanged by rejections
  ASSERT_TRUE(c.accept(0));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{2, 4, 10}));  // '}' not allowed: "a" is required
  ASSERT_TRUE(c.accept(2));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{3}));
  ASSERT_TRUE(c.accept(3));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{2}));
  ASSERT_TRUE(c.accept(2));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{5, 10}));
  ASSERT_TRUE(c.accept(5));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{6, 7, 8, 10}));
  ASSERT_TRUE(c.accept(8));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{9}));
  ASSERT_TRUE(c.accept(9));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{1, 10}));  // no ',' (no more properties)
  EXPECT_TRUE(c.can_continue());
  ASSERT_TRUE(c.accept(1));
  EXPECT_TRUE(c.is_complete());
  EXPECT_FALSE(c.can_continue());
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{13}));  // only EOS; no trailing whitespace
  ASSERT_TRUE(c.accept(13));
  EXPECT_TRUE(allowed_ids(c).empty());
  EXPECT_FALSE(c.accept(10));
  c.reset();
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{0, 11}));
  ASSERT_TRUE(c.accept(11));  // a token spanning '{', the key and ':'
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{6, 7, 8, 10}));
}

TEST(GrammarConstraint, BoundedIntegerMask) {
  std::vector<std::string> toks = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "25", "26", "-", "<eos>", "250"};
  auto trie = trie_of(toks, 14);
  auto schema = compile_json_schema_text(R"({"type":"integer","minimum":10,"maximum":25})");
  JsonConstraint c(schema, trie);
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{1, 2, 10, 11}));
  ASSERT_TRUE(c.accept(2));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{0, 1, 2, 3, 4, 5}));  // 20..25; "2" alone is out of range
  ASSERT_TRUE(c.accept(5));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{14}));
  EXPECT_EQ(c.shortest_completion(), "");

  auto neg = compile_json_schema_text(R"({"type":"integer","minimum":-3,"maximum":-1})");
  JsonConstraint n(neg, trie);
  EXPECT_EQ(allowed_ids(n), (std::vector<int32_t>{13}));
  ASSERT_TRUE(n.accept(13));
  EXPECT_EQ(allowed_ids(n), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(n.shortest_completion(), "1");
}

TEST(GrammarConstraint, StringLengthsCountCodePoints) {
  std::vector<std::string> toks = {"\"", "a", "ab", "abc", "\xC3\xA9", "\xC3", "\xA9", "\\n", "\\", "<eos>", "\"a\"", "\xF0\x9F\x98\x80"};
  auto trie = trie_of(toks, 9);
  auto schema = compile_json_schema_text(R"({"type":"string","minLength":1,"maxLength":2})");
  JsonConstraint c(schema, trie);
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{0, 10}));
  ASSERT_TRUE(c.accept(0));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{1, 2, 4, 5, 7, 8, 11}));  // not '"' (minLength 1), not "abc"
  ASSERT_TRUE(c.accept(4));  // é = one code point
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{0, 1, 4, 5, 7, 8, 11}));
  ASSERT_TRUE(c.accept(5));  // first byte of é
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{6}));
  ASSERT_TRUE(c.accept(6));
  EXPECT_EQ(allowed_ids(c), (std::vector<int32_t>{0}));  // at maxLength
  ASSERT_TRUE(c.accept(0));
  EXPECT_TRUE(c.is_complete());
}

TEST(GrammarConstraint, StringEscapesAndUtf8Validity) {
  auto trie = trie_of({"x", "<eos>"}, 1);
  auto s = compile_json_schema_text(R"({"type":"string"})");
  auto ok = [&](const std::string& t) { JsonConstraint c(s, trie); return c.accept_bytes(t) && c.is_complete(); };
  auto prefix_ok = [&](const std::string& t) { JsonConstraint c(s, trie); return c.accept_bytes(t); };
  EXPECT_TRUE(ok(R"("a\"b\\c\/\b\f\n\r\t")"));
  EXPECT_TRUE(ok(R"("\u00e9\uD83D\uDE00\u0000")"));
  EXPECT_FALSE(prefix_ok(R"("\uDE00)"));          // lone low surrogate
  EXPECT_FALSE(prefix_ok(R"("\uD83D")"));          // high surrogate without its pair
  EXPECT_FALSE(prefix_ok(R"("\uD83D\u0041)"));     // high surrogate + non-low
  EXPECT_FALSE(prefix_ok(R"("\x")"));
  EXPECT_FALSE(prefix_ok(R"("\u12G)"));
  EXPECT_FALSE(prefix_ok("\"\x01"));               // raw control character
  EXPECT_FALSE(prefix_ok("\"\n"));
  EXPECT_FALSE(prefix_ok("\"\xC0\x80"));           // overlong
  EXPECT_FALSE(prefix_ok("\"\xED\xA0\x80"));       // UTF-8 surrogate
  EXPECT_FALSE(prefix_ok("\"\xF4\x90\x80\x80"));   // > U+10FFFF
  EXPECT_FALSE(prefix_ok("\"\x80"));               // stray continuation
  EXPECT_FALSE(prefix_ok("\"\xC3\xC3"));
  EXPECT_TRUE(ok("\"\xE4\xB8\xAD\xF0\x9F\x98\x80\xEF\xBF\xBD\x7F\""));
  EXPECT_FALSE(ok("\"abc"));
  EXPECT_FALSE(prefix_ok("\"abc\" "));  // nothing after the top-level value
}

TEST(GrammarConstraint, NumbersAreBoundedAndWellFormed) {
  auto trie = trie_of({"x", "<eos>"}, 1);
  auto num = compile_json_schema_text(R"({"type":"number"})");
  auto integer = compile_json_schema_text(R"({"type":"integer"})");
  auto ok = [&](std::shared_ptr<const JsonSchema> s, const std::string& t) {
    JsonConstraint c(s, trie);
    return c.accept_bytes(t) && c.is_complete();
  };
  for (const char* good : {"0", "-0", "12", "-12.5", "0.25e-3", "1E+99", "1e5", "9999999999999999", "0.1234567890123456"})
    EXPECT_TRUE(ok(num, good)) << good;
  for (const char* bad : {"01", "-", "1.", ".5", "1e", "1e+", "+1", "1e100", "99999999999999999", "0.12345678901234567", "--1", "1.2.3"})
    EXPECT_FALSE(ok(num, bad)) << bad;
  for (const char* good : {"0", "7", "-7", "1234567890123456"}) EXPECT_TRUE(ok(integer, good)) << good;
  for (const char* bad : {"1.0", "1e3", "-0", "01", "12345678901234567"}) EXPECT_FALSE(ok(integer, bad)) << bad;
}

TEST(GrammarConstraint, WhitespaceIsBounded) {
  auto trie = trie_of({"x", "<eos>"}, 1);
  auto s = any_json_object_schema();
  JsonConstraint a(s, trie);
  EXPECT_TRUE(a.accept_bytes("{\n" + std::string(SchemaLimits::kMaxIndent, ' ')));
  EXPECT_FALSE(a.accept_bytes(" "));
  EXPECT_FALSE(a.accept_bytes("\t"));
  EXPECT_FALSE(a.accept_bytes("\n"));
  EXPECT_TRUE(a.accept_bytes("\"k\"\n\t:\r\n [ 1 ,\n  2 ] }"));
  JsonConstraint c(s, trie);
  EXPECT_FALSE(c.accept_bytes("{\n\n"));  // one newline per slot
  EXPECT_FALSE(c.accept_bytes("{ \n"));    // newline before indentation
  EXPECT_FALSE(c.accept_bytes("{\n\r"));
  EXPECT_TRUE(c.accept_bytes("{\r\n\t \"a\" : 1 }"));
  EXPECT_TRUE(a.is_complete());
  JsonConstraint b(s, trie);
  EXPECT_FALSE(b.accept_bytes(" {"));  // no leading whitespace
  EXPECT_FALSE(b.accept_bytes("[]"));  // JSON mode wants an object
}

TEST(GrammarConstraint, OptionalPropertiesInSchemaOrder) {
  auto trie = trie_of({"x", "<eos>"}, 1);
  auto s = compile_json_schema_text(R"({"type":"object","properties":{
      "a":{"type":"integer"},"ab":{"type":"integer"},"abc":{"type":"null"},"z":{"type":"boolean"}},"required":["ab"]})");
  auto ok = [&](const std::string& t) { JsonConstraint c(s, trie); return c.accept_bytes(t) && c.is_complete(); };
  EXPECT_TRUE(ok(R"({"ab":1})"));
  EXPECT_TRUE(ok(R"({"a":1,"ab":2,"abc":null,"z":true})"));
  EXPECT_TRUE(ok(R"({"ab":2,"z":false})"));
  EXPECT_FALSE(ok(R"({"a":1})"));            // required "ab" missing
  EXPECT_FALSE(ok(R"({"ab":1,"a":2})"));     // out of schema order
  EXPECT_FALSE(ok(R"({"abc":null,"ab":1})"));
  EXPECT_FALSE(ok(R"({"ab":1,"ab":1})"));    // no repeats
  EXPECT_FALSE(ok(R"({"ab":1,"q":1})"));     // not listed
  EXPECT_FALSE(ok(R"({"ab":1,})"));
}

TEST(GrammarConstraint, EnumLiteralsAndAnyOf) {
  auto trie = trie_of({"x", "<eos>"}, 1);
  auto s = compile_json_schema_text(R"({"anyOf":[{"enum":[1,12,"a",{"k":[true]},null]},{"type":"string","maxLength":1}]})");
  auto ok = [&](const std::string& t) { JsonConstraint c(s, trie); return c.accept_bytes(t) && c.is_complete(); };
  for (const char* good : {"1", "12", "\"a\"", "{\"k\":[true]}", "null", "\"b\"", "\"\""}) EXPECT_TRUE(ok(good)) << good;
  for (const char* bad : {"2", "123", "\"ab\"", "{\"k\":[false]}", "{\"k\": [true]}", "true"}) EXPECT_FALSE(ok(bad)) << bad;
}

TEST(GrammarConstraint, CompletionMaskFollowsShortestCompletion) {
  std::vector<std::string> toks = {"{", "}", "\"", "a", "\"a\"", ":", "0", "\":", "<eos>", "\"a\":0}"};
  auto trie = trie_of(toks, 8);
  auto s = compile_json_schema_text(R"({"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]})");
  JsonConstraint c(s, trie);
  EXPECT_EQ(c.shortest_completion(), R"({"a":0})");
  ASSERT_TRUE(c.accept(0));
  EXPECT_EQ(c.shortest_completion(), R"("a":0})");
  std::vector<uint8_t> mask;
  c.completion_mask(mask);
  std::vector<int32_t> got;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) got.push_back(static_cast<int32_t>(i));
  EXPECT_EQ(got, (std::vector<int32_t>{2, 4, 9}));
}

// The mask must agree with accept() token by token, in every state reached by
// random walks over a synthetic vocabulary (covers the string fast path too).
TEST(GrammarConstraint, MaskMatchesAcceptOnSyntheticVocab) {
  SyntheticVocab v = make_synthetic_vocab(3000, 7);
  auto trie = build_token_trie(v.tokens, v.eos_ids, v.never_allowed);
  std::vector<std::shared_ptr<const JsonSchema>> schemas = {
      any_json_object_schema(),
      compile_json_schema_text(R"({"type":"object","properties":{"name":{"type":"string","maxLength":4},
        "n":{"type":"integer","minimum":-20,"maximum":300},"tags":{"type":"array","items":{"enum":["x","yy",3]},"maxItems":2},
        "alt":{"anyOf":[{"type":"string","minLength":2},{"type":"number"},{"type":"null"}]}},"required":["name","tags"]})"),
      // Several string threads at once with different length budgets.
      compile_json_schema_text(R"({"type":"array","items":{"anyOf":[{"type":"string","maxLength":3},
        {"type":"string","minLength":5,"maxLength":9},{"enum":["abc\"d","x"]}]},"minItems":1})"),
  };
  std::mt19937 rng(42);
  std::vector<uint8_t> mask;
  int states = 0;
  for (const auto& s : schemas) {
    for (int walk = 0; walk < 12; ++walk) {
      JsonConstraint c(s, trie);
      for (int step = 0; step < 25; ++step) {
        c.allowed_mask(mask);
        ++states;
        std::vector<int32_t> allowed;
        for (size_t t = 0; t < mask.size(); ++t) {
          JsonConstraint probe(c);
          bool acc = probe.accept(static_cast<int32_t>(t));
          ASSERT_EQ(acc, mask[t] != 0) << "token " << t << " '" << v.tokens[t] << "' at step " << step;
          if (acc) allowed.push_back(static_cast<int32_t>(t));
        }
        ASSERT_FALSE(allowed.empty());
        int32_t pick = allowed[rng() % allowed.size()];
        if (trie->is_eos(pick)) break;
        ASSERT_TRUE(c.accept(pick));
      }
    }
  }
  EXPECT_GT(states, 100);
}

}  // namespace
}  // namespace pocketops::chat
