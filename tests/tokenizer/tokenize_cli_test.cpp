// CLI tests for `pocketops tokenize`: ids for fixture lines match the library
// and the fixture, --pieces output, --file input, and clear usage errors.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/fixtures.h"
#include "synthetic_vocab.h"

namespace fs = std::filesystem;

namespace {

using pocketops::testing::CliResult;
using CliRun = CliResult;

class TokenizeCli : public pocketops::testing::TempDirTest {
 protected:
  // Runs `pocketops tokenize ARGS...` without a shell (arguments pass verbatim).
  CliRun run(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"tokenize"};
    full.insert(full.end(), args.begin(), args.end());
    return run_pocketops(full);
  }
  static std::string model() { return pocketops::testing::fixtures_dir() + "/models/tiny-f32.gguf"; }
  static std::string join(const std::vector<int32_t>& ids) {
    std::string s;
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
    return s + "\n";
  }
};

}  // namespace

TEST_F(TokenizeCli, FixtureLinesAllVariants) {
  POCKETOPS_REQUIRE_FIXTURES();
  std::ifstream in(pocketops::testing::fixtures_dir() + "/tokenizer/expected.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line) && n < 70) {
    const auto j = nlohmann::json::parse(line);
    const std::string text = j.at("text").get<std::string>();
    SCOPED_TRACE(text);
    CliRun r = run({"-m", model(), text});
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, join(j.at("ids").get<std::vector<int32_t>>()));
    r = run({"-m", model(), "--no-bos", "--parse-special", text});
    EXPECT_EQ(r.out, join(j.at("ids_parse_special_no_bos").get<std::vector<int32_t>>()));
    // Same through --file (exact bytes, no trailing newline added).
    r = run({"-m", model(), "--no-bos", "--file", write("in.txt", text).string()});
    EXPECT_EQ(r.out, join(j.at("ids_no_bos").get<std::vector<int32_t>>()));
    ++n;
  }
  EXPECT_GT(n, 60);
}

TEST_F(TokenizeCli, PiecesShowEscapedBytes) {
  tokenizer_test::SynthVocab v;
  const int32_t bos = v.add("<s>", 3);
  v.bos = bos;
  v.add_bos = true;
  const int32_t sp_a = v.merge(" ", "a");
  const auto bytes = v.gguf_bytes();
  const fs::path m = write("v.gguf", std::string(bytes.begin(), bytes.end()));
  CliRun r = run({"-m", m.string(), "--pieces", "x a\n\xC3\xA9\\"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(bos) + "\t<s>\n120\tx\n" + std::to_string(sp_a) +
                       "\t a\n10\t\\n\n195\t\\xc3\n169\t\\xa9\n92\t\\\\\n");
  r = run({"-m", m.string(), "x"});
  EXPECT_EQ(r.out, std::to_string(bos) + ",120\n");
  r = run({"-m", m.string(), "--no-bos", ""});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "\n");
}

TEST_F(TokenizeCli, UsageErrors) {
  tokenizer_test::SynthVocab v;
  const auto bytes = v.gguf_bytes();
  const std::string m = write("v.gguf", std::string(bytes.begin(), bytes.end())).string();

  CliRun r = run({"-m", m});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("nothing to tokenize"), std::string::npos) << r.err;

  r = run({"-m", m, "--file", write("a.txt", "x").string(), "text"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("not both"), std::string::npos) << r.err;

  r = run({"-m", (dir_ / "missing.gguf").string(), "x"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("missing.gguf"), std::string::npos) << r.err;

  r = run({"-m", m, "--file", (dir_ / "nope.txt").string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("nope.txt"), std::string::npos) << r.err;

  r = run({"x"});  // no model
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("model"), std::string::npos) << r.err;

  const fs::path junk = write("junk.gguf", "GGUF not really");
  r = run({"-m", junk.string(), "x"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;

  tokenizer_test::SynthVocab bad;
  bad.merges.push_back("a zzz");
  const auto bb = bad.gguf_bytes();
  r = run({"-m", write("bad.gguf", std::string(bb.begin(), bb.end())).string(), "x"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("unknown token 'zzz'"), std::string::npos) << r.err;
}
