// matmul_many (several matrices over one input, one quantization, one
// parallel_for) gives exactly what separate matmul calls give, for packed and
// unpacked weights, mixed activation formats (fallback) and every thread count.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/matmul.h"
#include "kernels/quantize.h"
#include "kernels/thread_pool.h"

namespace pocketops::kernels {
namespace {

using gguf::TensorType;

struct Owned {
  std::vector<uint8_t> bytes;
  std::shared_ptr<const uint8_t> packed;
  Matrix m;
};

Owned make(TensorType t, int64_t rows, int64_t cols, std::mt19937& rng, const KernelSet& ks) {
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> wf(rows * cols);
  for (auto& v : wf) v = nd(rng);
  Owned o;
  o.bytes = quantize_matrix(t, wf.data(), rows, cols);
  o.m = dense_matrix(t, rows, cols, o.bytes.data());
  o.packed = pack_matrix_with(ks, o.m);
  return o;
}

void check(const std::vector<TensorType>& types, const std::vector<int64_t>& rows, int64_t cols, int64_t n_tok,
           int threads) {
  for (const KernelSet* ks : available_kernel_sets()) {
    std::mt19937 rng(static_cast<uint32_t>(cols * 31 + n_tok * 7 + threads));
    std::vector<Owned> ws;
    for (size_t i = 0; i < types.size(); ++i) ws.push_back(make(types[i], rows[i], cols, rng, *ks));
    std::normal_distribution<float> nd(0.f, 1.f);
    std::vector<float> x(n_tok * cols);
    for (auto& v : x) v = nd(rng);
    ThreadPool pool(threads);
    std::vector<std::vector<float>> sep(types.size()), many(types.size());
    std::vector<MatmulTarget> outs;
    for (size_t i = 0; i < types.size(); ++i) {
      sep[i].assign(n_tok * rows[i], 0.f);
      many[i].assign(n_tok * rows[i], -1.f);
      matmul_with(*ks, ws[i].m, x.data(), cols, n_tok, sep[i].data(), rows[i], pool);
      outs.push_back({&ws[i].m, many[i].data(), rows[i]});
    }
    matmul_many_with(*ks, outs, x.data(), cols, n_tok, pool);
    for (size_t i = 0; i < types.size(); ++i)
      EXPECT_EQ(many[i], sep[i]) << ks->name << " output " << i << " (" << gguf::type_name(types[i]) << ")";
  }
}

TEST(MatmulMany, SameFormatSharesOneQuantization) {
  for (int64_t n_tok : {1, 3, 8, 19})
    for (int threads : {1, 2, 3}) {
      check({TensorType::Q4_0, TensorType::Q4_0, TensorType::Q8_0}, {64, 48, 33}, 256, n_tok, threads);
      check({TensorType::Q4_K, TensorType::Q6_K}, {80, 16}, 512, n_tok, threads);
    }
}

TEST(MatmulMany, MixedFormatsFallBackToSeparateCalls) {
  check({TensorType::Q4_0, TensorType::Q4_K, TensorType::F32}, {32, 17, 20}, 256, 5, 2);
}

TEST(MatmulMany, TooManyOutputsIsAnError) {
  std::mt19937 rng(1);
  const KernelSet& ks = scalar_kernels();
  std::vector<Owned> ws;
  for (int i = 0; i < 5; ++i) ws.push_back(make(TensorType::Q8_0, 16, 64, rng, ks));
  std::vector<float> x(64, 1.f), y(16 * 5);
  std::vector<MatmulTarget> outs;
  for (int i = 0; i < 5; ++i) outs.push_back({&ws[i].m, y.data() + 16 * i, 16});
  ThreadPool pool(2);
  EXPECT_THROW(matmul_many_with(ks, outs, x.data(), 64, 1, pool), std::exception);
}

}  // namespace
}  // namespace pocketops::kernels
