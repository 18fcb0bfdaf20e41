// Tool-call parser tests: LFM2 Python-call syntax, value types, several calls
// and blocks, OpenAI conversion round trips, and hostile inputs (errors, never
// crashes: depth bombs, unbalanced brackets, invalid UTF-8, huge numbers).
#include <gtest/gtest.h>

#include <string>

#include "chat/tool_call.h"
#include "common/error.h"

using namespace pocketops::chat;
using ojson = nlohmann::ordered_json;

namespace {
std::string block(const std::string& inner) { return "<|tool_call_start|>" + inner + "<|tool_call_end|>"; }

ToolCallParse ok(const std::string& text) {
  auto r = parse_tool_calls(text);
  EXPECT_FALSE(r.error) << text << " -> " << r.error.value_or("");
  return r;
}

std::string err(const std::string& text) {
  auto r = parse_tool_calls(text);
  EXPECT_TRUE(r.error) << text;
  EXPECT_TRUE(r.calls.empty());
  EXPECT_EQ(r.content, text);
  return r.error.value_or("");
}
}  // namespace

TEST(ToolCall, FixtureStyleCall) {
  auto r = ok(block(R"([get_disk_usage(mount="/var")])"));
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_EQ(r.calls[0].name, "get_disk_usage");
  EXPECT_EQ(r.calls[0].arguments, ojson::parse(R"({"mount":"/var"})"));
  EXPECT_EQ(r.content, "");
}

TEST(ToolCall, NoCallsIsPlainContent) {
  auto r = ok("just text, with [brackets] and f(x=1)");
  EXPECT_TRUE(r.calls.empty());
  EXPECT_EQ(r.content, "just text, with [brackets] and f(x=1)");
}

TEST(ToolCall, AllValueKinds) {
  const std::string inner =
      R"([restart(unit='nginx.service', dry_run=True, force=False, reason=None, n=3, neg=-12, f=2.5, e=1e-3,)" +
      std::string(R"( hex=0x1F, big=1_000_000, lst=[1, 'a', [2, [3]]], tup=(1, 2), d={'k': "v", 1: {"x": null}}, t=true),)") +
      R"( second(a=1)])";
  auto r = ok("pre " + block(inner) + " post");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.content, "pre  post");
  const ojson expect = ojson::parse(R"({"unit":"nginx.service","dry_run":true,"force":false,"reason":null,"n":3,"neg":-12,
     "f":2.5,"e":0.001,"hex":31,"big":1000000,"lst":[1,"a",[2,[3]]],"tup":[1,2],"d":{"k":"v","1":{"x":null}},"t":true})");
  EXPECT_EQ(r.calls[0].name, "restart");
  EXPECT_EQ(r.calls[0].arguments, expect);
  // Argument order is kept.
  std::string keys;
  for (auto it = r.calls[0].arguments.begin(); it != r.calls[0].arguments.end(); ++it) keys += it.key() + ",";
  EXPECT_EQ(keys, "unit,dry_run,force,reason,n,neg,f,e,hex,big,lst,tup,d,t,");
  EXPECT_EQ(r.calls[1].name, "second");
  EXPECT_EQ(r.calls[1].arguments, ojson::parse(R"({"a":1})"));
}

TEST(ToolCall, StringEscapes) {
  auto r = ok(block(R"([f(a="q\"uote", b='it\'s', c="\n\t\\", d="\u00e9\x41\101", e="\ud83d\ude00", f=r"C:\dir\n", g="\d")])"));
  ASSERT_EQ(r.calls.size(), 1u);
  const auto& a = r.calls[0].arguments;
  EXPECT_EQ(a["a"], "q\"uote");
  EXPECT_EQ(a["b"], "it's");
  EXPECT_EQ(a["c"], "\n\t\\");
  EXPECT_EQ(a["d"], "éAA");
  EXPECT_EQ(a["e"], "😀");
  EXPECT_EQ(a["f"], "C:\\dir\\n");
  EXPECT_EQ(a["g"], "\\d");
  auto u = ok(block(R"([f(s="ünïcødé 服务 ✓")])"));
  EXPECT_EQ(u.calls[0].arguments["s"], "ünïcødé 服务 ✓");
}

