// Single-row reads of the packed F16 / BF16 layout (packed_16bit_layout.h).
#include "kernels/packed_16bit_layout.h"

#include <cstring>
#include <string>

#include "common/error.h"
#include "kernels/fp16.h"

namespace pocketops::kernels::packed_16bit {

namespace {

template <int G>
void row_bf16(const uint8_t* packed, int64_t cols, int64_t r, float* y) {
  const uint8_t* o = packed + static_cast<size_t>(r / G) * static_cast<size_t>(cols / 2) * 4 * G + 4 * (r % G);
  for (int64_t p = 0; p < cols / 2; ++p) {
    uint16_t v[2];
    std::memcpy(v, o + p * 4 * G, 4);
    y[2 * p] = bf16_to_fp32(v[0]);
    y[2 * p + 1] = bf16_to_fp32(v[1]);
  }
}

template <int G>
void row_f16(const uint8_t* packed, int64_t cols, int64_t r, float* y) {
  const uint8_t* o = packed + static_cast<size_t>(r / G) * static_cast<size_t>(cols / 2) * 4 * G + 2 * (r % G);
  for (int64_t p = 0; p < cols / 2; ++p) {
    uint16_t v[2];
    std::memcpy(&v[0], o + p * 4 * G, 2);
    std::memcpy(&v[1], o + p * 4 * G + 2 * G, 2);
    y[2 * p] = fp16_to_fp32(v[0]);
    y[2 * p + 1] = fp16_to_fp32(v[1]);
  }
}

template <int G>
void fill_g(KernelSet& k) {
  k.packed_row[static_cast<int>(gguf::TensorType::F16)] = row_f16<G>;
  k.packed_row[static_cast<int>(gguf::TensorType::BF16)] = row_bf16<G>;
}

}  // namespace

void fill_rows(KernelSet& k, int g) {
  if (g == 8) fill_g<8>(k);
  else if (g == 16) fill_g<16>(k);
  else throw Error("packed 16-bit layout: unsupported group height " + std::to_string(g));
}

}  // namespace pocketops::kernels::packed_16bit
