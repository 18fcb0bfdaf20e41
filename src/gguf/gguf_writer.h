// GGUF v3 writer: metadata + tensors, used by `pocketops synth`, tests and tools.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_value.h"
#include "gguf/tensor_type.h"

namespace pocketops::gguf {

class Writer {
 public:
  explicit Writer(uint64_t alignment = 32) : alignment_(alignment) {}
  void set(const std::string& key, Value v);
  // data must hold exactly the tensor's byte size for `type` and `ne`.
  void add_tensor(const std::string& name, TensorType type, const std::vector<int64_t>& ne, std::vector<uint8_t> data);
  // Serializes to bytes / to a file (written to a temp name, then renamed).
  std::vector<uint8_t> to_bytes() const;
  void write(const std::string& path) const;

 private:
  std::vector<uint8_t> header_bytes() const;  // header + padding up to the data section
  struct Tensor {
    std::string name;
    TensorType type;
    std::vector<int64_t> ne;
    std::vector<uint8_t> data;
  };
  uint64_t alignment_;
  std::vector<std::pair<std::string, Value>> kv_;
  std::vector<Tensor> tensors_;
};

}  // namespace pocketops::gguf
