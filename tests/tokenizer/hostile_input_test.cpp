// Hostile inputs: invalid UTF-8, NUL bytes, huge lines, empty text, random
// bytes; nothing may crash or take long, and valid text must roundtrip.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "support/fixtures.h"
#include "synthetic_vocab.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/utf8.h"

using namespace pocketops::tokenizer;
using tokenizer_test::SynthVocab;

namespace {

// The fixture tokenizer when present (a real 3840-merge vocabulary), else a
// small synthetic one with a BOS token as the real vocabulary has (the
// tests below encode with add_bos and expect it first).
const Tokenizer& any_tokenizer() {
  static const Tokenizer t = [] {
    if (pocketops::testing::have_fixtures()) {
      auto f = pocketops::gguf::File::open(pocketops::testing::fixtures_dir() + "/models/tiny-f32.gguf");
      return Tokenizer::from_gguf(*f);
    }
    SynthVocab v;
    v.merge("a", "a");
    v.merge(" ", "t");
    v.merge(" t", "h");
    v.merge("e", "r");
    v.bos = v.add("<|startoftext|>", 3);
    v.add("<|im_end|>", 3);
    return v.build();
  }();
  return t;
}

// What the tokenizer sees after the reference engine's lenient UTF-8 decoding.
std::string cleaned(const std::string& s) {
  std::string out;
  for (uint32_t cp : decode_utf8_lenient(s)) append_utf8(out, cp);
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST(TokenizerHostile, EmptyText) {
  const Tokenizer& t = any_tokenizer();
  EXPECT_TRUE(t.encode("", false, false).empty());
  EXPECT_TRUE(t.encode("", false, true).empty());
  EXPECT_EQ(t.decode({}), "");
}

TEST(TokenizerHostile, InvalidUtf8AndNulBytes) {
  const Tokenizer& t = any_tokenizer();
  const std::vector<std::string> inputs = {
      "\xFF", "\xFE\xFF", "\x80", "abc\xC3", "\xC3(", "\xE2\x28\xA1", "\xF0\x28\x8C\xBC", "\xF8\xA1\xA1\xA1\xA1",
      "\xED\xA0\x80", "\xC0\x80", "\xF4\x90\x80\x80", std::string("\0", 1), std::string("a\0\0b\0", 5),
      std::string("<|im_end|>\0<|im_end|>", 21), "\xEF\xBF\xBD", "'", "'\xFF", " \xFF\xFF\n\xFF"};
  for (const auto& s : inputs) {
    for (bool ps : {false, true}) {
      const auto ids = t.encode(s, true, ps);
      for (int32_t id : ids) ASSERT_TRUE(id >= 0 && id < t.n_vocab());
      ASSERT_FALSE(ids.empty());
      ASSERT_EQ(ids[0], t.bos());
      EXPECT_EQ(t.decode(std::vector<int32_t>(ids.begin() + 1, ids.end()), ps), cleaned(s));
    }
  }
}

TEST(TokenizerHostile, RandomBytesNeverCrash) {
  const Tokenizer& t = any_tokenizer();
  std::mt19937 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    std::string s(rng() % 200, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
    const auto ids = t.encode(s, false, iter % 2 == 0);
    EXPECT_EQ(t.decode(ids, true), cleaned(s));
    StreamDecoder sd(t, true);
    std::string streamed;
    for (int32_t id : ids) {
      std::string part = sd.push(id);
      ASSERT_TRUE(is_valid_utf8(part));
      streamed += part;
    }
    streamed += sd.flush();
    EXPECT_TRUE(is_valid_utf8(streamed));
  }
}

TEST(TokenizerHostile, ValidTextRoundtrips) {
  const Tokenizer& t = any_tokenizer();
  const std::vector<std::string> pieces = {"a", "the", " ", "  ", "\n", "\t", "7", "42", "é", "ß", "中文", "😀",
                                           "'s", "'LL", "!", "...", "\r\n", "\u00a0", "\u0085", "<|", "|>", "im_end"};
  std::mt19937 rng(99);
  for (int iter = 0; iter < 500; ++iter) {
    std::string s;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    EXPECT_EQ(t.decode(t.encode(s, false, false)), s);
    EXPECT_EQ(t.decode(t.encode(s, true, true), true), s.empty() ? t.token_bytes(t.bos()) : t.token_bytes(t.bos()) + s);
  }
}

TEST(TokenizerHostile, MegabyteLinesAreFast) {
  const Tokenizer& t = any_tokenizer();
  const size_t n = 1 << 20;
  const std::vector<std::string> lines = {
      std::string(n, 'a'),        // one giant word
      std::string(n, ' '),        // one giant whitespace run
      std::string(n, '7'),        // digits in threes
      std::string(n, '!'),        // one giant punctuation run
      [&] {                       // realistic log text
        std::string s;
        while (s.size() < n) s += "Nov 23 18:10:14 web-01 sshd[4242]: Failed password for admin from 203.0.113.7 ";
        return s;
      }(),
      [&] {                       // random bytes
        std::string s(n, '\0');
        std::mt19937 rng(3);
        for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
        return s;
      }(),
  };
  for (const auto& s : lines) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto ids = t.encode(s, false, true);
    const double secs = seconds_since(t0);
    EXPECT_FALSE(ids.empty());
    EXPECT_LT(secs, 10.0) << "encoding 1 MB took " << secs << " s";
    EXPECT_EQ(t.decode(ids).size(), cleaned(s).size());
  }
}

TEST(TokenizerHostile, ManySpecialTokensInText) {
  const Tokenizer& t = any_tokenizer();
  std::string s;
  for (int i = 0; i < 20000; ++i) s += "<|im_end|>x";
  const auto t0 = std::chrono::steady_clock::now();
  const auto ids = t.encode(s, false, true);
  EXPECT_LT(seconds_since(t0), 10.0);
  const int32_t im_end = *t.find_token("<|im_end|>");
  EXPECT_EQ(std::count(ids.begin(), ids.end(), im_end), 20000);
  EXPECT_EQ(t.decode(ids, true), s);
}
