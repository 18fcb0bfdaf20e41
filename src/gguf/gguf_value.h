// A GGUF metadata value: scalar, string or (nested) array. Strings and scalar
// arrays are views into the file's bytes, so huge vocab arrays cost no copies.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pocketops::gguf {

enum class ValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
  BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};

const char* value_type_name(ValueType t);
// Bytes of one scalar element; 0 for STRING/ARRAY or unknown.
size_t scalar_size(ValueType t);
bool is_integer(ValueType t);

class Value {
 public:
  ValueType type = ValueType::UINT8;

  // Scalars (any integer/float/bool type converts; throws Error when not numeric).
  int64_t as_int() const;
  uint64_t as_uint() const;
  double as_float() const;
  bool as_bool() const;
  std::string_view as_string() const;  // throws unless STRING

  // Arrays.
  bool is_array() const { return type == ValueType::ARRAY; }
  ValueType elem_type = ValueType::UINT8;
  uint64_t size() const { return count; }
  int64_t int_at(uint64_t i) const;  // integer/bool element
  double float_at(uint64_t i) const;
  std::string_view string_at(uint64_t i) const;
  const Value& array_at(uint64_t i) const;

  // Storage (filled by the reader / writer helpers). Values read from a file
  // view its bytes (raw, str, strings); values built in memory own them
  // (owned == true) and stay valid when copied or moved.
  bool owned = false;
  uint64_t count = 0;
  const uint8_t* raw = nullptr;  // scalar bytes (scalar value or array payload)
  uint8_t inline_bytes[8] = {};  // scalar value owned by the value (writer side)
  std::string_view str;
  std::string owned_str;               // writer side
  std::vector<std::string_view> strings;
  std::vector<std::string> owned_strings;  // writer side
  std::vector<Value> arrays;

  // Short human rendering ("[4112 strings]", "1000000", ...).
  std::string describe(size_t max_items = 8) const;
  const uint8_t* payload() const {
    return owned ? (type == ValueType::ARRAY ? reinterpret_cast<const uint8_t*>(owned_str.data()) : inline_bytes) : raw;
  }
  uint64_t string_count() const { return owned ? owned_strings.size() : strings.size(); }
};

// Builders used by the writer and tests.
Value make_u32(uint32_t v);
Value make_i32(int32_t v);
Value make_u64(uint64_t v);
Value make_f32(float v);
Value make_bool(bool v);
Value make_string(std::string v);
Value make_i32_array(const std::vector<int32_t>& v);
Value make_f32_array(const std::vector<float>& v);
Value make_string_array(std::vector<std::string> v);

}  // namespace pocketops::gguf
