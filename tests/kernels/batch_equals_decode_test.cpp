// kExactBatchTokens: in every kernel set and for every weight type, packed
// or in the file's layout, a token in a batch of up to kExactBatchTokens gets
// bit for bit the result a single-token matmul gives it (speculative
// verification then reproduces plain greedy decoding exactly).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/matmul.h"
#include "kernels/quantize.h"
#include "kernels/thread_pool.h"

namespace pocketops::kernels {
namespace {

using gguf::TensorType;

void check(int64_t rows, int64_t cols, ThreadPool& pool) {
  const int64_t max_tok = kExactBatchTokens;
  std::mt19937 rng(static_cast<uint32_t>(rows * 7 + cols));
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> wf(rows * cols), x(max_tok * cols);
  for (auto& v : wf) v = nd(rng);
  for (auto& v : x) v = nd(rng);
  for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0, TensorType::Q4_0,
                       TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q4_K, TensorType::Q5_K,
                       TensorType::Q6_K}) {
    auto wq = quantize_matrix(t, wf.data(), rows, cols);
    for (const KernelSet* ks : available_kernel_sets())
      for (bool pack : {false, true}) {
        Matrix m = dense_matrix(t, rows, cols, wq.data());
        std::shared_ptr<const uint8_t> buf;
        if (pack && !(buf = pack_matrix_with(*ks, m))) continue;  // no packed layout for t in this set
        std::vector<float> single(max_tok * rows);
        for (int64_t tk = 0; tk < max_tok; ++tk)
          matmul_with(*ks, m, x.data() + tk * cols, cols, 1, single.data() + tk * rows, rows, pool);
        for (int64_t n : {2, 3, 4, 5, 8, 9, 16, 17, 33, 64}) {
          std::vector<float> y(n * rows);
          matmul_with(*ks, m, x.data(), cols, n, y.data(), rows, pool);
          EXPECT_EQ(std::memcmp(y.data(), single.data(), sizeof(float) * n * rows), 0)
              << ks->name << " " << gguf::type_name(t) << (pack ? " packed" : " file layout") << ", " << n
              << " tokens, " << rows << " x " << cols;
        }
      }
  }
}

TEST(BatchEqualsDecode, EveryTokenGetsItsSingleTokenResult) {
  ThreadPool pool(2);
  check(40, 512, pool);  // a partial 16-row group
  check(24, 768, pool);  // the tiny model's feed-forward width (3 x 256)
  check(20, 2560, pool);  // rows longer than one column chunk of the AMX-BF16 panels
}

}  // namespace
}  // namespace pocketops::kernels
