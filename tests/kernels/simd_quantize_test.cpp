// SIMD activation quantizers (F16, BF16, Q8_0, Q8_1, Q8_K) must be
// byte-identical to the scalar reference, including rounding ties.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "common/error.h"
#include "kernels/dispatch.h"
#include "kernels/quantize.h"
#include "kernels/vec_dot.h"

namespace pocketops::kernels {
namespace {

using gguf::TensorType;

std::vector<const KernelSet*> simd_sets() {
  std::vector<const KernelSet*> v;
  for (const KernelSet* k : available_kernel_sets())
    if (k->name != "scalar") v.push_back(k);
  return v;
}

// Inputs that stress the quantizers: random at several magnitudes, exact
// rounding ties, all-zero blocks, sign ties for the max, tiny values.
std::vector<std::vector<float>> inputs(int64_t n) {
  std::mt19937 rng(1234 + static_cast<unsigned>(n));
  std::vector<std::vector<float>> out;
  for (float mag : {1e-3f, 1.0f, 37.0f, 1e4f}) {
    std::normal_distribution<float> nd(0.f, mag);
    std::vector<float> v(n);
    for (auto& x : v) x = nd(rng);
    out.push_back(v);
  }
  {  // ties: integers + 0.5 with the block max = 127 (so d = 1 and x*id = x)
    std::vector<float> v(n);
    for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(static_cast<int>(i % 61) - 30) + 0.5f;
    for (int64_t i = 0; i < n; i += 32) v[i + 5] = (i / 32) % 2 ? 127.f : -127.f;
    out.push_back(v);
  }
  {  // zeros and a half-zero row
    out.push_back(std::vector<float>(n, 0.f));
    std::vector<float> v(n, 0.f);
    for (int64_t i = n / 2; i < n; ++i) v[i] = std::sin(static_cast<float>(i));
    out.push_back(v);
  }
  {  // equal magnitudes of opposite sign: the first one wins in Q8_K
    std::vector<float> v(n);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    for (auto& x : v) x = u(rng);
    for (int64_t i = 0; i < n; i += 32) {
      v[i + 3] = -2.f;
      v[i + 17] = 2.f;
    }
    out.push_back(v);
  }
  {  // denormals / tiny and huge (fp16 overflow) values
    std::vector<float> v(n);
    for (int64_t i = 0; i < n; ++i) v[i] = (i % 3 == 0 ? 1e-41f : i % 3 == 1 ? -3e-6f : 7e4f) * ((i % 7) - 3);
    out.push_back(v);
  }
  return out;
}

class SimdQuantize : public ::testing::TestWithParam<TensorType> {};

TEST_P(SimdQuantize, ByteIdenticalToScalar) {
  const TensorType t = GetParam();
  const int ti = static_cast<int>(t);
  const auto sets = simd_sets();
  if (sets.empty()) GTEST_SKIP() << "no SIMD kernel set on this CPU";
  for (int64_t n : {256, 512, 2048, 8192}) {
    const size_t bytes = gguf::row_bytes(t, n);
    for (const auto& x : inputs(n)) {
      std::vector<uint8_t> ref(bytes + 64, 0xAB), got(bytes + 64, 0xCD);
      scalar_kernels().quantize[ti](x.data(), ref.data(), n);
      for (const KernelSet* k : sets) {
        ASSERT_NE(k->quantize[ti], nullptr) << k->name;
        std::fill(got.begin(), got.end(), 0xCD);
        k->quantize[ti](x.data(), got.data(), n);
        ASSERT_EQ(0, std::memcmp(ref.data(), got.data(), bytes)) << k->name << " " << gguf::type_name(t) << " n=" << n;
        for (size_t i = bytes; i < got.size(); ++i) ASSERT_EQ(got[i], 0xCD) << "wrote past the row";
      }
    }
  }
}

TEST_P(SimdQuantize, OddLengthsForFloatFormats) {
  const TensorType t = GetParam();
  if (t != TensorType::F16 && t != TensorType::BF16) GTEST_SKIP();
  const int ti = static_cast<int>(t);
  for (const KernelSet* k : simd_sets()) {
    for (int64_t n : {1, 7, 8, 15, 17, 33, 100}) {
      std::vector<float> x(n);
      for (int64_t i = 0; i < n; ++i) x[i] = std::cos(static_cast<float>(i) * 1.7f) * 3.f;
      std::vector<uint16_t> ref(n), got(n);
      scalar_kernels().quantize[ti](x.data(), ref.data(), n);
      k->quantize[ti](x.data(), got.data(), n);
      EXPECT_EQ(ref, got) << k->name << " n=" << n;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, SimdQuantize,
                         ::testing::Values(TensorType::F16, TensorType::BF16, TensorType::Q8_0, TensorType::Q8_1,
                                           TensorType::Q8_K),
                         [](const auto& info) { return gguf::type_name(info.param); });

TEST(SimdDispatch, SetsAreListedBestFirstAndScalarLast) {
  auto sets = available_kernel_sets();
  ASSERT_FALSE(sets.empty());
  EXPECT_EQ(sets.back()->name, "scalar");
  for (const KernelSet* k : sets) {
    // every set either has a kernel or falls back to scalar through matmul
    EXPECT_FALSE(k->name.empty());
  }
  EXPECT_THROW(set_active_kernels("no-such-set"), Error);
}

}  // namespace
}  // namespace pocketops::kernels
