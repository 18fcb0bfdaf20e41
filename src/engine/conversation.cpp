// Conversation: rendering, history trimming, prefix-reusing generation.
#include "engine/conversation.h"

#include "chat/chat_template.h"
#include "common/error.h"

namespace pocketops::engine {

Conversation::Conversation(const Engine& e, int64_t n_ctx) : eng_(e), session_(e, n_ctx) {
  const auto& tok = e.tokenizer();
  if (tok.bos() >= 0) bos_text_ = tok.token_text(tok.bos());
  const std::string tmpl = e.file().get_string("tokenizer.chat_template", "");
  if (tmpl.empty())
    template_warning_ = "the model file has no chat template; using the LFM2 chat format";
  else if (chat::detect_template(tmpl) != chat::TemplateKind::Lfm2)
    template_warning_ = "the model's chat template is not an LFM2 template; using the LFM2 chat format instead";
}

void Conversation::set_system(const std::string& text) { system_ = text; }

void Conversation::set_tools(const nlohmann::ordered_json& tools) {
  if (!tools.is_null() && !tools.is_array()) throw Error("tools must be a JSON array");
  tools_ = tools;
}

void Conversation::reset() { messages_ = nlohmann::ordered_json::array(); }

void Conversation::set_messages(const nlohmann::ordered_json& msgs) {
  if (!msgs.is_array()) throw Error("messages must be a JSON array");
  messages_ = nlohmann::ordered_json::array();
  for (const auto& m : msgs) {
    if (m.is_object() && m.value("role", "") == "system" && m.contains("content") && m["content"].is_string())
      system_ = m["content"].get<std::string>();
    else
      messages_.push_back(m);
  }
}

nlohmann::ordered_json Conversation::all_messages() const {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  if (!system_.empty()) all.push_back({{"role", "system"}, {"content", system_}});
  for (const auto& m : messages_) all.push_back(m);
  return all;
}

std::string Conversation::rendered_text() const {
  chat::ChatOptions o;
  o.bos_token = bos_text_;
  const nlohmann::ordered_json* tools = tools_.is_array() && !tools_.empty() ? &tools_ : nullptr;
  return chat::render_lfm2(all_messages(), tools, o).text();
}

std::string Conversation::preview_text(const nlohmann::ordered_json& message) const {
  chat::ChatOptions o;
  o.bos_token = bos_text_;
  const nlohmann::ordered_json* tools = tools_.is_array() && !tools_.empty() ? &tools_ : nullptr;
  nlohmann::ordered_json all = all_messages();
  all.push_back(message);
  return chat::render_lfm2(all, tools, o).text();
}

std::vector<int32_t> Conversation::prompt_tokens() const {
  chat::ChatOptions o;
  o.bos_token = bos_text_;
  const nlohmann::ordered_json* tools = tools_.is_array() && !tools_.empty() ? &tools_ : nullptr;
  return chat::tokenize_rendered(eng_.tokenizer(), chat::render_lfm2(all_messages(), tools, o));
}

TurnResult Conversation::say(const std::string& user_text, GenerateOptions opt) {
  return send({{"role", "user"}, {"content", user_text}}, std::move(opt));
}

TurnResult Conversation::send(const nlohmann::ordered_json& message, GenerateOptions opt) {
  TurnResult tr;
  messages_.push_back(message);
  // Trim the oldest turns (never the system prompt or the new message) until
  // the prompt plus the answer budget fits.
  std::vector<int32_t> prompt = prompt_tokens();
  const int64_t ctx = session_.n_ctx();
  const int64_t reserve = std::min<int64_t>(opt.max_tokens, ctx / 4);
  while (static_cast<int64_t>(prompt.size()) + reserve > ctx && messages_.size() > 1) {
    // Drop up to the next user message so the history still starts with a user turn.
    size_t cut = 1;
    while (cut < messages_.size() - 1 && messages_[cut].value("role", "") != "user") ++cut;
    tr.dropped_messages += static_cast<int>(cut);
    messages_.erase(messages_.begin(), messages_.begin() + static_cast<long>(cut));
    prompt = prompt_tokens();
  }
  if (static_cast<int64_t>(prompt.size()) + 1 > ctx) {
    messages_.erase(messages_.end() - 1);
    throw Error("the conversation needs " + std::to_string(prompt.size()) + " tokens but the context holds " +
                std::to_string(ctx) + " (shorten the message or the system prompt, or raise --ctx)");
  }
  opt.max_tokens = static_cast<int>(std::min<int64_t>(opt.max_tokens, ctx - static_cast<int64_t>(prompt.size())));
  if (auto im_end = eng_.tokenizer().find_token("<|im_end|>")) opt.stop_tokens.push_back(*im_end);
  tr.gen = session_.generate(prompt, opt);
  auto parsed = chat::parse_tool_calls(tr.gen.text);
  tr.content = parsed.error ? tr.gen.text : parsed.content;
  tr.tool_calls = parsed.calls;
  tr.tool_error = parsed.error;
  messages_.push_back({{"role", "assistant"}, {"content", tr.gen.text}});
  return tr;
}

}  // namespace pocketops::engine
