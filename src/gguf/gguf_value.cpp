// GGUF metadata value accessors, conversions and builders.
#include "gguf/gguf_value.h"

#include <cstring>

#include "common/error.h"

namespace pocketops::gguf {

const char* value_type_name(ValueType t) {
  switch (t) {
    case ValueType::UINT8: return "uint8";
    case ValueType::INT8: return "int8";
    case ValueType::UINT16: return "uint16";
    case ValueType::INT16: return "int16";
    case ValueType::UINT32: return "uint32";
    case ValueType::INT32: return "int32";
    case ValueType::FLOAT32: return "float32";
    case ValueType::BOOL: return "bool";
    case ValueType::STRING: return "string";
    case ValueType::ARRAY: return "array";
    case ValueType::UINT64: return "uint64";
    case ValueType::INT64: return "int64";
    case ValueType::FLOAT64: return "float64";
  }
  return "unknown";
}

size_t scalar_size(ValueType t) {
  switch (t) {
    case ValueType::UINT8: case ValueType::INT8: case ValueType::BOOL: return 1;
    case ValueType::UINT16: case ValueType::INT16: return 2;
    case ValueType::UINT32: case ValueType::INT32: case ValueType::FLOAT32: return 4;
    case ValueType::UINT64: case ValueType::INT64: case ValueType::FLOAT64: return 8;
    default: return 0;
  }
}

bool is_integer(ValueType t) {
  switch (t) {
    case ValueType::UINT8: case ValueType::INT8: case ValueType::UINT16: case ValueType::INT16:
    case ValueType::UINT32: case ValueType::INT32: case ValueType::UINT64: case ValueType::INT64:
    case ValueType::BOOL: return true;
    default: return false;
  }
}

namespace {
template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Reads scalar element of type t at p as int64 (integers/bools) .
int64_t load_int(ValueType t, const uint8_t* p) {
  switch (t) {
    case ValueType::UINT8: return load<uint8_t>(p);
    case ValueType::INT8: return load<int8_t>(p);
    case ValueType::BOOL: return load<uint8_t>(p) != 0;
    case ValueType::UINT16: return load<uint16_t>(p);
    case ValueType::INT16: return load<int16_t>(p);
    case ValueType::UINT32: return load<uint32_t>(p);
    case ValueType::INT32: return load<int32_t>(p);
    case ValueType::UINT64: return static_cast<int64_t>(load<uint64_t>(p));
    case ValueType::INT64: return load<int64_t>(p);
    case ValueType::FLOAT32: return static_cast<int64_t>(load<float>(p));
    case ValueType::FLOAT64: return static_cast<int64_t>(load<double>(p));
    default: throw Error(std::string("metadata value of type ") + value_type_name(t) + " is not numeric");
  }
}

double load_float(ValueType t, const uint8_t* p) {
  if (t == ValueType::FLOAT32) return load<float>(p);
  if (t == ValueType::FLOAT64) return load<double>(p);
  if (t == ValueType::UINT64) return static_cast<double>(load<uint64_t>(p));
  return static_cast<double>(load_int(t, p));
}
}  // namespace

const uint8_t* scalar_ptr(const Value& v) { return v.payload(); }

int64_t Value::as_int() const {
  if (type == ValueType::STRING || type == ValueType::ARRAY)
    throw Error(std::string("expected a number, found ") + value_type_name(type));
  return load_int(type, scalar_ptr(*this));
}
uint64_t Value::as_uint() const {
  if (type == ValueType::UINT64) return load<uint64_t>(scalar_ptr(*this));
  int64_t v = as_int();
  if (v < 0) throw Error("expected a non-negative number, found " + std::to_string(v));
  return static_cast<uint64_t>(v);
}
double Value::as_float() const {
  if (type == ValueType::STRING || type == ValueType::ARRAY)
    throw Error(std::string("expected a number, found ") + value_type_name(type));
  return load_float(type, scalar_ptr(*this));
}
bool Value::as_bool() const { return as_int() != 0; }
std::string_view Value::as_string() const {
  if (type != ValueType::STRING) throw Error(std::string("expected a string, found ") + value_type_name(type));
  return owned ? std::string_view(owned_str) : str;
}

int64_t Value::int_at(uint64_t i) const {
  if (type != ValueType::ARRAY || i >= count) throw Error("array index out of range");
  size_t es = scalar_size(elem_type);
  if (es == 0) throw Error(std::string("expected a numeric array, found array of ") + value_type_name(elem_type));
  return load_int(elem_type, payload() + i * es);
}
double Value::float_at(uint64_t i) const {
  if (type != ValueType::ARRAY || i >= count) throw Error("array index out of range");
  size_t es = scalar_size(elem_type);
  if (es == 0) throw Error(std::string("expected a numeric array, found array of ") + value_type_name(elem_type));
  return load_float(elem_type, payload() + i * es);
}
std::string_view Value::string_at(uint64_t i) const {
  if (type != ValueType::ARRAY || elem_type != ValueType::STRING || i >= string_count())
    throw Error("expected a string array element");
  return owned ? std::string_view(owned_strings[i]) : strings[i];
}
const Value& Value::array_at(uint64_t i) const {
  if (type != ValueType::ARRAY || elem_type != ValueType::ARRAY || i >= arrays.size())
    throw Error("expected a nested array element");
  return arrays[i];
}

std::string Value::describe(size_t max_items) const {
  if (type == ValueType::STRING) {
    std::string_view full = as_string();
    std::string s(full.substr(0, 200));
    return "\"" + s + (full.size() > 200 ? "...\"" : "\"");
  }
  if (type != ValueType::ARRAY) {
    if (type == ValueType::FLOAT32 || type == ValueType::FLOAT64) return std::to_string(as_float());
    if (type == ValueType::BOOL) return as_bool() ? "true" : "false";
    if (type == ValueType::UINT64) return std::to_string(as_uint());
    return std::to_string(as_int());
  }
  std::string out = "[";
  uint64_t n = count < max_items ? count : max_items;
  for (uint64_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    if (elem_type == ValueType::STRING) out += "\"" + std::string(string_at(i).substr(0, 40)) + "\"";
    else if (elem_type == ValueType::ARRAY) out += arrays[i].describe(max_items);
    else if (elem_type == ValueType::FLOAT32 || elem_type == ValueType::FLOAT64) out += std::to_string(float_at(i));
    else out += std::to_string(int_at(i));
  }
  if (count > n) out += ", ... (" + std::to_string(count) + " " + value_type_name(elem_type) + "s)";
  return out + "]";
}

namespace {
template <typename T>
Value scalar(ValueType t, T v) {
  Value out;
  out.type = t;
  out.owned = true;
  std::memcpy(out.inline_bytes, &v, sizeof(T));
  return out;
}
}  // namespace

Value make_u32(uint32_t v) { return scalar(ValueType::UINT32, v); }
Value make_i32(int32_t v) { return scalar(ValueType::INT32, v); }
Value make_u64(uint64_t v) { return scalar(ValueType::UINT64, v); }
Value make_f32(float v) { return scalar(ValueType::FLOAT32, v); }
Value make_bool(bool v) { return scalar(ValueType::BOOL, static_cast<uint8_t>(v)); }

Value make_string(std::string v) {
  Value out;
  out.type = ValueType::STRING;
  out.owned = true;
  out.owned_str = std::move(v);
  return out;
}

namespace {
// Arrays built in memory keep their payload in owned_str's bytes.
template <typename T>
Value numeric_array(ValueType et, const std::vector<T>& v) {
  Value out;
  out.type = ValueType::ARRAY;
  out.elem_type = et;
  out.count = v.size();
  out.owned = true;
  out.owned_str.assign(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  return out;
}
}  // namespace

Value make_i32_array(const std::vector<int32_t>& v) { return numeric_array(ValueType::INT32, v); }
Value make_f32_array(const std::vector<float>& v) { return numeric_array(ValueType::FLOAT32, v); }

Value make_string_array(std::vector<std::string> v) {
  Value out;
  out.type = ValueType::ARRAY;
  out.elem_type = ValueType::STRING;
  out.count = v.size();
  out.owned = true;
  out.owned_strings = std::move(v);
  return out;
}

}  // namespace pocketops::gguf
