// GGUF v2/v3 reader: validates the whole header (metadata, tensor infos,
// offsets, sizes) before anything uses it; tensor data stays in the mmap.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mapped_file.h"
#include "gguf/gguf_value.h"
#include "gguf/tensor_type.h"

namespace pocketops::gguf {

struct TensorInfo {
  std::string name;
  uint32_t n_dims = 0;
  int64_t ne[4] = {1, 1, 1, 1};  // ne[0] is the contiguous (row) dimension
  TensorType type = TensorType::F32;
  uint64_t offset = 0;           // relative to the data section
  const uint8_t* data = nullptr; // inside the mapped file
  uint64_t nbytes = 0;
  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
  std::string shape_string() const;
};

class File {
 public:
  // Maps and validates a file; throws Error with one line naming the problem.
  static std::unique_ptr<File> open(const std::string& path);
  // Validates an in-memory image (used by fuzzers and tests); bytes are copied.
  static std::unique_ptr<File> from_bytes(const uint8_t* data, size_t size, const std::string& name = "<memory>");

  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  size_t file_size() const { return size_; }
  const std::string& path() const { return name_; }
  const uint8_t* bytes() const { return base_; }

  // Metadata in file order.
  const std::vector<std::pair<std::string, Value>>& metadata() const { return kv_; }
  const Value* find(const std::string& key) const;
  const Value& get(const std::string& key) const;  // throws "missing metadata key"
  int64_t get_int(const std::string& key) const;
  std::optional<int64_t> get_int_opt(const std::string& key) const;
  double get_float(const std::string& key, double dflt) const;
  std::string get_string(const std::string& key, const std::string& dflt = "") const;
  bool get_bool(const std::string& key, bool dflt) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(const std::string& name) const;
  void advise_willneed() const { map_.advise_willneed(); }

 private:
  File() = default;
  void parse();

  MappedFile map_;
  std::vector<uint8_t> owned_;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  std::string name_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<std::pair<std::string, Value>> kv_;
  std::map<std::string, size_t> kv_index_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> tensor_index_;
};

}  // namespace pocketops::gguf
