// Native renderer of the LFM2/LFM2.5-Instruct chat template (byte-identical to
// the Jinja original), rendered as segments so that structure tokens are parsed
// as specials while message content stays plain text (no turn injection).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pocketops::tokenizer {
class Tokenizer;
}

namespace pocketops::chat {

struct Segment {
  std::string text;
  bool special;  // structure text: tokenize with specials; else plain content
};

struct Rendered {
  std::vector<Segment> segments;
  std::string text() const;  // the whole prompt, exactly as the template renders it
};

struct ChatOptions {
  bool add_generation_prompt = true;
  std::string bos_token = "<|startoftext|>";
  bool keep_past_thinking = false;
  // Assistant turns are model output (tool-call markers, <think>), so by default
  // their content is tokenized with specials like the reference does. System,
  // user and tool content is always plain text.
  bool assistant_content_special = true;
  // LFM2 (v1) templates wrap the tool list in <|tool_list_start|>...<|tool_list_end|>
  // and tool results in <|tool_response_start|>...<|tool_response_end|>.
  bool tool_markers = false;
};

// Renders messages (OpenAI-style array of {role, content[, tool_calls]}) and an
// optional tools array (nullptr or null/empty = no tools). Throws
// pocketops::Error on malformed input: messages not a non-empty array, a
// message without a string role, a non-string system prompt, tools not an array.
// Extension beyond the Jinja template: an assistant message with an OpenAI
// "tool_calls" array gets the calls appended to its content in LFM2 syntax
// (<|tool_call_start|>[name(arg=value)]<|tool_call_end|>); a missing content
// key renders as "" (null still renders as "null", as tojson does).
Rendered render_lfm2(const nlohmann::ordered_json& messages, const nlohmann::ordered_json* tools,
                     const ChatOptions& opt);

enum class TemplateKind { Lfm2, Unknown };
// Recognises LFM2-family templates (ChatML markers + LFM2 tool list wording).
TemplateKind detect_template(const std::string& jinja_source);

// Options matching a GGUF file's template source: tool_markers for LFM2 v1
// templates (they mention <|tool_list_start|>), keep_past_thinking when the
// template never strips </think>. Other fields keep their defaults.
ChatOptions chat_options_for_template(const std::string& jinja_source);

// Token ids for a rendering: special-token text is recognised only inside
// special segments; everything between special tokens is encoded as plain
// text, exactly as the reference tokenizes the whole string when no content
// contains special-token text. No BOS is added (it is part of the text).
std::vector<int32_t> tokenize_rendered(const tokenizer::Tokenizer& tok, const Rendered& r);

// Python str.strip(): trims Unicode whitespace from both ends of UTF-8 text.
std::string python_strip(std::string_view s);

}  // namespace pocketops::chat
