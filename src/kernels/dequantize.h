// Scalar reference dequantization of one row of any supported tensor type.
#pragma once
#include <cstdint>

#include "gguf/tensor_type.h"

namespace pocketops::kernels {

// True for the weight types the engine can compute with.
bool is_supported_weight_type(gguf::TensorType t);
// Expands n elements (a whole number of blocks) of type t at src into dst.
void dequantize_row(gguf::TensorType t, const void* src, float* dst, int64_t n);

}  // namespace pocketops::kernels
