// A multi-turn conversation on top of a Session: renders the LFM2 chat
// format, reuses the computed prefix between turns, drops the oldest turns
// (keeping the system prompt) when the context fills, and parses tool calls.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "chat/tool_call.h"
#include "engine/session.h"

namespace pocketops::engine {

struct TurnResult {
  GenerateResult gen;
  std::string content;                   // answer text without tool-call blocks
  std::vector<chat::ToolCall> tool_calls;
  std::optional<std::string> tool_error; // malformed call block
  int dropped_messages = 0;              // history trimmed to fit the context
};

class Conversation {
 public:
  Conversation(const Engine& e, int64_t n_ctx);

  void set_system(const std::string& text);  // empty: none
  void set_tools(const nlohmann::ordered_json& tools);  // array or null
  void reset();                                          // keeps system prompt and tools
  const nlohmann::ordered_json& messages() const { return messages_; }
  void set_messages(const nlohmann::ordered_json& msgs);
  // Non-empty when the file's template is not LFM2-family (the LFM2 format is used).
  const std::string& template_warning() const { return template_warning_; }

  // Appends a message (user / tool) and generates the assistant's answer.
  TurnResult send(const nlohmann::ordered_json& message, GenerateOptions opt);
  TurnResult say(const std::string& user_text, GenerateOptions opt);

  // The full prompt (with generation prompt) as rendered text and tokens.
  std::string rendered_text() const;
  // The prompt as it would be rendered after appending `message`.
  std::string preview_text(const nlohmann::ordered_json& message) const;
  std::vector<int32_t> prompt_tokens() const;
  Session& session() { return session_; }

 private:
  nlohmann::ordered_json all_messages() const;  // system + history

  const Engine& eng_;
  Session session_;
  std::string system_;
  nlohmann::ordered_json tools_;
  nlohmann::ordered_json messages_ = nlohmann::ordered_json::array();
  std::string bos_text_;
  std::string template_warning_;
};

}  // namespace pocketops::engine
