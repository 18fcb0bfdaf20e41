// The LFM2.5-Instruct chat template, hand-translated from its Jinja source
// (bos, system prompt + "List of tools: [...]", ChatML turns, past-thinking
// stripping, generation prompt) into segment-producing C++.
#include "chat/chat_template.h"

#include "chat/chat_json.h"
#include "chat/tool_call.h"
#include "common/error.h"

namespace pocketops::chat {

using ojson = nlohmann::ordered_json;

std::string Rendered::text() const {
  std::string s;
  for (const auto& seg : segments) s += seg.text;
  return s;
}

namespace {

// Length of a Unicode whitespace character (Python str.isspace) at s[i], or 0.
size_t space_len(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return 1;
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  if (c == 0xC2 && (at(1) == 0x85 || at(1) == 0xA0)) return 2;
  if (c == 0xE1 && at(1) == 0x9A && at(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && at(1) == 0x80) {
    const unsigned d = at(2);
    if ((d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;  // U+2000-200A, 2028, 2029, 202F
  }
  if (c == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return 3;  // U+3000
  return 0;
}

bool is_utf8_lead(unsigned char c) { return (c & 0xC0) != 0x80; }

class Builder {
 public:
  void add(std::string_view text, bool special) {
    if (text.empty()) return;
    if (!out.segments.empty() && out.segments.back().special == special) out.segments.back().text += text;
    else out.segments.push_back({std::string(text), special});
  }
  Rendered out;
};

std::string content_text(const ojson& msg, size_t index) {
  if (!msg.contains("content")) return "";
  const ojson& c = msg["content"];
  if (c.is_string()) return c.get<std::string>();
  (void)index;
  return json_dumps(c);  // tojson
}

}  // namespace

std::string python_strip(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    const size_t n = space_len(s, b);
    if (!n) break;
    b += n;
  }
  size_t e = s.size();
  while (e > b) {
    size_t k = e - 1;  // start of the last character
    while (k > b && !is_utf8_lead(static_cast<unsigned char>(s[k]))) --k;
    const size_t n = space_len(s, k);
    if (!n || k + n != e) break;
    e = k;
  }
  return std::string(s.substr(b, e - b));
}

Rendered render_lfm2(const ojson& messages_in, const ojson* tools, const ChatOptions& opt) {
  require(messages_in.is_array(), "messages must be a JSON array");
  require(!messages_in.empty(), "messages is empty");
  for (size_t i = 0; i < messages_in.size(); ++i) {
    const ojson& m = messages_in[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    require(m.is_object(), where + " must be an object");
    require(m.contains("role"), where + " has no \"role\"");
    require(m["role"].is_string(), where + ".role must be a string");
    if (m.contains("tool_calls") && !m["tool_calls"].is_null())
      require(m["tool_calls"].is_array(), where + ".tool_calls must be an array");
  }
  if (tools && !tools->is_null()) require(tools->is_array(), "tools must be a JSON array");

  Builder b;
  b.add(opt.bos_token, true);

  size_t first = 0;
  std::string system_prompt;
  if (messages_in[0]["role"].get_ref<const std::string&>() == "system") {
    const ojson& m = messages_in[0];
    if (m.contains("content") && !m["content"].is_null()) {
      require(m["content"].is_string(), "messages[0]: the system prompt must be a string");
      system_prompt = m["content"].get<std::string>();
    }
    first = 1;
  }
  const bool have_tools = tools && tools->is_array() && !tools->empty();
  if (!system_prompt.empty() || have_tools) {
    b.add("<|im_start|>system\n", true);
    b.add(system_prompt, false);
    if (have_tools) {
      b.add(system_prompt.empty() ? "List of tools: " : "\nList of tools: ", false);
      if (opt.tool_markers) b.add("<|tool_list_start|>", true);
      std::string list = "[";
      for (size_t i = 0; i < tools->size(); ++i) {
        const ojson& t = (*tools)[i];
        if (t.is_string()) list += t.get<std::string>();
        else json_dumps_append(list, t);
        if (i + 1 < tools->size()) list += ", ";
      }
      list += "]";
      b.add(list, false);
      if (opt.tool_markers) b.add("<|tool_list_end|>", true);
    }
    b.add("<|im_end|>\n", true);
  }

  size_t last_assistant = SIZE_MAX;
  for (size_t i = first; i < messages_in.size(); ++i)
    if (messages_in[i]["role"].get_ref<const std::string&>() == "assistant") last_assistant = i;

  for (size_t i = first; i < messages_in.size(); ++i) {
    const ojson& m = messages_in[i];
    const std::string& role = m["role"].get_ref<const std::string&>();
    b.add("<|im_start|>", true);
    b.add(role, false);  // role text is data: never lets a role name smuggle specials
    b.add("\n", true);
    std::string content = content_text(m, i);
    const bool assistant = role == "assistant";
    if (assistant && m.contains("tool_calls") && m["tool_calls"].is_array() && !m["tool_calls"].empty()) {
      if (m.contains("content") && m["content"].is_null()) content.clear();
      content += format_tool_calls(tool_calls_from_openai(m["tool_calls"]));
    }
    if (assistant && !opt.keep_past_thinking && i != last_assistant) {
      const size_t k = content.rfind("</think>");
      if (k != std::string::npos) content = python_strip(std::string_view(content).substr(k + 8));
    }
    const bool wrap = opt.tool_markers && role == "tool";
    if (wrap) b.add("<|tool_response_start|>", true);
    b.add(content, assistant && opt.assistant_content_special);
    if (wrap) b.add("<|tool_response_end|>", true);
    b.add("<|im_end|>\n", true);
  }
  if (opt.add_generation_prompt) b.add("<|im_start|>assistant\n", true);
  return std::move(b.out);
}

ChatOptions chat_options_for_template(const std::string& src) {
  ChatOptions o;
  o.tool_markers = src.find("<|tool_list_start|>") != std::string::npos;
  o.keep_past_thinking = src.find("</think>") == std::string::npos;
  return o;
}

TemplateKind detect_template(const std::string& src) {
  const bool chatml = src.find("<|im_start|>") != std::string::npos && src.find("<|im_end|>") != std::string::npos;
  const bool lfm_tools = src.find("List of tools") != std::string::npos;
  return chatml && lfm_tools ? TemplateKind::Lfm2 : TemplateKind::Unknown;
}

}  // namespace pocketops::chat
