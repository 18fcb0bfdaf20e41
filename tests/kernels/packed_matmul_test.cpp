// Repacked-weight kernels (pack_matrix + packed GEMM) against the scalar
// reference matmul: odd row counts (partial 16-row groups), every token count
// of a tile and its tails, odd row chunks, and raw random blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/dequantize.h"
#include "kernels/dispatch.h"
#include "kernels/matmul.h"
#include "kernels/packed_k_layout.h"
#include "kernels/quantize.h"
#include "kernels/thread_pool.h"
#include "kernels/vec_dot.h"
#include "support/random_blocks.h"

namespace pocketops::kernels {
namespace {

using gguf::TensorType;

std::vector<float> randn(size_t n, float mag, std::mt19937& rng) {
  std::normal_distribution<float> nd(0.f, mag);
  std::vector<float> v(n);
  for (auto& x : v) x = nd(rng);
  return v;
}

// Relative bound (of sum |w| |a|) on a packed kernel's difference from the
// scalar reference: activations are quantized identically, so only the
// summation order differs; batches above kExactBatchTokens (prefill) may also
// round weights and activations to BF16 for their products (up to 2^-8
// relative each, so 2^-7 per product; random signs stay far below it, a
// wrong block or scale does not).
double packed_tolerance(int64_t n_tok) { return n_tok > kExactBatchTokens ? 8e-3 : 4.4e-5; }

// Runs y = x W^T with the packed layout of every set that has one for t and
// compares with the scalar set on the unpacked matrix.
void check_packed(TensorType t, int64_t rows, int64_t cols, int64_t n_tok, int threads, bool raw, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> wq;
  if (raw) {
    wq = testing::random_blocks(t, rows, cols, rng);
  } else {
    auto wf = randn(rows * cols, 1.f, rng);
    wq = quantize_matrix(t, wf.data(), rows, cols);
  }
  auto x = randn(n_tok * cols, 1.f, rng);
  Matrix m = dense_matrix(t, rows, cols, wq.data());
  ThreadPool pool(threads);
  std::vector<float> ref(n_tok * rows);
  matmul_with(scalar_kernels(), m, x.data(), cols, n_tok, ref.data(), rows, pool);

  // |w|.|a| bound for float summation-order differences
  std::vector<float> wd(rows * cols);
  for (int64_t r = 0; r < rows; ++r) dequantize_row(t, wq.data() + r * m.row_stride, wd.data() + r * cols, cols);

  int tested = 0;
  std::vector<const KernelSet*> sets = available_kernel_sets();
  if (const KernelSet* dp = avx512_dpbf16_kernels()) sets.push_back(dp);  // vdpbf16ps where avx512 skips it
  for (const KernelSet* ks : sets) {
    Matrix pm = m;
    auto buf = pack_matrix_with(*ks, pm);
    if (!buf) continue;
    ++tested;
    ASSERT_EQ(pm.packed, buf.get());
    std::vector<float> y(n_tok * rows + 7, -12345.f);  // sentinel past the end
    const int64_t ldy = rows;
    matmul_with(*ks, pm, x.data(), cols, n_tok, y.data(), ldy, pool);
    for (int64_t k = n_tok * rows; k < n_tok * rows + 7; ++k) ASSERT_EQ(y[k], -12345.f) << "wrote past the output";
    for (int64_t tk = 0; tk < n_tok; ++tk)
      for (int64_t r = 0; r < rows; ++r) {
        double s = 0;
        for (int64_t i = 0; i < cols; ++i) s += std::fabs(wd[r * cols + i] * x[tk * cols + i]);
        const double tol = packed_tolerance(n_tok) * s + 1e-6;
        ASSERT_NEAR(y[tk * ldy + r], ref[tk * rows + r], tol)
            << ks->name << " " << gguf::type_name(t) << " rows=" << rows << " cols=" << cols << " tok=" << tk << "/"
            << n_tok << " row=" << r;
      }
    // Another kernel set must ignore the packed copy and still be right.
    std::vector<float> y2(n_tok * rows);
    matmul_with(scalar_kernels(), pm, x.data(), cols, n_tok, y2.data(), rows, pool);
    EXPECT_EQ(y2, ref);
  }
  if (tested == 0) GTEST_SKIP() << "no packed layout for " << gguf::type_name(t) << " on this CPU";
}

class Packed : public ::testing::TestWithParam<TensorType> {};

TEST_P(Packed, MatchesScalarForAllTileShapes) {
  const TensorType t = GetParam();
  uint32_t seed = 1;
  for (int64_t rows : {16, 40, 1, 129})
    for (int64_t n_tok : {1, 2, 3, 5, 8, 9, 16, 17})
      check_packed(t, rows, 128, n_tok, 2, false, seed++);
  // prefill tiles over two row groups (32 rows) with 1-3 token tails, and a
  // group count that leaves one group unpaired
  for (int64_t rows : {32, 48, 56})
    for (int64_t n_tok : {10, 11, 12, 14})
      check_packed(t, rows, 128, n_tok, 1, false, seed++);
}

// 16-bit floats pack 16 pairs at a time by transposes; 20 pairs per row
// leave a remainder for the per-element path in full and partial groups.
TEST_P(Packed, PairCountNotAMultipleOf16) {
  const TensorType t = GetParam();
  if (t != TensorType::BF16 && t != TensorType::F16) GTEST_SKIP() << "block types need 64-column multiples";
  for (int64_t n_tok : {1, 3, 8}) check_packed(t, 37, 40, n_tok, 2, false, 30 + static_cast<uint32_t>(n_tok));
}

TEST_P(Packed, LargeShapesAndThreads) {
  const TensorType t = GetParam();
  check_packed(t, 272, 2048, 1, 1, false, 7);
  check_packed(t, 272, 2048, 1, 2, false, 8);
  check_packed(t, 100, 2048, 13, 2, false, 9);
  check_packed(t, 64, 8192, 4, 3, false, 10);
}

// Prefill-sized batches: several 16-token tiles (the amx set's tile height)
// with and without a 1-15 token tail, over full and partial row groups.
TEST_P(Packed, PrefillBatches) {
  const TensorType t = GetParam();
  uint32_t seed = 40;
  for (int64_t n_tok : {32, 35, 47, 48})
    for (int threads : {1, 2}) check_packed(t, 50, 512, n_tok, threads, false, seed++);
  if (t != TensorType::BF16 && t != TensorType::F16) check_packed(t, 33, 256, 37, 2, true, seed++);
}

// Long prompts (more than kExactBatchTokens tokens: the amx set's BF16 tiles
// for Q4_0 / Q8_0) with a partial last token tile and a partial row group.
TEST_P(Packed, LongPrefillBatches) {
  const TensorType t = GetParam();
  uint32_t seed = 60;
  for (int64_t n_tok : {kExactBatchTokens + 1, int64_t{96}, int64_t{133}})
    for (int threads : {1, 2}) check_packed(t, 50, 256, n_tok, threads, false, seed++);
  check_packed(t, 40, 2048, 80, 2, false, seed++);
  // Several panels per call (the amx set's BF16 tiles, as Q4_0 / Q8_0 / BF16
  // take them; one thread: row chunks of 144, panels of 128 rows and 2048
  // columns, here 2048 + 512), a partial last group.
  if (t == TensorType::Q4_0 || t == TensorType::Q8_0 || t == TensorType::BF16)
    check_packed(t, 1090, 2560, 67, 1, false, seed++);
}

TEST_P(Packed, RawRandomBlocks) {
  const TensorType t = GetParam();
  if (t == TensorType::BF16 || t == TensorType::F16)
    GTEST_SKIP() << "16-bit floats have no blocks (random bytes would be NaN/inf weights)";
  check_packed(t, 33, 256, 1, 2, true, 11);
  check_packed(t, 33, 256, 11, 2, true, 12);
}

TEST(Packed, OddBlockCountIsLeftUnpacked) {
  for (const KernelSet* ks : available_kernel_sets()) {
    std::vector<float> wf(8 * 96, 0.5f);
    auto wq = quantize_matrix(TensorType::Q4_0, wf.data(), 8, 96);
    Matrix m = dense_matrix(TensorType::Q4_0, 8, 96, wq.data());
    EXPECT_EQ(pack_matrix_with(*ks, m), nullptr);
    EXPECT_EQ(m.packed, nullptr);
  }
}

TEST(Packed, UnsupportedTypeIsLeftUnpacked) {
  for (const KernelSet* ks : available_kernel_sets()) {
    std::vector<float> wf(8 * 64, 0.5f);
    auto wq = quantize_matrix(TensorType::F32, wf.data(), 8, 64);
    Matrix m;
    m.type = TensorType::F32;
    m.rows = 8;
    m.cols = 64;
    m.data = wq.data();
    m.row_stride = 64 * 4;
    EXPECT_EQ(pack_matrix_with(*ks, m), nullptr);
    EXPECT_EQ(m.packed, nullptr);
  }
}

// K-quants (Q4_K, Q6_K): 256-element super-blocks, so cols is a multiple of 256.
class PackedK : public ::testing::TestWithParam<TensorType> {};

TEST_P(PackedK, MatchesScalarForAllTileShapes) {
  const TensorType t = GetParam();
  uint32_t seed = 100;
  for (int64_t rows : {16, 40, 1, 129})
    for (int64_t n_tok : {1, 2, 3, 5, 8, 9, 16, 17})
      check_packed(t, rows, 256, n_tok, 2, false, seed++);
}

TEST_P(PackedK, LargeShapesAndThreads) {
  const TensorType t = GetParam();
  check_packed(t, 272, 2048, 1, 1, false, 17);
  check_packed(t, 272, 2048, 1, 2, false, 18);
  check_packed(t, 100, 2048, 13, 2, false, 19);
  check_packed(t, 64, 8192, 4, 3, false, 20);
}

// Random bytes reach every 4/5/6-bit value, scale and min (and the extremes
// of the int32 sums) that quantizing a Gaussian matrix does not.
TEST_P(PackedK, RawRandomBlocks) {
  const TensorType t = GetParam();
  check_packed(t, 33, 512, 1, 2, true, 21);
  check_packed(t, 33, 512, 11, 2, true, 22);
  check_packed(t, 33, 512, 37, 2, true, 23);
}

// Prefill-sized batches: several 16-token tiles (the amx set's tile height)
// with and without a tail, over full and partial row groups.
TEST_P(PackedK, PrefillBatches) {
  const TensorType t = GetParam();
  uint32_t seed = 140;
  for (int64_t n_tok : {32, 35, 48})
    for (int threads : {1, 2}) check_packed(t, 50, 512, n_tok, threads, false, seed++);
  // 8192 columns: the amx set's INT8 tiles unpack 3 groups per panel, so
  // row chunks of 64 and 36 rows take two panels and a partial one.
  check_packed(t, 100, 8192, 35, 1, false, seed++);
}

// Long prompts (the amx set's BF16 tiles for Q4_K), including
// raw random blocks (every 4/6-bit value, scale and min).
TEST_P(PackedK, LongPrefillBatches) {
  const TensorType t = GetParam();
  uint32_t seed = 160;
  for (int64_t n_tok : {kExactBatchTokens + 1, int64_t{133}})
    for (int threads : {1, 2}) check_packed(t, 50, 512, n_tok, threads, false, seed++);
  check_packed(t, 40, 2048, 80, 2, false, seed++);
  if (t == TensorType::Q4_K) check_packed(t, 1090, 2560, 67, 1, false, seed++);  // several panels, as in Packed
  check_packed(t, 33, 512, 70, 2, true, seed++);
}

// Every set's K-quant packing writes exactly the bytes of the plain C++
// layout code (packed_k_layout.h) for its group height: the avx512 sets'
// own Q6_K packer included, over full and partial groups and raw bytes.
TEST(PackedK, EverySetsPackingEqualsTheLayoutCode) {
  std::mt19937 rng(78);
  for (TensorType t : {TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K}) {
    for (int64_t rows : {16, 37, 129}) {
      const int64_t cols = 512;
      const auto w = testing::random_blocks(t, rows, cols, rng);
      const size_t ws = gguf::row_bytes(t, cols);
      for (const KernelSet* ks : available_kernel_sets()) {
        const PackFn pack = ks->pack[static_cast<int>(t)];
        if (!pack || (ks->pack_rows != 8 && ks->pack_rows != 16)) continue;
        const int g = ks->pack_rows;
        auto ref_pack = t == TensorType::Q6_K ? packed_k::pack_q6_k
                        : t == TensorType::Q5_K ? packed_k::pack_q5_k
                                                : packed_k::pack_q4_k;
        const size_t n = ref_pack(g, rows, cols, w.data(), ws, nullptr);
        ASSERT_EQ(pack(rows, cols, w.data(), ws, nullptr), n) << ks->name;
        std::vector<uint8_t> want(n, 0xAA), got(n, 0x55);  // different fill: every byte must be written
        ref_pack(g, rows, cols, w.data(), ws, want.data());
        pack(rows, cols, w.data(), ws, got.data());
        EXPECT_EQ(want, got) << ks->name << " " << gguf::type_name(t) << " rows " << rows;
      }
    }
  }
}

// matrix_row on a packed matrix (tied embedding lookups) equals the scalar
// dequantize_row of the original bit for bit.
TEST(PackedK, PackedRowEqualsDequantizedRow) {
  std::mt19937 rng(77);
  for (TensorType t :
       {TensorType::Q6_K, TensorType::Q4_K, TensorType::Q5_K, TensorType::Q4_0, TensorType::BF16, TensorType::F16}) {
    const int64_t rows = 37, cols = 512;
    auto wf = randn(rows * cols, 1.f, rng);
    auto wq = quantize_matrix(t, wf.data(), rows, cols);
    Matrix m = dense_matrix(t, rows, cols, wq.data());
    for (const KernelSet* ks : available_kernel_sets()) {
      Matrix pm = m;
      auto buf = pack_matrix_with(*ks, pm);
      std::vector<float> a(cols), b(cols);
      for (int64_t r = 0; r < rows; ++r) {
        dequantize_row(t, wq.data() + r * m.row_stride, a.data(), cols);
        matrix_row(pm, r, b.data());
        ASSERT_EQ(a, b) << ks->name << " " << gguf::type_name(t) << " row " << r;
      }
    }
  }
}

TEST(PackedK, NonMultipleOf256IsLeftUnpacked) {
  for (const KernelSet* ks : available_kernel_sets()) {
    std::vector<float> wf(8 * 128, 0.5f);
    auto wq = quantize_matrix(TensorType::Q4_0, wf.data(), 8, 128);
    Matrix m;
    m.type = TensorType::Q6_K;  // only the shape check is exercised
    m.rows = 8;
    m.cols = 128;
    m.data = wq.data();
    m.row_stride = 0;
    EXPECT_EQ(pack_matrix_with(*ks, m), nullptr);
    EXPECT_EQ(m.packed, nullptr);
  }
}

INSTANTIATE_TEST_SUITE_P(Types, PackedK, ::testing::Values(TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K),
                         [](const auto& info) { return gguf::type_name(info.param); });

INSTANTIATE_TEST_SUITE_P(Types, Packed,
                         ::testing::Values(TensorType::Q4_0, TensorType::Q8_0, TensorType::BF16, TensorType::F16),
                         [](const auto& info) { return gguf::type_name(info.param); });

}  // namespace
}  // namespace pocketops::kernels
