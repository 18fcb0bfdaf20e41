// `pocketops tokenize`: prints the token ids of a text (or a file) as the
// model's own tokenizer produces them; --pieces shows each token's bytes.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/command.h"
#include "common/error.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace {

constexpr size_t kMaxInput = size_t{256} << 20;  // 256 MiB

std::string read_input_file(const std::string& path) {
  std::string data;
  if (path == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw pocketops::Error(path + ": cannot open file");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size > static_cast<std::streamoff>(kMaxInput))
      throw pocketops::Error(path + ": file is larger than 256 MiB");
    in.seekg(0, std::ios::beg);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw pocketops::Error(path + ": read failed");
    data = ss.str();
  }
  if (data.size() > kMaxInput) throw pocketops::Error("input is larger than 256 MiB");
  return data;
}

// A token's bytes made printable on one line: escapes for control characters,
// backslash and bytes that are not valid UTF-8.
std::string escape_piece(const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const int r = pocketops::tokenizer::check_utf8_at(s, i);
      if (r > 0) {
        out.append(s, i, static_cast<size_t>(r));
        i += static_cast<size_t>(r);
        continue;
      }
    }
    char buf[8];
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  return out;
}

int run(int argc, char** argv) {
  CLI::App app{"Print the token ids of a text as the model's tokenizer produces them"};
  std::string model, text, file;
  bool no_bos = false, parse_special = false, pieces = false;
  app.add_option("-m,--model", model, "GGUF model file")->required();
  app.add_flag("--no-bos", no_bos, "do not add the BOS token (default: as the model's metadata says)");
  app.add_flag("--parse-special", parse_special, "turn special-token text such as <|im_end|> into those tokens");
  app.add_flag("--pieces", pieces, "print one token per line: id, tab, its bytes (escaped)");
  auto* file_opt = app.add_option("-f,--file", file, "read the text from a file ('-' for standard input)");
  auto* text_opt = app.add_option("text", text, "text to tokenize");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const bool have_text = text_opt->count() > 0, have_file = file_opt->count() > 0;
  if (have_text && have_file) throw pocketops::Error("give either TEXT or --file, not both");
  if (!have_text && !have_file) throw pocketops::Error("nothing to tokenize: give TEXT or --file FILE");
  if (have_file) text = read_input_file(file);

  const auto gguf = pocketops::gguf::File::open(model);
  const auto tok = pocketops::tokenizer::Tokenizer::from_gguf(*gguf);
  const bool add_bos = no_bos ? false : tok.add_bos();
  const std::vector<int32_t> ids = tok.encode(text, add_bos, parse_special);

  std::string out;
  if (pieces) {
    for (int32_t id : ids) out += std::to_string(id) + "\t" + escape_piece(tok.token_bytes(id)) + "\n";
  } else {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(ids[i]);
    }
    out += '\n';
  }
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0)
    throw pocketops::Error("cannot write to standard output");
  return 0;
}

}  // namespace

POCKETOPS_COMMAND("tokenize", "print the token ids of a text (or file) for a model", run);
