// The avxvnni set against the avx2 set: the same 8-row packed layouts and the
// same integer sums (vpdpbusd instead of maddubs + madd) in the same float
// order, so their outputs must be equal bit for bit, for every tile height,
// decode included, and for raw random blocks that reach the extreme sums.
// (The comparison with the scalar reference is in packed_matmul_test.cpp.)
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/matmul.h"
#include "kernels/quantize.h"
#include "kernels/thread_pool.h"
#include "support/random_blocks.h"

namespace pocketops::kernels {
namespace {

using gguf::TensorType;

const KernelSet* find_set(const char* name) {
  for (const KernelSet* ks : available_kernel_sets())
    if (ks->name == name) return ks;
  return nullptr;
}

// Weights of type t: quantized Gaussian values, or random bytes with small
// fp16 scales where the format has them.
std::vector<uint8_t> weights(TensorType t, int64_t rows, int64_t cols, bool raw, std::mt19937& rng) {
  if (raw) return testing::random_blocks(t, rows, cols, rng);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> wf(rows * cols);
  for (auto& v : wf) v = nd(rng);
  return quantize_matrix(t, wf.data(), rows, cols);
}

std::vector<float> run(const KernelSet& ks, Matrix m, const std::vector<float>& x, int64_t n_tok, ThreadPool& pool) {
  auto buf = pack_matrix_with(ks, m);
  EXPECT_NE(buf, nullptr) << ks.name << " does not pack " << gguf::type_name(m.type);
  std::vector<float> y(n_tok * m.rows);
  matmul_with(ks, m, x.data(), m.cols, n_tok, y.data(), m.rows, pool);
  return y;
}

class AvxVnniSet : public ::testing::TestWithParam<TensorType> {};

TEST_P(AvxVnniSet, PackedResultsEqualTheAvx2Set) {
  const KernelSet* vnni = find_set("avxvnni");
  const KernelSet* avx2 = find_set("avx2");
  if (!vnni || !avx2) GTEST_SKIP() << "this CPU has no AVX-VNNI (avxvnni set not offered)";
  const TensorType t = GetParam();
  std::mt19937 rng(static_cast<uint32_t>(t) + 5);
  ThreadPool pool(2);
  for (bool raw : {false, true})
    for (int64_t rows : {8, 21, 64})
      for (int64_t n_tok : {1, 2, 3, 4, 5, 8, 9, 33}) {
        const int64_t cols = 512;
        auto w = weights(t, rows, cols, raw, rng);
        std::normal_distribution<float> nd(0.f, 1.f);
        std::vector<float> x(n_tok * cols);
        for (auto& v : x) v = nd(rng);
        Matrix m = dense_matrix(t, rows, cols, w.data());
        const auto a = run(*avx2, m, x, n_tok, pool), b = run(*vnni, m, x, n_tok, pool);
        ASSERT_EQ(a, b) << gguf::type_name(t) << (raw ? " raw" : "") << " rows=" << rows << " tokens=" << n_tok;
      }
}

INSTANTIATE_TEST_SUITE_P(Types, AvxVnniSet,
                         ::testing::Values(TensorType::Q4_0, TensorType::Q8_0, TensorType::Q4_K, TensorType::Q5_K,
                                           TensorType::Q6_K),
                         [](const auto& info) { return gguf::type_name(info.param); });

}  // namespace
}  // namespace pocketops::kernels
