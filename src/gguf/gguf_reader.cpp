// GGUF parsing with bounds checks on every length, count, offset and size.
#include "gguf/gguf_reader.h"

#include <cstring>
#include <limits>

#include "common/error.h"

namespace pocketops::gguf {

namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" little-endian
constexpr int kMaxArrayDepth = 8;
constexpr uint64_t kMaxStringLen = 1ull << 30;

// Bounds-checked little-endian cursor over the file image.
class Cursor {
 public:
  Cursor(const uint8_t* base, size_t size, const std::string& name) : base_(base), size_(size), name_(name) {}
  size_t pos() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }

  [[noreturn]] void fail(const std::string& what, size_t at) const {
    throw Error(name_ + ": invalid GGUF: " + what + " (at byte offset " + std::to_string(at) + ")");
  }
  void need(uint64_t n, const std::string& what) const {
    if (n > remaining())
      fail(what + " needs " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) +
               " remain (file truncated?)",
           pos_);
  }
  template <typename T>
  T read(const std::string& what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, base_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  const uint8_t* take(uint64_t n, const std::string& what) {
    need(n, what);
    const uint8_t* p = base_ + pos_;
    pos_ += n;
    return p;
  }
  std::string_view read_string(const std::string& what) {
    size_t at = pos_;
    uint64_t len = read<uint64_t>(what + " length");
    if (len > kMaxStringLen) fail(what + " length " + std::to_string(len) + " is implausible", at);
    const uint8_t* p = take(len, what);
    return std::string_view(reinterpret_cast<const char*>(p), len);
  }

 private:
  const uint8_t* base_;
  size_t size_;
  size_t pos_ = 0;
  const std::string& name_;
};

bool valid_value_type(uint32_t t) { return t <= static_cast<uint32_t>(ValueType::FLOAT64); }

Value read_value(Cursor& c, ValueType type, const std::string& key, int depth);

void read_array(Cursor& c, Value& v, const std::string& key, int depth) {
  size_t at = c.pos();
  if (depth >= kMaxArrayDepth) c.fail("metadata '" + key + "': arrays nested deeper than " + std::to_string(kMaxArrayDepth), at);
  uint32_t et = c.read<uint32_t>("metadata '" + key + "' array type");
  if (!valid_value_type(et)) c.fail("metadata '" + key + "': unknown array element type " + std::to_string(et), at);
  uint64_t n = c.read<uint64_t>("metadata '" + key + "' array length");
  v.elem_type = static_cast<ValueType>(et);
  v.count = n;
  size_t es = scalar_size(v.elem_type);
  if (es > 0) {
    if (n > c.remaining() / es)
      c.fail("metadata '" + key + "': array of " + std::to_string(n) + " " + value_type_name(v.elem_type) +
                 " runs past the end of the file",
             at);
    v.raw = c.take(n * es, "metadata '" + key + "' array");
    return;
  }
  // Strings need >= 8 bytes each, nested arrays >= 12: bound the count by the file size first.
  uint64_t min_elem = v.elem_type == ValueType::STRING ? 8 : 12;
  if (n > c.remaining() / min_elem)
    c.fail("metadata '" + key + "': array length " + std::to_string(n) + " cannot fit in the file", at);
  if (v.elem_type == ValueType::STRING) {
    v.strings.reserve(n);
    for (uint64_t i = 0; i < n; ++i) v.strings.push_back(c.read_string("metadata '" + key + "' string element"));
  } else {
    v.arrays.reserve(n);
    for (uint64_t i = 0; i < n; ++i) v.arrays.push_back(read_value(c, ValueType::ARRAY, key, depth + 1));
  }
}

Value read_value(Cursor& c, ValueType type, const std::string& key, int depth) {
  Value v;
  v.type = type;
  if (type == ValueType::STRING) {
    v.str = c.read_string("metadata '" + key + "' string");
  } else if (type == ValueType::ARRAY) {
    read_array(c, v, key, depth);
  } else {
    v.raw = c.take(scalar_size(type), "metadata '" + key + "' value");
  }
  return v;
}

}  // namespace

