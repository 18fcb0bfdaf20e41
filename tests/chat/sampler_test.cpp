// Sampler tests: greedy/argmax ties, seed determinism, top-k/top-p/min-p
// behaviour, penalties on the right logits, masks, distribution sanity against
// softmax, GGUF defaults and parameter validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

#include "chat/sampler.h"
#include "common/error.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_value.h"
#include "gguf/gguf_writer.h"
#include "support/fixtures.h"

using pocketops::chat::Sampler;
using pocketops::chat::SamplingParams;

namespace {

std::vector<float> random_logits(int n, uint64_t seed, float scale = 3.0f) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    v[i] = scale * (static_cast<float>((seed >> 40) & 0xFFFFFF) / 16777216.0f * 2.0f - 1.0f);
  }
  return v;
}

SamplingParams plain(float temp) {
  SamplingParams p;
  p.temperature = temp;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.repeat_penalty = 1.0f;
  return p;
}

}  // namespace

TEST(Sampler, DefaultsAreTheModelCardRecommendations) {
  SamplingParams p;
  EXPECT_FLOAT_EQ(p.temperature, 0.1f);
  EXPECT_EQ(p.top_k, 50);
  EXPECT_FLOAT_EQ(p.top_p, 0.1f);
  EXPECT_FLOAT_EQ(p.repeat_penalty, 1.05f);
}

TEST(Sampler, GreedyPicksArgmaxLowestIdOnTies) {
  std::vector<float> l = {0.5f, 2.0f, -1.0f, 2.0f, 1.9f};
  Sampler s(plain(0.0f), 5);
  EXPECT_EQ(s.sample(l.data()), 1);
  l[1] = std::nanf("");
  EXPECT_EQ(s.sample(l.data()), 3);
  const auto big = random_logits(65536, 7);
  Sampler g(plain(0.0f), 65536);
  int32_t expect = 0;
  for (int i = 1; i < 65536; ++i)
    if (big[i] > big[expect]) expect = i;
  EXPECT_EQ(g.sample(big.data()), expect);
}

TEST(Sampler, TopKOneEqualsGreedy) {
  for (uint64_t seed = 1; seed < 20; ++seed) {
    const auto l = random_logits(1000, seed);
    SamplingParams p = plain(1.5f);
    p.top_k = 1;
    p.seed = seed;
    Sampler k1(p, 1000), greedy(plain(0.0f), 1000);
    EXPECT_EQ(k1.sample(l.data()), greedy.sample(l.data()));
  }
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDiffers) {
  const auto l = random_logits(4096, 3, 1.0f);
  SamplingParams p = plain(1.0f);
  p.seed = 42;
  Sampler a(p, 4096), b(p, 4096);
  std::vector<int32_t> ta, tb;
  for (int i = 0; i < 200; ++i) {
    ta.push_back(a.sample(l.data()));
    tb.push_back(b.sample(l.data()));
  }
  EXPECT_EQ(ta, tb);
  a.reset();
  std::vector<int32_t> tc;
  for (int i = 0; i < 200; ++i) tc.push_back(a.sample(l.data()));
  EXPECT_EQ(ta, tc);
  p.seed = 43;
  Sampler c(p, 4096);
  std::vector<int32_t> td;
  for (int i = 0; i < 200; ++i) td.push_back(c.sample(l.data()));
  EXPECT_NE(ta, td);
}

TEST(Sampler, MaskedTokensAreNeverSampled) {
  const int n = 512;
  auto l = random_logits(n, 11);
  l[5] = 100.0f;  // the favourite is masked out
  std::vector<uint8_t> mask(n, 0);
  for (int i = 0; i < n; i += 7) mask[i] = 1;
  mask[5] = 0;
  for (float t : {0.0f, 0.7f, 5.0f}) {
    SamplingParams p = plain(t);
    p.seed = 9;
    Sampler s(p, n);
    for (int i = 0; i < 500; ++i) {
      const int32_t tok = s.sample(l.data(), mask.data());
      ASSERT_TRUE(mask[tok]) << "token " << tok << " at temperature " << t;
    }
  }
  std::vector<uint8_t> none(n, 0);
  Sampler s(plain(1.0f), n);
  EXPECT_THROW(s.sample(l.data(), none.data()), pocketops::Error);
  std::vector<float> ninf(n, -std::numeric_limits<float>::infinity());
  EXPECT_THROW(s.sample(ninf.data()), pocketops::Error);
}