TEST(ToolCall, MultipleBlocksAndNoArgs) {
  auto r = ok("a" + block("[f()]") + "b" + block("[g(x=1), h()]") + "c");
  ASSERT_EQ(r.calls.size(), 3u);
  EXPECT_EQ(r.calls[0].name, "f");
  EXPECT_TRUE(r.calls[0].arguments.is_object());
  EXPECT_TRUE(r.calls[0].arguments.empty());
  EXPECT_EQ(r.calls[2].name, "h");
  EXPECT_EQ(r.content, "abc");
  // A bare call without the list brackets is accepted, whitespace is tolerated.
  auto bare = ok(block("  f( x = 1 ,\n y = 'z' ) "));
  ASSERT_EQ(bare.calls.size(), 1u);
  EXPECT_EQ(bare.calls[0].arguments, ojson::parse(R"({"x":1,"y":"z"})"));
  auto dotted = ok(block("[ns.tool-name_2(a=1)]"));
  EXPECT_EQ(dotted.calls[0].name, "ns.tool-name_2");
}

TEST(ToolCall, JsonBlocks) {
  auto r = ok(block(R"({"name": "get_disk_usage", "arguments": {"mount": "/var"}})"));
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_EQ(r.calls[0].name, "get_disk_usage");
  EXPECT_EQ(r.calls[0].arguments, ojson::parse(R"({"mount":"/var"})"));
  auto l = ok(block(R"([{"name": "a", "arguments": "{\"x\": 1}"}, {"name": "b", "parameters": {}}, {"name": "c"}])"));
  ASSERT_EQ(l.calls.size(), 3u);
  EXPECT_EQ(l.calls[0].arguments, ojson::parse(R"({"x":1})"));
  EXPECT_TRUE(l.calls[2].arguments.empty());
  err(block(R"({"arguments": {}})"));
  err(block(R"({"name": "a", "arguments": [1]})"));
  err(block(R"({"name": "a", "arguments": {)"));
  err(block(R"([{"name": "a"}, 3])"));
  err(block("{\"name\": \"a\", \"arguments\": \"" + std::string(100000, '[') + "\"}"));
  err(block("{\"name\": \"a\", \"arguments\": {\"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}}"));
}

TEST(ToolCall, Errors) {
  EXPECT_NE(err(block("[f(1)]")).find("positional"), std::string::npos);
  EXPECT_NE(err(block("[f(x=1, 'a')]")).find("positional"), std::string::npos);
  err(block("[f(x=1)"));             // missing ]
  err(block("[f(x=1]"));             // missing )
  err(block("[f(x=[1, 2)]"));        // unbalanced
  err(block("[f(x={'a': 1)]"));
  err(block("[f(x='abc)]"));         // unterminated string
  err(block("[f(x=\"abc\\\")]"));    // escaped quote, still unterminated
  err(block("[f(x=1) g(y=2)]"));     // missing comma
  err(block("[]"));
  err(block(""));
  err(block("[f(x=1)] trailing"));
  err(block("[f(x=1, x=2)]"));       // duplicate
  err(block("[f(x=os.system('rm'))]"));  // only literals
  err(block("[f(x=1.2.3)]"));
  err(block("[f(x=1e)]"));
  err(block("[f(x=--)]"));
  err(block("[f(x='\\xZZ')]"));
  err(block("[f(x='\\ud800')]"));    // lone surrogate
  err("<|tool_call_start|>[f(x=1)]");              // no end marker
  err("text <|tool_call_end|>");                   // end without start
  err(block("[f(x=1)" + std::string("<|tool_call_start|>") + "]"));
  err(block("[f(x='a\nb')]"));        // newline in a single-quoted string
  EXPECT_NE(err(block("[f(x={[1]: 2})]")).find("keys"), std::string::npos);
}

TEST(ToolCall, HugeNumbers) {
  EXPECT_NE(err(block("[f(x=99999999999999999999999999)]")).find("range"), std::string::npos);
  EXPECT_NE(err(block("[f(x=1e999)]")).find("range"), std::string::npos);
  err(block("[f(x=" + std::string(1000, '9') + ")]"));
  err(block("[f(x=inf)]"));
  auto r = ok(block("[f(a=18446744073709551615, b=-9223372036854775808, c=9223372036854775807)]"));
  EXPECT_EQ(r.calls[0].arguments["a"].get<uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ(r.calls[0].arguments["b"].get<int64_t>(), INT64_MIN);
  EXPECT_EQ(r.calls[0].arguments["c"].get<int64_t>(), INT64_MAX);
  err(block("[f(a=-9223372036854775809)]"));
  err(block("[f(a=18446744073709551616)]"));
}

TEST(ToolCall, DeepNestingIsRejected) {
  const int n = 100000;
  EXPECT_NE(err(block("[f(x=" + std::string(n, '[') + std::string(n, ']') + ")]")).find("deeper"), std::string::npos);
  err(block("[f(x=" + std::string(n, '{')));
  err(block(std::string(n, '[')));
  err(block(std::string(n, '(')));
  // 60 levels are fine.
  auto r = ok(block("[f(x=" + std::string(60, '[') + std::string(60, ']') + ")]"));
  EXPECT_EQ(r.calls.size(), 1u);
}

TEST(ToolCall, InvalidUtf8IsRejected) {
  EXPECT_NE(err(block("[f(x='\xff')]")).find("UTF-8"), std::string::npos);
  err("plain \xc3");                      // truncated sequence outside a block
  err(block("[f(x='\xed\xa0\x80')]"));   // encoded surrogate
  err(block("[f(x='\xc0\xaf')]"));       // overlong
}

TEST(ToolCall, GarbageNeverCrashes) {
  // Deterministic pseudo-random byte soup around the markers.
  uint64_t s = 12345;
  const std::string alphabet = "[](){}'\",=:.-+_0123456789eExabTrueFalsNn \\\n<|>tool_call_startend";
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text = "<|tool_call_start|>";
    const int len = iter % 60;
    for (int i = 0; i < len; ++i) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      text += alphabet[(s >> 33) % alphabet.size()];
    }
    if (iter % 3) text += "<|tool_call_end|>";
    auto r = parse_tool_calls(text);
    if (r.error) {
      EXPECT_TRUE(r.calls.empty());
    }
  }
}

