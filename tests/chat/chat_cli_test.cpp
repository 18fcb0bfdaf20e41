// CLI tests for `pocketops template`: fixture cases rendered through the
// binary byte-for-byte, the non-LFM2 warning, and malformed-input errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "gguf/gguf_value.h"
#include "gguf/gguf_writer.h"
#include "support/cli_run.h"
#include "support/fixtures.h"

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

using CliRun = pocketops::testing::CliResult;
using pocketops::testing::slurp;

class TemplateCli : public pocketops::testing::TempDirTest {
 protected:
  CliRun run(const std::string& args) {
    const fs::path o = dir_ / "stdout", e = dir_ / "stderr";
    const std::string cmd = "'" + pocketops::testing::pocketops_bin() + "' template " + args + " >'" + o.string() + "' 2>'" + e.string() + "'";
    const int st = std::system(cmd.c_str());
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(o), slurp(e)};
  }
  std::string model() const { return pocketops::testing::fixtures_dir() + "/models/tiny-f32.gguf"; }
};

}  // namespace

TEST_F(TemplateCli, FixtureCasesByteIdentical) {
  POCKETOPS_REQUIRE_FIXTURES();
  std::ifstream in(pocketops::testing::fixtures_dir() + "/chat/lfm2.5-instruct.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const ojson c = ojson::parse(line);
    SCOPED_TRACE(c["name"].get<std::string>());
    std::string args = "-m '" + model() + "' --messages '" + write("m.json", c["messages"].dump()).string() + "'";
    if (!c["tools"].is_null()) args += " --tools '" + write("t.json", c["tools"].dump()).string() + "'";
    if (!c["add_generation_prompt"].get<bool>()) args += " --no-generation-prompt";
    const CliRun r = run(args);
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, c["expected"].get<std::string>());
    EXPECT_EQ(r.err, "");
    ++n;
  }
  EXPECT_GE(n, 10);
}

TEST_F(TemplateCli, MalformedJsonIsAnError) {
  POCKETOPS_REQUIRE_FIXTURES();
  const auto bad = write("bad.json", "[{\"role\": \"user\",");
  CliRun r = run("-m '" + model() + "' --messages '" + bad.string() + "'");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: " + bad.string() + ": ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("parse error"), std::string::npos) << r.err;

  const auto obj = write("obj.json", "{\"role\": \"user\"}");
  r = run("-m '" + model() + "' --messages '" + obj.string() + "'");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("error: messages must be a JSON array"), std::string::npos) << r.err;

  const auto good = write("good.json", "[{\"role\": \"user\", \"content\": \"x\"}]");
  r = run("-m '" + model() + "' --messages '" + good.string() + "' --tools '" + bad.string() + "'");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.rfind("error: " + bad.string() + ": ", 0), 0u) << r.err;

  r = run("-m '" + (dir_ / "missing.gguf").string() + "' --messages '" + good.string() + "'");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u);
}

TEST_F(TemplateCli, UnknownTemplateWarnsAndUsesLfm2Format) {
  using namespace pocketops::gguf;
  Writer w;
  w.set("general.architecture", make_string("lfm2"));
  w.set("tokenizer.ggml.tokens", make_string_array({"a", "b", "<s>"}));
  w.set("tokenizer.ggml.bos_token_id", make_u32(2));
  w.set("tokenizer.chat_template", make_string("{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}"));
  const fs::path gguf = dir_ / "other.gguf";
  w.write(gguf.string());
  const auto msgs = write("m.json", "[{\"role\": \"user\", \"content\": \"hi\"}]");
  const CliRun r = run("-m '" + gguf.string() + "' --messages '" + msgs.string() + "'");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "<s><|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_NE(r.err.find("warning:"), std::string::npos);
  EXPECT_NE(r.err.find("not LFM2"), std::string::npos);
}
