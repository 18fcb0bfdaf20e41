// Dot products between one weight row (any supported type) and one activation
// row already converted to that weight type's activation format.
#pragma once
#include <cstddef>
#include <cstdint>

#include "gguf/tensor_type.h"

namespace pocketops::kernels {

// The format activations are converted to before a dot product with weights
// of type t (as the reference engine does): F32->F32, F16->F16, BF16->BF16,
// Q4_0/Q5_0/Q8_0->Q8_0, Q4_1/Q5_1->Q8_1, K-quants->Q8_K.
gguf::TensorType activation_type(gguf::TensorType t);

// Scalar reference: dot of n elements; w and a point at a weight row of type t
// and an activation row of activation_type(t).
float vec_dot_scalar(gguf::TensorType t, int64_t n, const void* w, const void* a);

}  // namespace pocketops::kernels