TEST(ToolCall, FormatAndOpenAiRoundTrip) {
  std::vector<ToolCall> calls(2);
  calls[0].name = "get_disk_usage";
  calls[0].arguments = ojson::parse(R"({"mount":"/var","opts":{"deep":true,"n":null,"x":[1.5,"a\"b"]}})");
  calls[1].name = "ping";
  const std::string text = format_tool_calls(calls);
  EXPECT_EQ(text, "<|tool_call_start|>[get_disk_usage(mount=\"/var\", opts={\"deep\": True, \"n\": None, \"x\": [1.5, \"a\\\"b\"]}), "
                  "ping()]<|tool_call_end|>");
  auto back = ok(text);
  ASSERT_EQ(back.calls.size(), 2u);
  EXPECT_EQ(back.calls[0].arguments, calls[0].arguments);
  EXPECT_EQ(back.calls[1].name, "ping");

  const ojson oa = tool_calls_to_openai(back.calls, "call_");
  ASSERT_EQ(oa.size(), 2u);
  EXPECT_EQ(oa[0]["id"], "call_0");
  EXPECT_EQ(oa[0]["type"], "function");
  EXPECT_EQ(oa[0]["function"]["name"], "get_disk_usage");
  EXPECT_EQ(ojson::parse(oa[0]["function"]["arguments"].get<std::string>()), calls[0].arguments);
  EXPECT_EQ(oa[1]["function"]["arguments"], "{}");
  const auto again = tool_calls_from_openai(oa);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].arguments, calls[0].arguments);
  EXPECT_EQ(format_tool_calls({}), "");
}

TEST(ToolCall, FromOpenAiRejectsBadShapes) {
  EXPECT_THROW(tool_calls_from_openai(ojson::object()), pocketops::Error);
  EXPECT_THROW(tool_calls_from_openai(ojson::parse(R"([{"function":{"arguments":"{}"}}])")), pocketops::Error);
  EXPECT_THROW(tool_calls_from_openai(ojson::parse(R"([{"function":{"name":"f","arguments":"[1]"}}])")), pocketops::Error);
  EXPECT_THROW(tool_calls_from_openai(ojson::parse(R"([{"function":{"name":"f x","arguments":"{}"}}])")), pocketops::Error);
  EXPECT_THROW(tool_calls_from_openai(ojson::parse(R"([{"function":{"name":"f","arguments":"{\"a b\":1}"}}])")), pocketops::Error);
  EXPECT_THROW(tool_calls_from_openai(ojson::parse("[{\"function\":{\"name\":\"f\",\"arguments\":\"" + std::string(100000, '[') + "\"}}]")),
               pocketops::Error);
  // Object arguments are accepted as they are.
  auto c = tool_calls_from_openai(ojson::parse(R"([{"function":{"name":"f","arguments":{"a":1}}}])"));
  EXPECT_EQ(c[0].arguments["a"], 1);
}

TEST(ToolCall, ToolMessage) {
  EXPECT_EQ(make_tool_message("97%"), ojson::parse(R"({"role":"tool","content":"97%"})"));
  const auto m = make_tool_message(ojson::parse(R"({"mount":"/var","used_pct":97})"), "call_0");
  EXPECT_EQ(m["content"], "{\"mount\": \"/var\", \"used_pct\": 97}");
  EXPECT_EQ(m["tool_call_id"], "call_0");
}
