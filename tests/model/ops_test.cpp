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

TEST(Ops, RopeAtPositionZeroIsIdentity) {
  std::vector<float> inv(32), x(64), y;
  ops::rope_inv_freq(inv.data(), 64, 1e6f);
  for (int i = 0; i < 64; ++i) x[i] = static_cast<float>(i) - 20.f;
  y = x;
  ops::rope_neox(y.data(), 64, 0, inv.data());
  for (int i = 0; i < 64; ++i) EXPECT_EQ(y[i], x[i]);
}

}  // namespace
}  // namespace pocketops::model
