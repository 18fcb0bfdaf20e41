// The one entry point model code uses for linear layers: Y = X * W^T with W a
// (possibly quantized) weight matrix stored row-major in the GGUF mmap.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "gguf/tensor_type.h"
#include "kernels/thread_pool.h"

namespace pocketops::kernels {

struct Matrix {
  gguf::TensorType type = gguf::TensorType::F32;
  int64_t rows = 0;          // output features
  int64_t cols = 0;          // input features (contiguous)
  const uint8_t* data = nullptr;
  size_t row_stride = 0;     // bytes between rows
  // Optional repacked copy (see pack_matrix); used only by the kernel set that
  // made it, others read `data`.
  const uint8_t* packed = nullptr;
  const void* packed_by = nullptr;
};

// A matrix of `rows` rows of `cols` values of `type` stored one after another
// at data (gguf::row_bytes(type, cols) apart), as GGUF tensors are.
Matrix dense_matrix(gguf::TensorType type, int64_t rows, int64_t cols, const uint8_t* data);

struct KernelSet;
// Repacks w into the layout of kernel set ks (default: the active set) and
// points w.packed at it. Returns the owning buffer, or nullptr when the set
// has no packed layout for the type (w unchanged).
// done(p, n), when given, is called after each packed chunk of rows with the
// original bytes [p, p+n) that are no longer needed (callers release their
// pages so the peak never holds two copies of a large matrix).
using PackDoneFn = std::function<void(const uint8_t*, size_t)>;
std::shared_ptr<const uint8_t> pack_matrix(Matrix& w, const PackDoneFn& done = {});
std::shared_ptr<const uint8_t> pack_matrix_with(const KernelSet& ks, Matrix& w, const PackDoneFn& done = {});

// Row r of w as floats: from the packed copy when its set can dequantize it,
// else from the original data (dequantize_row).
void matrix_row(const Matrix& w, int64_t r, float* y);

// X: n_tok rows of `cols` floats (stride ldx); Y: n_tok rows, Y[t*ldy + r].
void matmul(const Matrix& w, const float* x, int64_t ldx, int64_t n_tok, float* y, int64_t ldy, ThreadPool& pool);

// Same with an explicit kernel set (tests compare SIMD against scalar).
void matmul_with(const KernelSet& ks, const Matrix& w, const float* x, int64_t ldx, int64_t n_tok, float* y,
                 int64_t ldy, ThreadPool& pool);

// Several matrices applied to the same input (q/k/v, ffn gate/up): the
// activations are quantized once and all row chunks share one parallel_for
// (fewer thread hand-offs; one matrix's tail overlaps the next one's start).
// Matrices whose activation formats or widths differ fall back to one call each.
struct MatmulTarget {
  const Matrix* w;
  float* y;      // n_tok rows, Y[t*ldy + r]
  int64_t ldy;
};
void matmul_many(std::span<const MatmulTarget> outs, const float* x, int64_t ldx, int64_t n_tok, ThreadPool& pool);
void matmul_many_with(const KernelSet& ks, std::span<const MatmulTarget> outs, const float* x, int64_t ldx,
                      int64_t n_tok, ThreadPool& pool);

}  // namespace pocketops::kernels
