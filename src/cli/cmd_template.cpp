// `pocketops template`: prints a chat rendered exactly as the model will see it
// (the file's bos token, the LFM2 template), for checking prompts and tools.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "chat/chat_template.h"
#include "cli/command.h"
#include "common/error.h"
#include "gguf/gguf_reader.h"

namespace {

using ojson = nlohmann::ordered_json;

ojson read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw pocketops::Error(path + ": cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw pocketops::Error(path + ": read failed");
  try {
    return ojson::parse(ss.str());
  } catch (const ojson::exception& e) {
    throw pocketops::Error(path + ": " + e.what());
  }
}

// Text of the BOS token from tokenizer.ggml.tokens[tokenizer.ggml.bos_token_id].
std::string bos_text(const pocketops::gguf::File& f) {
  const auto bos = f.get_int_opt("tokenizer.ggml.bos_token_id");
  const auto* toks = f.find("tokenizer.ggml.tokens");
  if (!bos || !toks) return "";
  pocketops::require(toks->is_array() && toks->elem_type == pocketops::gguf::ValueType::STRING,
                     f.path() + ": tokenizer.ggml.tokens is not a string array");
  pocketops::require(*bos >= 0 && static_cast<uint64_t>(*bos) < toks->size(),
                     f.path() + ": tokenizer.ggml.bos_token_id " + std::to_string(*bos) + " is out of range");
  return std::string(toks->string_at(static_cast<uint64_t>(*bos)));
}

int run(int argc, char** argv) {
  CLI::App app{"Print a chat rendered with the model's template, exactly as the model sees it"};
  std::string model, messages_path, tools_path;
  bool no_gen = false;
  app.add_option("-m,--model", model, "GGUF model file")->required();
  app.add_option("--messages", messages_path, "OpenAI-style messages array (JSON file)")->required();
  app.add_option("--tools", tools_path, "tools array (JSON file)");
  app.add_flag("--no-generation-prompt", no_gen, "do not end with the assistant turn opener");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  const auto file = pocketops::gguf::File::open(model);
  const ojson messages = read_json_file(messages_path);
  ojson tools;
  if (!tools_path.empty()) tools = read_json_file(tools_path);

  const std::string tmpl = file->get_string("tokenizer.chat_template");
  pocketops::chat::ChatOptions opt;
  if (tmpl.empty())
    std::fprintf(stderr, "warning: %s has no tokenizer.chat_template; using the LFM2 chat format\n", model.c_str());
  else if (pocketops::chat::detect_template(tmpl) != pocketops::chat::TemplateKind::Lfm2)
    std::fprintf(stderr, "warning: %s has a chat template that is not LFM2-family; using the LFM2 chat format\n",
                 model.c_str());
  else
    opt = pocketops::chat::chat_options_for_template(tmpl);  // LFM2 v1 vs LFM2.5 details
  opt.add_generation_prompt = !no_gen;
  opt.bos_token = bos_text(*file);
  const auto rendered = pocketops::chat::render_lfm2(messages, tools_path.empty() ? nullptr : &tools, opt);
  const std::string text = rendered.text();
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    throw pocketops::Error("cannot write to stdout");
  return 0;
}

}  // namespace

POCKETOPS_COMMAND("template", "print a chat rendered with the model's template (prompt debugging)", run);
