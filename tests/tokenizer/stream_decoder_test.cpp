// Streaming detokenization: multi-byte characters split across tokens are held
// back until complete; invalid bytes become U+FFFD; flush emits the rest.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "synthetic_vocab.h"
#include "tokenizer/utf8.h"

using namespace pocketops::tokenizer;
using tokenizer_test::SynthVocab;

TEST(StreamDecoder, HoldsBackSplitCharacters) {
  SynthVocab v;  // bytes only: every byte of "é€😀" is its own token
  const int32_t ctl = v.add("<|end|>", 3);
  auto t = v.build();
  const std::string text = "é€😀!";
  const auto ids = t.encode(text, false, false);
  ASSERT_EQ(ids.size(), text.size());
  StreamDecoder sd(t);
  std::vector<std::string> outs;
  for (int32_t id : ids) outs.push_back(sd.push(id));
  // é = C3 A9, € = E2 82 AC, 😀 = F0 9F 98 80
  const std::vector<std::string> want = {"", "é", "", "", "€", "", "", "", "😀", "!"};
  EXPECT_EQ(outs, want);
  EXPECT_EQ(sd.pending(), 0u);
  EXPECT_EQ(sd.flush(), "");
  EXPECT_EQ(sd.push(ctl), "");  // control tokens hidden by default
  StreamDecoder shown(t, /*render_special=*/true);
  EXPECT_EQ(shown.push(ctl), "<|end|>");
}

TEST(StreamDecoder, MergedTokensSpanningCharacters) {
  SynthVocab v;
  const int32_t x_e2 = v.merge("x", "\xE2");     // "x" + first byte of €
  const int32_t b82_ac = v.merge("\x82", "\xAC");  // the rest of €
  auto t = v.build();
  StreamDecoder sd(t);
  EXPECT_EQ(sd.push(x_e2), "x");
  EXPECT_EQ(sd.pending(), 1u);
  EXPECT_EQ(sd.push(b82_ac), "€");
}

TEST(StreamDecoder, InvalidAndTruncatedBytes) {
  SynthVocab v;
  auto t = v.build();
  StreamDecoder sd(t);
  EXPECT_EQ(sd.push(0xFF), "\xEF\xBF\xBD");
  EXPECT_EQ(sd.push('a'), "a");
  EXPECT_EQ(sd.push(0xE2), "");
  EXPECT_EQ(sd.push('b'), "\xEF\xBF\xBD" "b");  // broken sequence: one U+FFFD, then b
  EXPECT_EQ(sd.push(0xF0), "");
  EXPECT_EQ(sd.push(0x9F), "");
  EXPECT_EQ(sd.flush(), "\xEF\xBF\xBD");  // incomplete at the end
  EXPECT_EQ(sd.pending(), 0u);
  EXPECT_EQ(sd.push(0xED), "");
  EXPECT_EQ(sd.push(0xA0), "\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate half: not valid UTF-8
  EXPECT_EQ(sd.push(0xC0), "\xEF\xBF\xBD");              // overlong lead byte
}

TEST(StreamDecoder, DrainUtf8) {
  std::string p = "ok\xE2\x82";
  EXPECT_EQ(drain_utf8(p, false), "ok");
  EXPECT_EQ(p, "\xE2\x82");
  p += "\xAC";
  EXPECT_EQ(drain_utf8(p, false), "€");
  EXPECT_TRUE(p.empty());
  p = "\x80\x80";
  EXPECT_EQ(drain_utf8(p, false), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(is_valid_utf8("héllo 😀"));
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));
}

TEST(StreamDecoder, FixtureTokensStreamToTheSameText) {
  POCKETOPS_REQUIRE_FIXTURES();
  auto f = pocketops::gguf::File::open(pocketops::testing::fixtures_dir() + "/models/tiny-f32.gguf");
  auto t = Tokenizer::from_gguf(*f);
  std::ifstream in(pocketops::testing::fixtures_dir() + "/tokenizer/expected.jsonl");
  std::string line;
  int held_back = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    const std::string text = j.at("text").get<std::string>();
    StreamDecoder sd(t);
    std::string got;
    for (int32_t id : j.at("ids_no_bos").get<std::vector<int32_t>>()) {
      std::string part = sd.push(id);
      EXPECT_TRUE(is_valid_utf8(part)) << text;
      if (sd.pending() > 0) ++held_back;
      got += part;
    }
    got += sd.flush();
    EXPECT_EQ(got, text);
  }
  EXPECT_GT(held_back, 5);  // the fixture has characters split across tokens
}
