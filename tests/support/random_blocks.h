// Quantized weight matrices made of random bytes with small, finite fp16
// scales in every block (d; K-quants d and dmin, Q6_K its d at the end):
// such blocks reach every 4/5/6/8-bit value, scale and min, and the extremes
// of the integer sums, that quantizing a Gaussian matrix does not.
#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "gguf/tensor_type.h"
#include "kernels/fp16.h"

namespace pocketops::testing {

inline std::vector<uint8_t> random_blocks(gguf::TensorType t, int64_t rows, int64_t cols, std::mt19937& rng) {
  using gguf::TensorType;
  const size_t bs = gguf::type_info(t).type_size;
  std::vector<size_t> fp16_at = {0};
  if (t == TensorType::Q4_K || t == TensorType::Q5_K) fp16_at = {0, 2};
  if (t == TensorType::Q6_K) fp16_at = {bs - 2};
  std::vector<uint8_t> w(gguf::row_bytes(t, cols) * rows);
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto& b : w) b = static_cast<uint8_t>(byte(rng));
  std::uniform_real_distribution<float> sc(-0.05f, 0.05f);
  for (size_t off = 0; off < w.size(); off += bs)
    for (size_t f : fp16_at) {
      const uint16_t h = kernels::fp32_to_fp16(sc(rng));
      std::memcpy(&w[off + f], &h, 2);
    }
  return w;
}

}  // namespace pocketops::testing
