// Conformance with the reference engine: every line of
// fixtures/tokenizer/expected.jsonl, all four encode variants plus roundtrip.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gguf/gguf_reader.h"
#include "support/fixtures.h"
#include "tokenizer/tokenizer.h"

using pocketops::tokenizer::TokenType;
using pocketops::tokenizer::Tokenizer;

namespace {

struct Loaded {
  std::unique_ptr<pocketops::gguf::File> file;
  std::unique_ptr<Tokenizer> tok;
};

const Loaded& fixture_tokenizer() {
  static Loaded l = [] {
    Loaded r;
    r.file = pocketops::gguf::File::open(pocketops::testing::fixtures_dir() + "/models/tiny-f32.gguf");
    r.tok = std::make_unique<Tokenizer>(Tokenizer::from_gguf(*r.file));
    return r;
  }();
  return l;
}

std::vector<nlohmann::json> fixture_lines() {
  std::ifstream in(pocketops::testing::fixtures_dir() + "/tokenizer/expected.jsonl");
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string show(const std::vector<int32_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

}  // namespace

TEST(TokenizerFixture, Metadata) {
  POCKETOPS_REQUIRE_FIXTURES();
  const Tokenizer& t = *fixture_tokenizer().tok;
  EXPECT_EQ(t.n_vocab(), 4112);
  EXPECT_EQ(t.bos(), 4097);
  EXPECT_EQ(t.eos(), 4103);
  EXPECT_TRUE(t.add_bos());
  EXPECT_EQ(t.find_token("<|im_end|>"), std::optional<int32_t>(4103));
  EXPECT_EQ(t.find_token("<|im_start|>"), std::optional<int32_t>(4102));
  EXPECT_FALSE(t.find_token("definitely not a token").has_value());
  EXPECT_TRUE(t.is_control(4103));
  EXPECT_EQ(t.type(4111), TokenType::Control);
  EXPECT_FALSE(t.is_control(65));
  EXPECT_EQ(t.token_bytes(32), " ");  // 'Ġ' decodes to the space byte
  EXPECT_EQ(t.token_bytes(4103), "<|im_end|>");
  EXPECT_EQ(t.all_token_bytes().size(), 4112u);
  EXPECT_GT(t.n_merges(), 3000u);
}

TEST(TokenizerFixture, EveryLineEveryVariant) {
  POCKETOPS_REQUIRE_FIXTURES();
  const Tokenizer& t = *fixture_tokenizer().tok;
  const auto lines = fixture_lines();
  ASSERT_GE(lines.size(), 60u);
  int checked = 0;
  for (const auto& j : lines) {
    const std::string text = j.at("text").get<std::string>();
    const std::string where = "line id " + std::to_string(j.at("id").get<int>());
    const auto ids = j.at("ids").get<std::vector<int32_t>>();
    const auto ids_no_bos = j.at("ids_no_bos").get<std::vector<int32_t>>();
    const auto ids_ps = j.at("ids_parse_special").get<std::vector<int32_t>>();
    const auto ids_ps_no_bos = j.at("ids_parse_special_no_bos").get<std::vector<int32_t>>();

    EXPECT_EQ(show(t.encode(text, true, false)), show(ids)) << where;
    EXPECT_EQ(show(t.encode(text)), show(ids)) << where << " (metadata add_bos)";
    EXPECT_EQ(show(t.encode(text, false, false)), show(ids_no_bos)) << where;
    EXPECT_EQ(show(t.encode(text, true, true)), show(ids_ps)) << where;
    EXPECT_EQ(show(t.encode(text, false, true)), show(ids_ps_no_bos)) << where;
    if (j.at("roundtrip_equal").get<bool>()) {
      EXPECT_EQ(t.decode(ids_no_bos), text) << where;
      // Special tokens rendered as text give the original back too.
      EXPECT_EQ(t.decode(ids_ps_no_bos, true), text) << where;
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(lines.size()));
}

TEST(TokenizerFixture, SpecialTextWithoutParseSpecialIsPlainText) {
  POCKETOPS_REQUIRE_FIXTURES();
  const Tokenizer& t = *fixture_tokenizer().tok;
  const auto plain = t.encode("<|im_end|>", false, false);
  const auto special = t.encode("<|im_end|>", false, true);
  ASSERT_EQ(special.size(), 1u);
  EXPECT_EQ(special[0], 4103);
  EXPECT_GT(plain.size(), 1u);
  for (int32_t id : plain) EXPECT_FALSE(t.is_control(id));
  EXPECT_EQ(t.decode(plain), "<|im_end|>");
  EXPECT_EQ(t.decode(special), "");  // control tokens are hidden unless asked
  EXPECT_EQ(t.decode(special, true), "<|im_end|>");
}
