// Serialization of GGUF v3 files.
#include "gguf/gguf_writer.h"

#include <cstdio>
#include <cstring>

#include "common/error.h"

namespace pocketops::gguf {

namespace {
class Out {
 public:
  explicit Out(std::vector<uint8_t>& b) : b_(b) {}
  template <typename T>
  void put(T v) {
    size_t n = b_.size();
    b_.resize(n + sizeof(T));
    std::memcpy(b_.data() + n, &v, sizeof(T));
  }
  void bytes(const void* p, size_t n) {
    const uint8_t* c = static_cast<const uint8_t*>(p);
    b_.insert(b_.end(), c, c + n);
  }
  void str(std::string_view s) {
    put<uint64_t>(s.size());
    bytes(s.data(), s.size());
  }
  void pad(uint64_t align) {
    while (b_.size() % align) b_.push_back(0);
  }

 private:
  std::vector<uint8_t>& b_;
};

void put_value(Out& o, const Value& v) {
  if (v.type == ValueType::STRING) {
    o.str(v.as_string());
  } else if (v.type == ValueType::ARRAY) {
    o.put<uint32_t>(static_cast<uint32_t>(v.elem_type));
    o.put<uint64_t>(v.count);
    if (v.elem_type == ValueType::STRING) {
      for (uint64_t i = 0; i < v.count; ++i) o.str(v.string_at(i));
    } else if (v.elem_type == ValueType::ARRAY) {
      for (const auto& a : v.arrays) put_value(o, a);
    } else {
      o.bytes(v.payload(), v.count * scalar_size(v.elem_type));
    }
  } else {
    o.bytes(v.payload(), scalar_size(v.type));
  }
}
}  // namespace

void Writer::set(const std::string& key, Value v) {
  for (auto& kv : kv_) {
    if (kv.first == key) {
      kv.second = std::move(v);
      return;
    }
  }
  kv_.emplace_back(key, std::move(v));
}

void Writer::add_tensor(const std::string& name, TensorType type, const std::vector<int64_t>& ne,
                        std::vector<uint8_t> data) {
  TypeInfo ti = type_info(type);
  require(ti.name != nullptr, "writer: unknown tensor type");
  require(!ne.empty() && ne.size() <= 4, "writer: tensor '" + name + "' needs 1..4 dims");
  require(ne[0] % ti.block_size == 0, "writer: tensor '" + name + "' row is not a whole number of blocks");
  uint64_t n = 1;
  for (int64_t d : ne) n *= static_cast<uint64_t>(d);
  uint64_t bytes = n / ti.block_size * ti.type_size;
  require(bytes == data.size(), "writer: tensor '" + name + "' has " + std::to_string(data.size()) +
                                    " bytes, expected " + std::to_string(bytes));
  tensors_.push_back({name, type, ne, std::move(data)});
}

std::vector<uint8_t> Writer::header_bytes() const {
  std::vector<uint8_t> buf;
  Out o(buf);
  o.put<uint32_t>(0x46554747);
  o.put<uint32_t>(3);
  o.put<uint64_t>(tensors_.size());
  bool has_align = false;
  for (const auto& kv : kv_) has_align |= kv.first == "general.alignment";
  o.put<uint64_t>(kv_.size() + (has_align || alignment_ == 32 ? 0 : 1));
  for (const auto& kv : kv_) {
    o.str(kv.first);
    o.put<uint32_t>(static_cast<uint32_t>(kv.second.type));
    put_value(o, kv.second);
  }
  if (!has_align && alignment_ != 32) {
    o.str("general.alignment");
    o.put<uint32_t>(static_cast<uint32_t>(ValueType::UINT32));
    o.put<uint32_t>(static_cast<uint32_t>(alignment_));
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    o.str(t.name);
    o.put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
    for (int64_t d : t.ne) o.put<uint64_t>(static_cast<uint64_t>(d));
    o.put<uint32_t>(static_cast<uint32_t>(t.type));
    o.put<uint64_t>(offset);
    offset += (t.data.size() + alignment_ - 1) / alignment_ * alignment_;
  }
  o.pad(alignment_);
  return buf;
}

std::vector<uint8_t> Writer::to_bytes() const {
  std::vector<uint8_t> buf = header_bytes();
  Out o(buf);
  for (const auto& t : tensors_) {
    o.bytes(t.data.data(), t.data.size());
    o.pad(alignment_);
  }
  return buf;
}

void Writer::write(const std::string& path) const {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw Error("cannot create '" + tmp + "'");
  std::vector<uint8_t> head = header_bytes();
  bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size();
  static const uint8_t zeros[64] = {};
  for (const auto& t : tensors_) {
    ok = ok && std::fwrite(t.data.data(), 1, t.data.size(), f) == t.data.size();
    size_t pad = (alignment_ - t.data.size() % alignment_) % alignment_;
    while (ok && pad > 0) {
      size_t n = pad < sizeof(zeros) ? pad : sizeof(zeros);
      ok = std::fwrite(zeros, 1, n, f) == n;
      pad -= n;
    }
  }
  ok = ok && std::fflush(f) == 0;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error("cannot write '" + path + "'");
  }
}

}  // namespace pocketops::gguf
