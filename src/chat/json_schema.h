// A JSON Schema (supported subset) compiled into a small graph of value nodes
// that the byte-level automaton in grammar_pda.h walks. See docs/structured-output.md.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pocketops::chat {

// Limits that keep generation finite and compilation cheap on hostile schemas.
struct SchemaLimits {
  static constexpr int kMaxSchemaDepth = 48;        // nesting of the schema document itself
  static constexpr size_t kMaxNodes = 20000;        // compiled nodes
  static constexpr size_t kMaxEnumValues = 4096;    // values in one enum
  static constexpr size_t kMaxLiteralBytes = 1 << 18;  // serialized bytes of all enum/const values
  static constexpr size_t kMaxProperties = 1024;    // properties of one object
  static constexpr size_t kMaxAlternatives = 256;   // anyOf / oneOf / type-array alternatives (flattened)
  static constexpr int kMaxValueDepth = 40;         // nesting of generated values (frames on the stack)
  static constexpr int kMaxIntDigits = 16;          // digits before the decimal point
  static constexpr int kMaxFracDigits = 16;         // digits after it
  static constexpr int kMaxExpDigits = 2;           // exponent digits
  // Insignificant whitespace per slot (after '{' '[' ',' ':', before ':' ',' '}' ']'):
  // optional "\r", at most one "\n", then at most kMaxIndent spaces/tabs.
  static constexpr int kMaxIndent = 20;
};

enum class NodeKind : uint8_t {
  Object,   // fixed properties, emitted in schema order
  Map,      // free-form keys (additionalProperties: true / schema, no properties)
  Array,
  String,
  Number,   // any JSON number (bounded length)
  Integer,  // integer, optionally with inclusive bounds
  Literal,  // one of a set of serialized JSON values (enum, const, boolean, null)
  Union,    // anyOf / oneOf / type arrays: flattened, never nested, never empty
};

struct SchemaProperty {
  std::string key_json;  // the key as it must appear, quotes included: "name"
  std::string name;      // raw key
  uint32_t node = 0;
  bool required = false;
};

struct SchemaNode {
  NodeKind kind = NodeKind::Union;
  std::string pointer;  // JSON pointer of the schema it came from (for messages)
  // Object
  std::vector<SchemaProperty> props;
  // Map (value node) / Array (item node)
  uint32_t child = 0;
  // Array items / String code points
  uint32_t min_count = 0;
  uint32_t max_count = std::numeric_limits<uint32_t>::max();
  // Integer bounds (inclusive)
  bool has_min = false, has_max = false;
  int64_t min_value = 0, max_value = 0;
  // Literal: sorted, distinct serialized values
  std::vector<std::string> literals;
  // Union alternatives (none of them a Union)
  std::vector<uint32_t> alts;

  // Filled after compilation: a shortest instance of this node (bytes) and the
  // number of nested value frames that instance needs; used to keep every
  // reachable state completable and to produce forced completions.
  std::string min_instance;
  int min_depth = 0;
  bool satisfiable = false;
};

class JsonSchema {
 public:
  const SchemaNode& node(uint32_t id) const { return nodes_[id]; }
  uint32_t root() const { return root_; }
  size_t size() const { return nodes_.size(); }
  // Node id of a plain string (used for free-form object keys).
  uint32_t any_string() const { return any_string_; }
  const std::vector<SchemaNode>& nodes() const { return nodes_; }

 private:
  friend class SchemaCompiler;
  std::vector<SchemaNode> nodes_;
  uint32_t root_ = 0;
  uint32_t any_string_ = 0;
};

// Compiles the supported subset (see docs/structured-output.md); throws
// pocketops::Error naming the unsupported keyword and its JSON pointer.
// nlohmann::json sorts object keys, so properties come out in alphabetical
// order; compile_json_schema_text keeps the document's property order.
std::shared_ptr<const JsonSchema> compile_json_schema(const nlohmann::json& schema);
std::shared_ptr<const JsonSchema> compile_json_schema_text(std::string_view schema_text);
// "JSON mode": any JSON object.
std::shared_ptr<const JsonSchema> any_json_object_schema();

}  // namespace pocketops::chat
