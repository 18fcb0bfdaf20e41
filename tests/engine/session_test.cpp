// Engine/session behaviour on a self-made synthetic model: batch vs
// token-by-token agreement, exact rollback, prefix reuse, speculation that
// changes nothing but speed, thread-count invariance, clear errors.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "engine/session.h"
#include "synth_model.h"

using namespace pocketops;
using pocketops::testing::test_tokens;

namespace {

double max_diff(const float* a, const float* b, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
  return m;
}

class SessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { eng_ = engine::Engine::load(pocketops::testing::synthetic_model("f32"), {2}).release(); }
  static void TearDownTestSuite() { delete eng_; }
  static engine::Engine* eng_;
};
engine::Engine* SessionTest::eng_ = nullptr;

TEST_F(SessionTest, BatchAndStepwiseAgree) {
  const auto& m = eng_->model();
  const int64_t V = m.n_vocab();
  auto toks = test_tokens(40, 1);
  model::Lfm2State a(m.config(), 128), b(m.config(), 128);
  std::vector<int64_t> rows(toks.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  std::vector<float> batch(rows.size() * V), step(V);
  m.forward(a, toks, rows, batch.data(), eng_->pool());
  for (size_t i = 0; i < toks.size(); ++i) {
    int64_t r0 = 0;
    m.forward(b, std::span<const int32_t>(&toks[i], 1), std::span<const int64_t>(&r0, 1), step.data(), eng_->pool());
    ASSERT_LT(max_diff(step.data(), batch.data() + i * V, V), 2e-3) << "position " << i;
  }
}

TEST_F(SessionTest, RollbackIsExact) {
  const auto& m = eng_->model();
  const int64_t V = m.n_vocab();
  auto pre = test_tokens(10, 2), batch = test_tokens(6, 3);
  for (int64_t keep = 0; keep <= 6; ++keep) {
    model::Lfm2State s1(m.config(), 64), s2(m.config(), 64);
    int64_t last = 9;
    std::vector<float> l(6 * V), l1(V), l2(V);
    m.forward(s1, pre, std::span<const int64_t>(&last, 1), l.data(), eng_->pool());
    m.forward(s2, pre, std::span<const int64_t>(&last, 1), l.data(), eng_->pool());
    model::BatchTrace tr;
    std::vector<int64_t> rows{0, 1, 2, 3, 4, 5};
    m.forward(s1, batch, rows, l.data(), eng_->pool(), &tr);
    m.rollback(s1, tr, keep);
    if (keep > 0) {
      std::vector<int32_t> kept(batch.begin(), batch.begin() + keep);
      int64_t lk = keep - 1;
      m.forward(s2, kept, std::span<const int64_t>(&lk, 1), l.data(), eng_->pool());
    }
    ASSERT_EQ(s1.n_past(), s2.n_past());
    int32_t probe = 123;
    int64_t r0 = 0;
    m.forward(s1, std::span<const int32_t>(&probe, 1), std::span<const int64_t>(&r0, 1), l1.data(), eng_->pool());
    m.forward(s2, std::span<const int32_t>(&probe, 1), std::span<const int64_t>(&r0, 1), l2.data(), eng_->pool());
    EXPECT_EQ(max_diff(l1.data(), l2.data(), V), 0.0) << "keep " << keep;
  }
}

TEST_F(SessionTest, PrefixIsReused) {
  engine::Session s(*eng_, 256);
  auto a = test_tokens(30, 4), b = test_tokens(12, 5);
  int64_t reused = -1;
  s.prefill(a, &reused);
  EXPECT_EQ(reused, 0);
  std::vector<int32_t> ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  std::vector<float> warm = s.prefill(ab, &reused);
  EXPECT_EQ(reused, 30);
  engine::Session fresh(*eng_, 256);
  const std::vector<float>& cold = fresh.prefill(ab, nullptr);
  EXPECT_LT(max_diff(warm.data(), cold.data(), eng_->model().n_vocab()), 1e-3);
  // A diverging prompt falls back to the latest snapshot at or before the split.
  std::vector<int32_t> ac(a.begin(), a.begin() + 20);
  ac.push_back(77);
  s.prefill(ac, &reused);
  EXPECT_EQ(reused, 0);  // snapshots exist at 30 and 42 only
  s.prefill(a, &reused);
  s.prefill(ab, &reused);
  EXPECT_EQ(reused, 30);
}

TEST_F(SessionTest, SpeculationChangesNothingButSpeed) {
  // Prompt P, then P + (greedy continuation of P) + P: the second prompt gives
  // the n-gram drafter text to copy from, as RAG / extraction prompts do.
  auto p = test_tokens(12, 6);
  engine::GenerateOptions o;
  o.sampling.temperature = 0;
  o.max_tokens = 40;
  engine::Session first(*eng_, 512);
  auto c = first.generate(p, o).tokens;
  std::vector<int32_t> copy = p;
  copy.insert(copy.end(), c.begin(), c.end());
  copy.insert(copy.end(), p.begin(), p.end());
  int64_t drafted = 0, accepted = 0;
  for (const auto& prompt : {p, copy}) {
    engine::Session plain(*eng_, 512);
    o.draft_max = 0;
    auto base = plain.generate(prompt, o);
    for (int draft : {3, 8}) {
      engine::Session spec(*eng_, 512);
      o.draft_max = draft;
      auto fast = spec.generate(prompt, o);
      EXPECT_EQ(base.tokens, fast.tokens) << "draft " << draft;
      EXPECT_EQ(base.text, fast.text);
      drafted += fast.n_draft;
      accepted += fast.n_accepted;
      // The session's state must match what it holds after rollbacks.
      EXPECT_EQ(spec.n_past(), static_cast<int64_t>(spec.tokens().size()));
    }
  }
  EXPECT_GT(drafted, 0);
  RecordProperty("drafted", static_cast<int>(drafted));
  RecordProperty("accepted", static_cast<int>(accepted));
}

TEST_F(SessionTest, ThreadCountDoesNotChangeResults) {
  auto e1 = engine::Engine::load(pocketops::testing::synthetic_model("q4_k_m"), {1});
  auto e2 = engine::Engine::load(pocketops::testing::synthetic_model("q4_k_m"), {2});
  auto toks = test_tokens(33, 8);
  engine::Session s1(*e1, 64), s2(*e2, 64);
  std::vector<float> a = s1.prefill(toks, nullptr);
  const std::vector<float>& b = s2.prefill(toks, nullptr);
  EXPECT_LT(max_diff(a.data(), b.data(), e1->model().n_vocab()), 1e-4);
}

TEST_F(SessionTest, ClearErrors) {
  engine::Session s(*eng_, 16);
  EXPECT_THROW(s.prefill({}, nullptr), Error);
  try {
    s.prefill(test_tokens(17, 9), nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("context"), std::string::npos);
  }
  try {
    s.prefill({1, 2, 999999}, nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("999999"), std::string::npos);
  }
  // The failed calls left the session usable.
  EXPECT_NO_THROW(s.prefill({1, 2, 3}, nullptr));
}

TEST_F(SessionTest, SeededSamplingIsReproducible) {
  auto prompt = test_tokens(9, 10);
  engine::GenerateOptions o;
  o.sampling.temperature = 1.0f;
  o.sampling.top_p = 1.0f;
  o.sampling.top_k = 0;
  o.sampling.seed = 99;
  o.max_tokens = 24;
  engine::Session a(*eng_, 128), b(*eng_, 128);
  auto ra = a.generate(prompt, o), rb = b.generate(prompt, o);
  EXPECT_EQ(ra.tokens, rb.tokens);
  o.sampling.seed = 100;
  engine::Session c(*eng_, 128);
  auto rc = c.generate(prompt, o);
  EXPECT_NE(ra.tokens, rc.tokens);
}

}  // namespace
