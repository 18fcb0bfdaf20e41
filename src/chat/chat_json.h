// Python-compatible JSON serialization (json.dumps(x, ensure_ascii=False) with
// the default ", " / ": " separators) over nlohmann::ordered_json, as the
// chat template's `tojson` filter renders it; key order is preserved.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace pocketops::chat {

// json.dumps(v, ensure_ascii=False): floats in Python repr form (1.0, 1e-05,
// 1e+16, NaN, Infinity), control characters as \uXXXX (lowercase hex), non-ASCII
// bytes passed through. Nesting deeper than 512 levels throws pocketops::Error.
std::string json_dumps(const nlohmann::ordered_json& v);
void json_dumps_append(std::string& out, const nlohmann::ordered_json& v);

// Python repr() of a finite or non-finite double ("1.0", "0.1", "1e-05", "inf").
// json_dumps uses the same digits but spells non-finite values NaN/Infinity.
std::string python_float_repr(double d);

// A JSON string literal ("..." with the json.dumps escapes) for s.
void json_quote_append(std::string& out, std::string_view s);

}  // namespace pocketops::chat
