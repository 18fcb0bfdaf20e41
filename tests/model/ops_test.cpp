// The model's small ops against their textbook formulas (odd lengths for the
// partial-sum tails of rms_norm; rope at position 0 is the identity).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "model/ops.h"

namespace pocketops::model {
namespace {

TEST(Ops, RmsNormMatchesFormula) {
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.f, 2.f);
  for (int64_t n : {1, 3, 4, 7, 64, 2049}) {
    std::vector<float> x(n), w(n), y(n);
    for (auto& v : x) v = nd(rng);
    for (auto& v : w) v = nd(rng);
    long double ss = 0;
    for (float v : x) ss += static_cast<long double>(v) * v;
    const double scale = 1.0 / std::sqrt(static_cast<double>(ss / n) + 1e-5);
    ops::rms_norm(x.data(), w.data(), y.data(), n, 1e-5f);
    for (int64_t i = 0; i < n; ++i)
      ASSERT_NEAR(y[i], x[i] * scale * w[i], 1e-5 * (1 + std::fabs(x[i] * scale * w[i]))) << "n=" << n << " i=" << i;
    ops::rms_norm(x.data(), w.data(), x.data(), n, 1e-5f);  // in place
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(x[i], y[i]) << "in place, n=" << n;
  }
}

TEST(Ops, AddRmsNormMatchesAddThenNorm) {
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.f, 2.f);
  for (int64_t n : {1, 3, 4, 7, 64, 2049}) {
    std::vector<float> x(n), o(n), w(n), y(n), x2, y2(n);
    for (auto& v : x) v = nd(rng);
    for (auto& v : o) v = nd(rng);
    for (auto& v : w) v = nd(rng);
    x2 = x;
    for (int64_t i = 0; i < n; ++i) x2[i] += o[i];
    ops::rms_norm(x2.data(), w.data(), y2.data(), n, 1e-5f);
    std::vector<float> x3 = x;
    ops::add_rms_norm(x.data(), o.data(), w.data(), y.data(), n, 1e-5f);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(x[i], x2[i]) << "n=" << n;
      ASSERT_EQ(y[i], y2[i]) << "n=" << n;
    }
    ops::add_rms_norm(x3.data(), o.data(), nullptr, nullptr, n, 1e-5f);  // add only
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(x3[i], x2[i]) << "add only, n=" << n;
  }
}

TEST(Ops, RopeAtPositionZeroIsIdentity) {
  std::vector<float> inv(32), x(64), y, cs(64);
  ops::rope_inv_freq(inv.data(), 64, 1e6f);
  for (int i = 0; i < 64; ++i) x[i] = static_cast<float>(i) - 20.f;
  y = x;
  ops::rope_cos_sin(cs.data(), 64, 0, inv.data());
  ops::rope_neox(y.data(), 64, cs.data());
  for (int i = 0; i < 64; ++i) EXPECT_EQ(y[i], x[i]);
}

TEST(Ops, RopeRotatesPairsByPositionTimesFrequency) {
  const int d = 64;
  std::vector<float> inv(d / 2), x(d), y, cs(d);
  ops::rope_inv_freq(inv.data(), d, 1e4f);
  for (int i = 0; i < d; ++i) x[i] = std::sin(0.37f * i) * 3.f;
  for (int64_t pos : {1, 17, 4095}) {
    y = x;
    ops::rope_cos_sin(cs.data(), d, pos, inv.data());
    ops::rope_neox(y.data(), d, cs.data());
    for (int i = 0; i < d / 2; ++i) {  // pair (i, i + d/2) rotated by pos * base^(-2i/d)
      const double th = static_cast<double>(pos) * std::pow(1e4, -2.0 * i / d);
      const double a = x[i], b = x[i + d / 2];
      EXPECT_NEAR(y[i], a * std::cos(th) - b * std::sin(th), 2e-3) << "pos " << pos << " i " << i;
      EXPECT_NEAR(y[i + d / 2], a * std::sin(th) + b * std::cos(th), 2e-3) << "pos " << pos << " i " << i;
    }
  }
}

}  // namespace
}  // namespace pocketops::model
