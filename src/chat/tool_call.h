// LFM2 tool calls: parsing `<|tool_call_start|>[name(arg=value), ...]<|tool_call_end|>`
// (Python call syntax) out of assistant text, formatting calls back into that
// syntax, and converting to/from OpenAI-style tool_calls and tool messages.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pocketops::chat {

inline constexpr std::string_view kToolCallStart = "<|tool_call_start|>";
inline constexpr std::string_view kToolCallEnd = "<|tool_call_end|>";

struct ToolCall {
  std::string name;
  nlohmann::ordered_json arguments = nlohmann::ordered_json::object();  // keyword args, in call order
};

struct ToolCallParse {
  std::vector<ToolCall> calls;
  std::string content;               // text outside the call markers (concatenated, unmodified)
  std::optional<std::string> error;  // set when a call block is malformed
};

// Parses every call block in assistant output. Grammar inside a block:
//   '[' call (',' call)* [','] ']'   (a bare call list without brackets is accepted too)
//   call  = name '(' [name '=' value (',' name '=' value)* [',']] ')'
//   value = 'str' | "str" (Python escapes, r-prefix) | int | float | True | False | None
//         | true | false | null | [values] | (values) | {key: value}
// Positional arguments are an error (the parser does not know parameter names).
// A block holding JSON instead ({"name": .., "arguments": {..}} or a list of
// such objects; "arguments" may also be a JSON string or be called "parameters")
// is accepted too, for prompts that ask the model for JSON calls.
// Limits: nesting depth 64, integers must fit in 64 bits, floats must be finite,
// input must be valid UTF-8. On error `calls` is empty, `content` is the whole
// input and `error` says what and where; nothing throws.
ToolCallParse parse_tool_calls(std::string_view assistant_text);

// Python-literal rendering of one value (strings double-quoted with JSON
// escapes, True/False/None), as LFM2 writes call arguments.
std::string python_literal(const nlohmann::ordered_json& v);
// "<|tool_call_start|>[a(x=1), b(y=\"z\")]<|tool_call_end|>"; empty string for no calls.
std::string format_tool_calls(const std::vector<ToolCall>& calls);

// OpenAI "tool_calls" array: [{"id", "type": "function", "function": {"name",
// "arguments": "<JSON text>"}}], ids id_prefix + index.
nlohmann::ordered_json tool_calls_to_openai(const std::vector<ToolCall>& calls, const std::string& id_prefix = "call_");
// The reverse; "arguments" may be a JSON string or an object. Throws pocketops::Error.
std::vector<ToolCall> tool_calls_from_openai(const nlohmann::ordered_json& tool_calls);

// A {"role": "tool", "content": ...} message for a tool's result (strings as
// they are, anything else as json.dumps text); tool_call_id added when given.
nlohmann::ordered_json make_tool_message(const nlohmann::ordered_json& result, const std::string& tool_call_id = "");

}  // namespace pocketops::chat
