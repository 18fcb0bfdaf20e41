// A tokenizer built from tiny in-memory vocabularies: merge order, ignore_merges,
// byte mapping, special-token splitting, BOS handling and load-time validation.
#include <gtest/gtest.h>

#include "common/error.h"
#include "synthetic_vocab.h"

using pocketops::tokenizer::TokenType;
using tokenizer_test::SynthVocab;
using V = std::vector<int32_t>;

TEST(TokenizerSynthetic, LowestRankMergesFirst) {
  SynthVocab v;
  const int32_t ab = v.merge("a", "b");  // rank 0
  const int32_t bc = v.merge("b", "c");  // rank 1
  auto t = v.build();
  EXPECT_EQ(t.encode("abc", false, false), (V{ab, 'c'}));

  SynthVocab w;
  const int32_t bc2 = w.merge("b", "c");  // now rank 0
  const int32_t ab2 = w.merge("a", "b");
  auto t2 = w.build();
  EXPECT_EQ(t2.encode("abc", false, false), (V{'a', bc2}));
  (void)bc;
  (void)ab2;
}

TEST(TokenizerSynthetic, MergesChainAndTiesGoLeftmost) {
  SynthVocab v;
  const int32_t aa = v.merge("a", "a");
  const int32_t aaaa = v.merge("aa", "aa");
  auto t = v.build();
  EXPECT_EQ(t.encode("aaa", false, false), (V{aa, 'a'}));
  EXPECT_EQ(t.encode("aaaa", false, false), (V{aaaa}));
  EXPECT_EQ(t.encode("aaaaa", false, false), (V{aaaa, 'a'}));
  EXPECT_EQ(t.encode("aaaaaaa", false, false), (V{aaaa, aa, 'a'}));
  EXPECT_EQ(t.n_merges(), 2u);
}

TEST(TokenizerSynthetic, DuplicateMergeKeepsFirstRank) {
  SynthVocab v;
  const int32_t xy = v.merge("x", "y");        // rank 0
  const int32_t yz = v.merge("y", "z");        // rank 1
  v.merges.push_back("y z");                   // duplicate at rank 2: ignored
  v.merges.insert(v.merges.begin(), "y z");    // ...but a copy at rank 0 wins over "x y"
  auto t = v.build();
  EXPECT_EQ(t.encode("xyz", false, false), (V{'x', yz}));
  (void)xy;
}

TEST(TokenizerSynthetic, WholeWordInVocabSkipsMerges) {
  SynthVocab v;
  const int32_t hello = v.add("hello");  // no merges lead to it
  auto t = v.build();
  EXPECT_EQ(t.encode("hello", false, false), (V{hello}));
  EXPECT_EQ(t.encode("hellos", false, false), (V{'h', 'e', 'l', 'l', 'o', 's'}));
  // The pre-tokenizer splits " hello" off "x": the word is " hello", not in vocab.
  EXPECT_EQ(t.encode("x hello", false, false), (V{'x', ' ', 'h', 'e', 'l', 'l', 'o'}));
}

TEST(TokenizerSynthetic, ByteMappingOfSpacesAndHighBytes) {
  SynthVocab v;
  const int32_t sp_a = v.merge(" ", "a");
  const int32_t sp_ab = v.merge(" a", "b");
  const int32_t e_acute = v.merge("\xC3", "\xA9");  // "é"
  auto t = v.build();
  EXPECT_EQ(t.token_text(' '), "\xC4\xA0");  // 'Ġ'
  EXPECT_EQ(t.token_bytes(sp_ab), " ab");
  EXPECT_EQ(t.encode("x ab", false, false), (V{'x', sp_ab}));
  EXPECT_EQ(t.encode("é", false, false), (V{e_acute}));
  EXPECT_EQ(t.decode({sp_a, 'b', e_acute}), " abé");
  EXPECT_EQ(t.decode(t.encode("\n\t\x01\xFF", false, false)), "\n\t\x01\xEF\xBF\xBD");
}

TEST(TokenizerSynthetic, MergeResultOutsideVocabFallsBackToBytes) {
  SynthVocab v;
  v.merge("q", "r", /*add_result=*/false);
  auto t = v.build();
  // The reference engine looks up each byte of the missing piece's text.
  EXPECT_EQ(t.encode("qr", false, false), (V{'q', 'r'}));
}

TEST(TokenizerSynthetic, SpecialTokensLongestFirstAndUserDefinedAlways) {
  SynthVocab v;
  const int32_t ctl = v.add("<|c|>", 3);
  const int32_t ud = v.add("<u>", 4);
  const int32_t ud_long = v.add("<u>x", 4);
  auto t = v.build();
  EXPECT_EQ(t.type(ctl), TokenType::Control);
  EXPECT_EQ(t.type(ud), TokenType::UserDefined);
  // User-defined tokens are split out even without parse_special.
  EXPECT_EQ(t.encode("a<u>b", false, false), (V{'a', ud, 'b'}));
  EXPECT_EQ(t.encode("<u>x<u>", false, false), (V{ud_long, ud}));
  // Control tokens only with parse_special.
  EXPECT_EQ(t.encode("<|c|>", false, true), (V{ctl}));
  const V plain = t.encode("<|c|>", false, false);
  EXPECT_EQ(plain.size(), 5u);
  EXPECT_EQ(t.decode(plain), "<|c|>");
  EXPECT_EQ(t.encode("<|c|><|c|>z<|c|", false, true), (V{ctl, ctl, 'z', '<', '|', 'c', '|'}));
  EXPECT_EQ(t.decode({ctl, 'z', ud}), "z<u>");
  EXPECT_EQ(t.decode({ctl, 'z', ud}, true), "<|c|>z<u>");
}