std::string TensorInfo::shape_string() const {
  std::string s = "[";
  for (uint32_t i = 0; i < n_dims; ++i) {
    if (i) s += ", ";
    s += std::to_string(ne[i]);
  }
  return s + "]";
}

std::unique_ptr<File> File::open(const std::string& path) {
  std::unique_ptr<File> f(new File());
  f->map_ = MappedFile(path);
  f->base_ = f->map_.data();
  f->size_ = f->map_.size();
  f->name_ = path;
  f->parse();
  return f;
}

std::unique_ptr<File> File::from_bytes(const uint8_t* data, size_t size, const std::string& name) {
  std::unique_ptr<File> f(new File());
  f->owned_.assign(data, data + size);
  f->base_ = f->owned_.data();
  f->size_ = size;
  f->name_ = name;
  f->parse();
  return f;
}

void File::parse() {
  Cursor c(base_, size_, name_);
  if (size_ < 4) c.fail("file is " + std::to_string(size_) + " bytes, too short for a GGUF header", 0);
  uint32_t magic = c.read<uint32_t>("magic");
  if (magic != kMagic) c.fail("bad magic (not a GGUF file)", 0);
  version_ = c.read<uint32_t>("version");
  if (version_ != 2 && version_ != 3)
    c.fail("unsupported GGUF version " + std::to_string(version_) + " (supported: 2, 3)", 4);
  size_t at = c.pos();
  uint64_t n_tensors = c.read<uint64_t>("tensor count");
  uint64_t n_kv = c.read<uint64_t>("metadata count");
  // Every tensor info takes >= 8+4+8+4+8 bytes and every key/value >= 8+4+1.
  if (n_tensors > c.remaining() / 32) c.fail("tensor count " + std::to_string(n_tensors) + " cannot fit in the file", at);
  if (n_kv > c.remaining() / 13) c.fail("metadata count " + std::to_string(n_kv) + " cannot fit in the file", at + 8);

  kv_.reserve(n_kv);
  for (uint64_t i = 0; i < n_kv; ++i) {
    size_t kat = c.pos();
    std::string key(c.read_string("metadata key #" + std::to_string(i)));
    if (key.empty()) c.fail("metadata key #" + std::to_string(i) + " is empty", kat);
    if (kv_index_.count(key)) c.fail("duplicate metadata key '" + key + "'", kat);
    size_t tat = c.pos();
    uint32_t t = c.read<uint32_t>("metadata '" + key + "' type");
    if (!valid_value_type(t)) c.fail("metadata '" + key + "': unknown value type " + std::to_string(t), tat);
    Value v = read_value(c, static_cast<ValueType>(t), key, 0);
    kv_index_[key] = kv_.size();
    kv_.emplace_back(std::move(key), std::move(v));
  }

  if (const Value* a = find("general.alignment")) {
    if (!is_integer(a->type) || a->type == ValueType::BOOL)
      c.fail("general.alignment must be an integer", 0);
    int64_t al = a->as_int();
    if (al <= 0 || al > (1 << 20) || (al & (al - 1)) != 0)
      c.fail("general.alignment " + std::to_string(al) + " is not a power of two in [1, 1048576]", 0);
    alignment_ = static_cast<uint64_t>(al);
  }

  tensors_.reserve(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) {
    size_t tat = c.pos();
    TensorInfo ti;
    ti.name = std::string(c.read_string("tensor #" + std::to_string(i) + " name"));
    const std::string label = "tensor '" + ti.name + "'";
    if (ti.name.empty()) c.fail("tensor #" + std::to_string(i) + " has an empty name", tat);
    if (tensor_index_.count(ti.name)) c.fail("duplicate " + label, tat);
    size_t dat = c.pos();
    ti.n_dims = c.read<uint32_t>(label + " n_dims");
    if (ti.n_dims == 0 || ti.n_dims > 4)
      c.fail(label + " has n_dims " + std::to_string(ti.n_dims) + " (must be 1..4)", dat);
    uint64_t total = 1;
    for (uint32_t d = 0; d < ti.n_dims; ++d) {
      size_t eat = c.pos();
      uint64_t ne = c.read<uint64_t>(label + " dimension");
      if (ne == 0 || ne > (1ull << 40)) c.fail(label + " dimension " + std::to_string(d) + " is " + std::to_string(ne), eat);
      if (total > (1ull << 50) / ne) c.fail(label + " element count overflows", eat);
      total *= ne;
      ti.ne[d] = static_cast<int64_t>(ne);
    }
    size_t yat = c.pos();
    uint32_t type = c.read<uint32_t>(label + " type");
    TypeInfo info = type_info(type);
    if (!info.name) c.fail(label + " has unknown tensor type " + std::to_string(type), yat);
    ti.type = static_cast<TensorType>(type);
    if (ti.ne[0] % info.block_size != 0)
      c.fail(label + " row of " + std::to_string(ti.ne[0]) + " elements is not a whole number of " + info.name +
                 " blocks (" + std::to_string(info.block_size) + ")",
             dat);
    ti.nbytes = total / static_cast<uint64_t>(info.block_size) * info.type_size;
    size_t oat = c.pos();
    ti.offset = c.read<uint64_t>(label + " offset");
    if (ti.offset % alignment_ != 0)
      c.fail(label + " offset " + std::to_string(ti.offset) + " is not aligned to " + std::to_string(alignment_), oat);
    tensor_index_[ti.name] = tensors_.size();
    tensors_.push_back(std::move(ti));
  }

  uint64_t end_of_header = c.pos();
  data_offset_ = (end_of_header + alignment_ - 1) / alignment_ * alignment_;
  if (n_tensors > 0 && data_offset_ > size_)
    c.fail("data section starts at " + std::to_string(data_offset_) + " past the end of the file", end_of_header);
  uint64_t data_size = size_ >= data_offset_ ? size_ - data_offset_ : 0;
  for (auto& ti : tensors_) {
    if (ti.offset > data_size || ti.nbytes > data_size - ti.offset)
      throw Error(name_ + ": invalid GGUF: tensor '" + ti.name + "' data [" + std::to_string(ti.offset) + ", +" +
                  std::to_string(ti.nbytes) + ") lies outside the data section of " + std::to_string(data_size) +
                  " bytes (file truncated?)");
    ti.data = base_ + data_offset_ + ti.offset;
  }
}

