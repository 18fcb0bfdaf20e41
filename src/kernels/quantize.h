// Scalar quantizers: activation formats (Q8_0, Q8_1, Q8_K, F16, BF16) used
// before integer dot products, and weight formats used by `synth` and tests.
#pragma once
#include <cstdint>
#include <vector>

#include "gguf/tensor_type.h"

namespace pocketops::kernels {

// Quantizes n floats (a whole number of blocks) into type t at dst.
// Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q4_K, Q5_K, Q6_K, Q8_K.
void quantize_row(gguf::TensorType t, const float* src, void* dst, int64_t n);
bool can_quantize(gguf::TensorType t);
// Convenience: a whole row-major matrix (rows x cols) to bytes.
std::vector<uint8_t> quantize_matrix(gguf::TensorType t, const float* src, int64_t rows, int64_t cols);

}  // namespace pocketops::kernels