TEST(TokenizerSynthetic, BosFromMetadataAndOverride) {
  SynthVocab v;
  const int32_t bos = v.add("<s>", 3);
  v.bos = bos;
  v.add_bos = false;
  auto t = v.build();
  EXPECT_FALSE(t.add_bos());
  EXPECT_EQ(t.encode("a"), (V{'a'}));
  EXPECT_EQ(t.encode("a", true, false), (V{bos, 'a'}));
  EXPECT_EQ(t.encode("", true, false), (V{bos}));
  v.add_bos = true;
  auto t2 = v.build();
  EXPECT_EQ(t2.encode("a"), (V{bos, 'a'}));
  EXPECT_EQ(t2.bos(), bos);
  EXPECT_EQ(t2.eos(), -1);
  EXPECT_EQ(t2.pad(), -1);
}

TEST(TokenizerSynthetic, DecodeRejectsBadIds) {
  SynthVocab v;
  auto t = v.build();
  EXPECT_THROW(t.decode({0, 256}), pocketops::Error);
  EXPECT_THROW(t.decode({-1}), pocketops::Error);
  EXPECT_THROW(t.token_bytes(1000), pocketops::Error);
  EXPECT_THROW(t.type(-5), pocketops::Error);
  pocketops::tokenizer::StreamDecoder sd(t);
  EXPECT_THROW(sd.push(99999), pocketops::Error);
  EXPECT_EQ(t.decode({}), "");
}

TEST(TokenizerSynthetic, AllTokenBytes) {
  SynthVocab v;
  const int32_t ctl = v.add("<|c|>", 3);
  const int32_t ab = v.merge(" ", "b");
  auto t = v.build();
  const auto& all = t.all_token_bytes();
  ASSERT_EQ(static_cast<int32_t>(all.size()), t.n_vocab());
  for (int b = 0; b < 256; ++b) EXPECT_EQ(all[b], std::string(1, static_cast<char>(b)));
  EXPECT_EQ(all[ctl], "<|c|>");
  EXPECT_EQ(all[ab], " b");
}

namespace {
std::string load_error(const SynthVocab& v) {
  try {
    v.build();
  } catch (const pocketops::Error& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST(TokenizerSynthetic, LoadErrorsNameTheProblem) {
  {
    SynthVocab v;
    v.merges.push_back("a nosuchtoken");
    EXPECT_NE(load_error(v).find("unknown token 'nosuchtoken'"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.merges.push_back("nosuch a");
    EXPECT_NE(load_error(v).find("merge 0 references unknown token"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.merges.push_back("ab");
    EXPECT_NE(load_error(v).find("not of the form"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.types.pop_back();
    EXPECT_NE(load_error(v).find("token_type' has 255 entries but there are 256 tokens"), std::string::npos)
        << load_error(v);
  }
  {
    SynthVocab v;
    v.types[7] = 42;
    EXPECT_NE(load_error(v).find("token 7 has unknown type 42"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.bos = 256;
    EXPECT_NE(load_error(v).find("bos id 256 is out of range"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.eos = 100000;
    EXPECT_NE(load_error(v).find("eos id 100000 is out of range"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.model = "llama";
    EXPECT_NE(load_error(v).find("unsupported tokenizer model 'llama'"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.pre = "qwen2";
    EXPECT_NE(load_error(v).find("unsupported pre-tokenizer 'qwen2'"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.add_bos = true;  // but no bos id
    EXPECT_NE(load_error(v).find("no bos_token_id"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.tokens.clear();
    v.types.clear();
    EXPECT_NE(load_error(v).find("0 entries"), std::string::npos) << load_error(v);
  }
  {
    SynthVocab v;
    v.write_types = false;  // optional: all tokens normal
    EXPECT_EQ(load_error(v), "(no error)");
  }
}

TEST(TokenizerSynthetic, LoadErrorsOnWrongMetadataTypes) {
  SynthVocab v;
  auto bytes_with = [&](const std::string& key, pocketops::gguf::Value val) {
    pocketops::gguf::Writer w;
    w.set("tokenizer.ggml.model", pocketops::gguf::make_string("gpt2"));
    w.set("tokenizer.ggml.pre", pocketops::gguf::make_string("lfm2"));
    w.set("tokenizer.ggml.tokens", pocketops::gguf::make_string_array(v.tokens));
    w.set(key, std::move(val));
    return w.to_bytes();
  };
  auto error_of = [](const std::vector<uint8_t>& b) -> std::string {
    try {
      auto f = pocketops::gguf::File::from_bytes(b.data(), b.size());
      pocketops::tokenizer::Tokenizer::from_gguf(*f);
    } catch (const pocketops::Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_NE(error_of(bytes_with("tokenizer.ggml.token_type", pocketops::gguf::make_string_array({"1"}))).find("expected integers"),
            std::string::npos);
  EXPECT_NE(error_of(bytes_with("tokenizer.ggml.merges", pocketops::gguf::make_i32_array({1, 2}))).find("expected strings"),
            std::string::npos);
  EXPECT_NE(error_of(bytes_with("tokenizer.ggml.merges", pocketops::gguf::make_u32(3))).find("should be an array"),
            std::string::npos);
  pocketops::gguf::Writer w;  // no tokenizer at all
  w.set("general.architecture", pocketops::gguf::make_string("lfm2"));
  EXPECT_NE(error_of(w.to_bytes()).find("tokenizer.ggml.model"), std::string::npos);
}
