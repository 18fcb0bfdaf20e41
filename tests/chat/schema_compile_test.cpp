// compile_json_schema: supported subset, clear errors (keyword + JSON pointer)
// for unsupported or hostile schemas, and shortest instances.
#include <gtest/gtest.h>

#include "chat/grammar.h"
#include "common/error.h"

namespace pocketops::chat {
namespace {

std::string error_of(const std::string& text) {
  try {
    compile_json_schema_text(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_error(const std::string& text, const std::vector<std::string>& parts) {
  std::string err = error_of(text);
  ASSERT_FALSE(err.empty()) << "no error for " << text.substr(0, 200);
  for (const auto& p : parts) EXPECT_NE(err.find(p), std::string::npos) << "'" << p << "' not in: " << err;
}

TEST(SchemaCompile, UnsupportedKeywordsNameKeywordAndPointer) {
  expect_error(R"({"type":"string","pattern":"^a"})", {"'pattern'", "#/pattern"});
  expect_error(R"({"type":"object","properties":{"when":{"type":"string","format":"date"}}})",
               {"'format'", "#/properties/when/format"});
  expect_error(R"({"allOf":[{"type":"string"}]})", {"'allOf'", "#/allOf"});
  expect_error(R"({"type":"array","items":{"type":"integer","multipleOf":3}})", {"'multipleOf'", "#/items/multipleOf"});
  expect_error(R"({"type":"array","items":[{"type":"integer"}]})", {"tuple", "#/items"});
  expect_error(R"({"type":"object","properties":{"a/b":{"not":{}}}})", {"'not'", "#/properties/a~1b/not"});
  expect_error(R"({"type":"object","patternProperties":{}})", {"'patternProperties'"});
  expect_error(R"({"type":"number","minimum":1})", {"'minimum'", "integer"});
  expect_error(R"({"type":"string","anyOf":[{"maxLength":2}]})", {"'type'", "anyOf"});
  expect_error(R"({"type":"strin"})", {"unknown type 'strin'", "#/type"});
  expect_error(R"({"$ref":"http://example.com/s.json"})", {"unsupported $ref"});
  expect_error(R"({"$ref":"#/$defs/missing"})", {"does not resolve"});
  expect_error(R"({"type":"object","properties":{"a":{}},"required":["b"]})", {"'b'", "#/required"});
}

TEST(SchemaCompile, InvalidValuesAndUnsatisfiableSchemas) {
  expect_error(R"({"type":"string","minLength":5,"maxLength":2})", {"minLength"});
  expect_error(R"({"type":"array","minItems":-1})", {"minItems", "non-negative"});
  expect_error(R"({"type":"array","minItems":1.5})", {"minItems"});
  expect_error(R"({"type":"integer","minimum":5,"maximum":4})", {"minimum/maximum"});
  expect_error(R"({"enum":[]})", {"enum"});
  expect_error(R"({"type":"string","enum":[1,2]})", {"no enum/const value"});
  expect_error(R"({"anyOf":[]})", {"anyOf"});
  expect_error(R"({"properties":{"a":false}})", {"'false'", "#/properties/a"});
  // A required property that recurses forever admits no finite value.
  expect_error(R"({"$defs":{"n":{"type":"object","properties":{"c":{"$ref":"#/$defs/n"}},"required":["c"]}},"$ref":"#/$defs/n"})",
               {"no finite value"});
  expect_error(R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})", {"circular"});
}

TEST(SchemaCompile, HostileSchemasFailCleanly) {
  // Not an object.
  for (const char* t : {"[1]", "42", "\"x\"", "null", "true"}) EXPECT_FALSE(error_of(t).empty()) << t;
  EXPECT_FALSE(error_of("{").empty());
  // Deep nesting beyond the limit (both of the schema and of raw JSON text).
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += R"({"type":"array","items":)";
  deep += "{}";
  for (int i = 0; i < 200; ++i) deep += "}";
  expect_error(deep, {"nested too deeply"});
  EXPECT_FALSE(error_of(std::string(200000, '[')).empty());
  // Huge enum.
  std::string big = R"({"enum":[)";
  for (int i = 0; i < 100000; ++i) big += (i ? "," : "") + std::to_string(i);
  big += "]}";
  expect_error(big, {"too many values"});
  // Huge minimums.
  expect_error(R"({"type":"string","minLength":100000000})", {"too large"});
  expect_error(R"({"type":"array","minItems":4096,"items":{"type":"array","minItems":4096,"items":{"type":"string","minLength":4096}}})",
               {"too large"});
  // A tree of properties: many nodes but within limits compiles.
  EXPECT_TRUE(error_of(R"({"type":"object","properties":{"a":{"type":"array","maxItems":1e30}}})").empty());
  // The compile_json_schema(json) overload too.
  EXPECT_THROW(compile_json_schema(nlohmann::json::array()), Error);
}

TEST(SchemaCompile, MinimalInstancesAndOrder) {
  auto s = compile_json_schema_text(R"({"type":"object","properties":{
     "z":{"type":"string","minLength":2},"a":{"type":"integer","minimum":7},"opt":{"type":"null"},
     "arr":{"type":"array","items":{"type":"boolean"},"minItems":2},"e":{"enum":["long","s"]}},
     "required":["z","a","arr","e"]})");
  EXPECT_EQ(s->node(s->root()).min_instance, R"({"z":"aa","a":7,"arr":[true,true],"e":"s"})");
  // The nlohmann::json overload sorts keys alphabetically.
  auto j = compile_json_schema(nlohmann::json::parse(R"({"properties":{"b":{"type":"null"},"a":{"type":"null"}},"required":["a","b"]})"));
  EXPECT_EQ(j->node(j->root()).min_instance, R"({"a":null,"b":null})");
  // Recursive $ref is fine when it can stop.
  auto r = compile_json_schema_text(R"({"$defs":{"n":{"type":"object","properties":{"v":{"type":"integer"},
     "kids":{"type":"array","items":{"$ref":"#/$defs/n"}}},"required":["v","kids"]}},"$ref":"#/$defs/n"})");
  EXPECT_EQ(r->node(r->root()).min_instance, R"({"v":0,"kids":[]})");
  auto any = any_json_object_schema();
  EXPECT_EQ(any->node(any->root()).min_instance, "{}");
  // type arrays, oneOf, definitions, annotations.
  auto t = compile_json_schema_text(R"({"title":"x","description":"d","definitions":{"s":{"type":"string"}},
     "oneOf":[{"$ref":"#/definitions/s"},{"type":["null","integer"],"default":3}]})");
  EXPECT_EQ(t->node(t->root()).min_instance, "0");
}

}  // namespace
}  // namespace pocketops::chat