const Value* File::find(const std::string& key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

const Value& File::get(const std::string& key) const {
  const Value* v = find(key);
  if (!v) throw Error(name_ + ": missing metadata key '" + key + "'");
  return *v;
}

int64_t File::get_int(const std::string& key) const {
  const Value& v = get(key);
  if (!is_integer(v.type)) throw Error(name_ + ": metadata '" + key + "' should be an integer, is " + value_type_name(v.type));
  return v.as_int();
}

std::optional<int64_t> File::get_int_opt(const std::string& key) const {
  if (!find(key)) return std::nullopt;
  return get_int(key);
}

double File::get_float(const std::string& key, double dflt) const {
  const Value* v = find(key);
  if (!v) return dflt;
  if (v->type == ValueType::STRING || v->type == ValueType::ARRAY)
    throw Error(name_ + ": metadata '" + key + "' should be a number, is " + value_type_name(v->type));
  return v->as_float();
}

std::string File::get_string(const std::string& key, const std::string& dflt) const {
  const Value* v = find(key);
  if (!v) return dflt;
  if (v->type != ValueType::STRING)
    throw Error(name_ + ": metadata '" + key + "' should be a string, is " + value_type_name(v->type));
  return std::string(v->as_string());
}

bool File::get_bool(const std::string& key, bool dflt) const {
  const Value* v = find(key);
  if (!v) return dflt;
  if (!is_integer(v->type)) throw Error(name_ + ": metadata '" + key + "' should be a bool, is " + value_type_name(v->type));
  return v->as_bool();
}

const TensorInfo* File::find_tensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace pocketops::gguf
