// Scalar reference self-checks the SIMD tests rely on: quantize->dequantize
// round-trip error per type, and vec_dot_scalar against a float dot product
// of the dequantized weights and dequantized activations.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/dequantize.h"
#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"
#include "kernels/quantize.h"
#include "kernels/vec_dot.h"

namespace pocketops::kernels {
namespace {

using gguf::TensorType;

struct RoundTrip {
  TensorType type;
  double max_rel_rms;  // RMS error / RMS signal for gaussian data
};

class ScalarRoundTrip : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(ScalarRoundTrip, ErrorWithinBound) {
  const auto [t, bound] = GetParam();
  const int64_t n = 4096;
  for (float mag : {1e-3f, 1.f, 100.f}) {
    std::mt19937 rng(5);
    std::normal_distribution<float> nd(0.f, mag);
    std::vector<float> x(n), back(n);
    for (auto& v : x) v = nd(rng);
    std::vector<uint8_t> q(gguf::row_bytes(t, n));
    quantize_row(t, x.data(), q.data(), n);
    dequantize_row(t, q.data(), back.data(), n);
    double err = 0, sig = 0;
    for (int64_t i = 0; i < n; ++i) {
      err += (x[i] - back[i]) * static_cast<double>(x[i] - back[i]);
      sig += static_cast<double>(x[i]) * x[i];
    }
    const double rel = std::sqrt(err / sig);
    EXPECT_LT(rel, bound) << gguf::type_name(t) << " mag=" << mag;
    EXPECT_GT(rel, bound / 1000) << gguf::type_name(t) << " suspiciously exact (is the format lossy?)";
  }
  // an all-zero row must come back exactly zero
  std::vector<float> z(n, 0.f), back(n, 1.f);
  std::vector<uint8_t> q(gguf::row_bytes(t, n));
  quantize_row(t, z.data(), q.data(), n);
  dequantize_row(t, q.data(), back.data(), n);
  for (float v : back) ASSERT_EQ(v, 0.f) << gguf::type_name(t);
}

INSTANTIATE_TEST_SUITE_P(Types, ScalarRoundTrip,
                         ::testing::Values(RoundTrip{TensorType::F16, 1e-3}, RoundTrip{TensorType::BF16, 5e-3},
                                           RoundTrip{TensorType::Q8_0, 0.01}, RoundTrip{TensorType::Q4_0, 0.15},
                                           RoundTrip{TensorType::Q4_1, 0.15}, RoundTrip{TensorType::Q5_0, 0.08},
                                           RoundTrip{TensorType::Q5_1, 0.08}, RoundTrip{TensorType::Q4_K, 0.15},
                                           RoundTrip{TensorType::Q5_K, 0.08}, RoundTrip{TensorType::Q6_K, 0.035}),
                         [](const auto& info) { return gguf::type_name(info.param.type); });

// Activation row -> floats (Q8_0 / Q8_1 / Q8_K have no dequantize_row).
std::vector<float> act_floats(TensorType at, const uint8_t* a, int64_t n) {
  std::vector<float> f(n);
  if (at == TensorType::Q8_0) {
    const BlockQ8_0* y = reinterpret_cast<const BlockQ8_0*>(a);
    for (int64_t i = 0; i < n; ++i) f[i] = fp16_to_fp32(y[i / QK].d) * y[i / QK].qs[i % QK];
  } else if (at == TensorType::Q8_1) {
    const BlockQ8_1* y = reinterpret_cast<const BlockQ8_1*>(a);
    for (int64_t i = 0; i < n; ++i) f[i] = fp16_to_fp32(y[i / QK].d) * y[i / QK].qs[i % QK];
  } else if (at == TensorType::Q8_K) {
    const BlockQ8_K* y = reinterpret_cast<const BlockQ8_K*>(a);
    for (int64_t i = 0; i < n; ++i) f[i] = y[i / QK_K].d * y[i / QK_K].qs[i % QK_K];
  } else {
    dequantize_row(at, a, f.data(), n);
  }
  return f;
}

TEST(ScalarActivations, Q8_1SumAndQ8_KBlockSumsAreConsistent) {
  const int64_t n = 1024;
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.f, 2.f);
  std::vector<float> x(n);
  for (auto& v : x) v = nd(rng);
  std::vector<BlockQ8_1> q1(n / QK);
  quantize_row(TensorType::Q8_1, x.data(), q1.data(), n);
  for (const auto& b : q1) {
    int s = 0;
    for (int8_t v : b.qs) s += v;
    EXPECT_NEAR(fp16_to_fp32(b.s), s * fp16_to_fp32(b.d), std::fabs(s * fp16_to_fp32(b.d)) * 2e-3 + 1e-6);
  }
  std::vector<BlockQ8_K> qk(n / QK_K);
  quantize_row(TensorType::Q8_K, x.data(), qk.data(), n);
  for (const auto& b : qk) {
    for (int g = 0; g < QK_K / 16; ++g) {
      int s = 0;
      for (int l = 0; l < 16; ++l) s += b.qs[16 * g + l];
      EXPECT_EQ(b.bsums[g], s);
    }
  }
}

// fp16 fields of the K-quant blocks the quantizer cannot produce (Q2_K, Q3_K).
std::vector<size_t> fp16_fields(TensorType t) {
  switch (t) {
    case TensorType::Q2_K: return {offsetof(BlockQ2_K, d), offsetof(BlockQ2_K, dmin)};
    case TensorType::Q3_K: return {offsetof(BlockQ3_K, d)};
    default: return {};
  }
}

class ScalarDot : public ::testing::TestWithParam<TensorType> {};

TEST_P(ScalarDot, MatchesFloatDotOfDequantizedOperands) {
  const TensorType t = GetParam();
  const TensorType at = activation_type(t);
  std::mt19937 rng(11 + static_cast<int>(t));
  for (int64_t n : {256, 1024, 4096}) {
    for (float mag : {1e-2f, 1.f, 50.f}) {
      std::normal_distribution<float> nd(0.f, mag);
      std::vector<uint8_t> w(gguf::row_bytes(t, n));
      if (can_quantize(t)) {
        std::vector<float> xw(n);
        for (auto& v : xw) v = nd(rng);
        quantize_row(t, xw.data(), w.data(), n);
      } else {  // random bytes with sane fp16 scales
        std::uniform_int_distribution<int> byte(0, 255);
        for (auto& b : w) b = static_cast<uint8_t>(byte(rng));
        const size_t bs = gguf::type_info(t).type_size;
        std::uniform_real_distribution<float> sc(-0.1f * mag, 0.1f * mag);
        for (size_t off = 0; off < w.size(); off += bs)
          for (size_t f : fp16_fields(t)) {
            uint16_t h = fp32_to_fp16(sc(rng));
            std::memcpy(&w[off + f], &h, 2);
          }
      }
      std::vector<float> xa(n);
      for (auto& v : xa) v = nd(rng);
      std::vector<uint8_t> a(gguf::row_bytes(at, n));
      quantize_row(at, xa.data(), a.data(), n);

      std::vector<float> wf(n);
      dequantize_row(t, w.data(), wf.data(), n);
      const std::vector<float> af = act_floats(at, a.data(), n);
      double want = 0, mag_sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        want += static_cast<double>(wf[i]) * af[i];
        mag_sum += std::fabs(static_cast<double>(wf[i]) * af[i]);
      }
      // Q4_1 / Q5_1 use the fp16-rounded activation sum s: allow its rounding
      const double slack = (at == TensorType::Q8_1) ? 2e-3 : 1e-4;
      EXPECT_NEAR(vec_dot_scalar(t, n, w.data(), a.data()), want, slack * mag_sum + 1e-12)
          << gguf::type_name(t) << " n=" << n << " mag=" << mag;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, ScalarDot,
                         ::testing::Values(TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q4_0,
                                           TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0,
                                           TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K,
                                           TensorType::Q6_K),
                         [](const auto& info) { return gguf::type_name(info.param); });

}  // namespace
}  // namespace pocketops::kernels