TEST(Sampler, DistributionMatchesSoftmax) {
  const std::vector<float> l = {1.0f, 0.0f, 2.0f, -1.0f, 0.5f};
  const float temp = 0.8f;
  SamplingParams p = plain(temp);
  p.seed = 2024;
  Sampler s(p, 5);
  std::vector<int> counts(5, 0);
  const int draws = 200000;
  for (int i = 0; i < draws; ++i) counts[s.sample(l.data())]++;
  double z = 0;
  for (float x : l) z += std::exp(x / temp);
  for (int i = 0; i < 5; ++i) {
    const double expect = std::exp(l[i] / temp) / z;
    const double got = static_cast<double>(counts[i]) / draws;
    EXPECT_NEAR(got, expect, 0.006) << "token " << i;
  }
}

TEST(Sampler, TopPKeepsTheNucleus) {
  // probs (T=1): token 0 ~0.66, 1 ~0.24, 2 ~0.09, rest tiny.
  std::vector<float> l = {3.0f, 2.0f, 1.0f, -5.0f, -5.0f, -5.0f};
  SamplingParams p = plain(1.0f);
  p.top_p = 0.8f;  // needs tokens 0 and 1
  p.seed = 5;
  Sampler s(p, 6);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 5000; ++i) counts[s.sample(l.data())]++;
  EXPECT_GT(counts[0], 0);
  EXPECT_GT(counts[1], 0);
  for (int i = 2; i < 6; ++i) EXPECT_EQ(counts[i], 0) << i;
  // Large vocab without top-k: still only nucleus tokens.
  auto big = random_logits(65536, 99, 1.0f);
  big[100] = 20.0f;
  big[200] = 19.5f;
  SamplingParams q = plain(1.0f);
  q.top_p = 0.9f;
  Sampler sb(q, 65536);
  for (int i = 0; i < 200; ++i) {
    const int32_t t = sb.sample(big.data());
    EXPECT_TRUE(t == 100 || t == 200) << t;
  }
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
  std::vector<float> l = {2.0f, 1.9f, 0.0f, -1.0f};
  SamplingParams p = plain(1.0f);
  p.min_p = 0.5f;  // keeps tokens with p >= 0.5 * p_max: 0 and 1
  Sampler s(p, 4);
  for (int i = 0; i < 2000; ++i) EXPECT_LT(s.sample(l.data()), 2);
}

TEST(Sampler, TopKRestrictsToKBest) {
  auto l = random_logits(65536, 17);
  std::vector<std::pair<float, int>> order;
  for (int i = 0; i < 65536; ++i) order.push_back({l[i], i});
  std::sort(order.begin(), order.end(), [](auto a, auto b) { return a.first > b.first; });
  std::vector<uint8_t> top(65536, 0);
  for (int i = 0; i < 5; ++i) top[order[i].second] = 1;
  SamplingParams p = plain(100.0f);  // nearly uniform over what survives
  p.top_k = 5;
  Sampler s(p, 65536);
  std::vector<int> seen(65536, 0);
  for (int i = 0; i < 500; ++i) {
    const int32_t t = s.sample(l.data());
    ASSERT_TRUE(top[t]);
    seen[t] = 1;
  }
  int distinct = 0;
  for (int v : seen) distinct += v;
  EXPECT_EQ(distinct, 5);
}

TEST(Sampler, RepeatPenaltyHitsOnlyRecentTokens) {
  // Token 0 leads by a little; after it is accepted, the penalty must flip the choice to 1.
  std::vector<float> l = {2.0f, 1.95f, 1.0f, -3.0f};
  SamplingParams p = plain(0.0f);
  p.repeat_penalty = 1.1f;
  p.repeat_last_n = 2;
  Sampler s(p, 4);
  EXPECT_EQ(s.sample(l.data()), 0);
  s.accept(0);
  EXPECT_EQ(s.sample(l.data()), 1);  // 2.0/1.1 = 1.82 < 1.95
  // Negative logits are multiplied (pushed further down).
  std::vector<float> neg = {-1.0f, -1.05f};
  Sampler sn(p, 2);
  sn.accept(0);
  EXPECT_EQ(sn.sample(neg.data()), 1);  // -1.1 < -1.05
  // The window forgets: after two other tokens, 0 is unpenalized again.
  s.accept(2);
  s.accept(3);
  EXPECT_EQ(s.sample(l.data()), 0);
  s.accept(0);
  s.reset();
  EXPECT_EQ(s.sample(l.data()), 0);
}

