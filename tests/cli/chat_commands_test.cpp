// run / chat as a user drives them: stdin in and only the answer out, exact
// JSON documents with --json-schema, tool-call JSON, multi-turn chat whose
// stats show the reused prefix, and clear errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_support.h"

using namespace pocketops::testing;

TEST(CliRun, StdinInAnswerOut) {
  POCKETOPS_REQUIRE_FIXTURES();
  const std::string m = fixture_model("tiny-q4_k_m");
  auto a = cli("run -m " + m + " -n 8 --temp 0", false, "Why is /var full?\n");
  auto b = cli("run -m " + m + " -n 8 --temp 0 -p 'Why is /var full?'", false);
  ASSERT_EQ(a.rc, 0) << a.out;
  EXPECT_EQ(a.out, b.out);           // stdin and -p are the same prompt
  EXPECT_EQ(a.out.find("prompt"), std::string::npos);  // stats went to stderr
  auto v = cli("run -m " + m + " -n 4 --temp 0 -v -p hi");
  EXPECT_NE(v.out.find("<|im_start|>user\nhi<|im_end|>"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("stop: length"), std::string::npos) << v.out;
  auto e = cli("run -m " + m, true, "");
  EXPECT_EQ(e.rc, 1);
  EXPECT_NE(e.out.find("empty prompt"), std::string::npos) << e.out;
}

TEST(CliRun, JsonSchemaStdoutIsExactlyTheDocument) {
  POCKETOPS_REQUIRE_FIXTURES();
  const std::string schema = tmp_path("schema.json");
  std::ofstream(schema) << R"({"type":"object","properties":{"severity":{"enum":["low","high"]},
    "host":{"type":"string","maxLength":20},"retry":{"type":"boolean"}},"required":["severity","host","retry"]})";
  for (int seed = 1; seed <= 6; ++seed) {
    auto r = cli("run -m " + fixture_model("tiny-q4_0") + " --temp 1 --seed " + std::to_string(seed) +
                     " -n 200 -p 'disk full on db02' --json-schema " + schema,
                 false);
    ASSERT_EQ(r.rc, 0) << r.out;
    nlohmann::json j = nlohmann::json::parse(r.out);  // the whole stdout parses
    EXPECT_TRUE(j["severity"] == "low" || j["severity"] == "high");
    EXPECT_TRUE(j["host"].is_string());
    EXPECT_TRUE(j["retry"].is_boolean());
  }
  auto mode = cli("run -m " + fixture_model("tiny-q4_0") + " --temp 1 --seed 5 -n 120 -p x --json", false);
  ASSERT_EQ(mode.rc, 0);
  EXPECT_TRUE(nlohmann::json::parse(mode.out).is_object());
  std::ofstream(schema) << R"({"type":"object","properties":{"a":{"type":"string","format":"date"}}})";
  auto bad = cli("run -m " + fixture_model("tiny-q4_0") + " -p x --json-schema " + schema);
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("format"), std::string::npos) << bad.out;
  std::ofstream(schema) << "{not json";
  bad = cli("run -m " + fixture_model("tiny-q4_0") + " -p x --json-schema " + schema);
  EXPECT_EQ(bad.rc, 1);
  std::remove(schema.c_str());
}

TEST(CliRun, ToolsGiveStructuredJson) {
  POCKETOPS_REQUIRE_FIXTURES();
  const std::string tools = tmp_path("tools.json");
  std::ofstream(tools) << R"([{"type":"function","function":{"name":"disk_usage","description":"df for a host",
    "parameters":{"type":"object","properties":{"host":{"type":"string"}},"required":["host"]}}}])";
  auto r = cli("run -m " + fixture_model("tiny-q4_0") + " -n 6 --temp 0 -p 'check db02' --tools " + tools, false);
  ASSERT_EQ(r.rc, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.contains("content"));
  EXPECT_TRUE(j["tool_calls"].is_array());
  std::ofstream(tools) << "[1,2";
  auto bad = cli("run -m " + fixture_model("tiny-q4_0") + " -p x --tools " + tools);
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(bad.out.rfind("error: " + tools, 0), 0u) << bad.out;
  std::remove(tools.c_str());
}

TEST(CliChat, MultiTurnReusesPrefixAndSaves) {
  POCKETOPS_REQUIRE_FIXTURES();
  const std::string saved = tmp_path("conv.json");
  auto r = cli("chat -m " + fixture_model("tiny-q4_k_m") + " -n 6 --temp 0 -s 'Be terse.'", true,
               "first question\nsecond \\\nline two\n/save " + saved + "\n/reset\nthird\n");
  ASSERT_EQ(r.rc, 0) << r.out;
  // "[prompt N tokens, M reused" per turn (scanned, not std::regex: GCC 12
  // warns inside <regex> under the sanitizers)
  std::vector<std::pair<int, int>> turns;
  for (size_t at = r.out.find("[prompt "); at != std::string::npos; at = r.out.find("[prompt ", at + 1)) {
    int prompt = 0, reused = 0;
    if (std::sscanf(r.out.c_str() + at, "[prompt %d tokens, %d reused", &prompt, &reused) == 2)
      turns.emplace_back(prompt, reused);
  }
  ASSERT_EQ(turns.size(), 3u) << r.out;
  EXPECT_EQ(turns[0].second, 0);
  EXPECT_GT(turns[1].second, turns[0].first / 2);  // turn 2 only prefilled the new text
  EXPECT_LT(turns[1].first - turns[1].second, turns[1].first);
  auto j = nlohmann::json::parse(std::ifstream(saved));
  ASSERT_EQ(j.size(), 5u);  // system + 2 x (user, assistant)
  EXPECT_EQ(j[0]["role"], "system");
  EXPECT_EQ(j[3]["content"], "second \nline two");
  std::remove(saved.c_str());
}