TEST(Sampler, PresenceAndFrequencyPenalties) {
  std::vector<float> l = {1.0f, 0.75f, 0.0f};
  SamplingParams p = plain(0.0f);
  p.frequency_penalty = 0.1f;
  Sampler s(p, 3);
  s.accept(0);
  s.accept(0);
  EXPECT_EQ(s.sample(l.data()), 0);  // 1.0 - 0.2 = 0.8 > 0.75
  s.accept(0);
  EXPECT_EQ(s.sample(l.data()), 1);  // 1.0 - 0.3 = 0.7 < 0.75
  SamplingParams q = plain(0.0f);
  q.presence_penalty = 0.3f;
  Sampler t(q, 3);
  t.accept(0);
  EXPECT_EQ(t.sample(l.data()), 1);  // 0.7 < 0.75, one occurrence is enough
}

TEST(Sampler, LogitBias) {
  std::vector<float> l = {1.0f, 0.0f, 0.5f};
  SamplingParams p = plain(0.0f);
  p.logit_bias[2] = 1.0f;
  p.logit_bias[99] = 5.0f;  // out of range: ignored
  Sampler s(p, 3);
  EXPECT_EQ(s.sample(l.data()), 2);
  SamplingParams q = plain(1.0f);
  q.logit_bias[0] = -std::numeric_limits<float>::infinity();
  Sampler t(q, 3);
  for (int i = 0; i < 500; ++i) EXPECT_NE(t.sample(l.data()), 0);
}

TEST(Sampler, ValidationRejectsBadParams) {
  auto bad = [](auto mutate) {
    SamplingParams p;
    mutate(p);
    EXPECT_THROW(Sampler(p, 10), pocketops::Error);
  };
  bad([](SamplingParams& p) { p.temperature = -1; });
  bad([](SamplingParams& p) { p.temperature = std::nanf(""); });
  bad([](SamplingParams& p) { p.top_p = 1.5f; });
  bad([](SamplingParams& p) { p.min_p = -0.1f; });
  bad([](SamplingParams& p) { p.repeat_penalty = 0; });
  bad([](SamplingParams& p) { p.repeat_last_n = -2; });
  bad([](SamplingParams& p) { p.top_k = -1; });
  EXPECT_THROW(Sampler(SamplingParams{}, 0), pocketops::Error);
}

TEST(Sampler, FromGgufReadsSamplingKeys) {
  using namespace pocketops::gguf;
  Writer w;
  w.set("general.architecture", make_string("lfm2"));
  w.set("general.sampling.temp", make_f32(0.7f));
  w.set("general.sampling.top_k", make_i32(20));
  w.set("general.sampling.top_p", make_f32(0.95f));
  w.set("general.sampling.min_p", make_f32(0.05f));
  w.set("general.sampling.penalty_repeat", make_f32(1.2f));
  w.set("general.sampling.penalty_last_n", make_i32(128));
  const auto bytes = w.to_bytes();
  auto f = File::from_bytes(bytes.data(), bytes.size());
  const auto p = SamplingParams::from_gguf(*f);
  EXPECT_FLOAT_EQ(p.temperature, 0.7f);
  EXPECT_EQ(p.top_k, 20);
  EXPECT_FLOAT_EQ(p.top_p, 0.95f);
  EXPECT_FLOAT_EQ(p.min_p, 0.05f);
  EXPECT_FLOAT_EQ(p.repeat_penalty, 1.2f);
  EXPECT_EQ(p.repeat_last_n, 128);

  Writer w2;  // absent keys keep the defaults; nonsense values are ignored
  w2.set("general.sampling.temp", make_string("hot"));
  w2.set("general.sampling.top_p", make_f32(7.0f));
  const auto b2 = w2.to_bytes();
  auto f2 = File::from_bytes(b2.data(), b2.size());
  const auto d = SamplingParams::from_gguf(*f2);
  EXPECT_FLOAT_EQ(d.temperature, 0.1f);
  EXPECT_FLOAT_EQ(d.top_p, 0.1f);
  EXPECT_EQ(d.top_k, 50);
}

TEST(Sampler, FastAtFullVocab) {
  const int n = 65536;
  const auto l = random_logits(n, 5);
  SamplingParams p;  // defaults: penalties + top-k 50 + top-p
  p.seed = 1;
  Sampler s(p, n);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) s.accept(s.sample(l.data()));
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / 200;
  EXPECT_LT(ms, 20.0) << "ms per sample";  // generous: shared 2-core CI, sanitizer builds
  SamplingParams q = plain(1.0f);
  q.top_p = 0.95f;  // no top-k: the partial-sort path
  Sampler s2(q, n);
  const auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) s2.sample(l.data());
  const double ms2 = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count() / 50;
  EXPECT_LT(ms2, 200.0) << "ms per sample";
}
