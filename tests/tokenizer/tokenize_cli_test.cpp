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

#include "support/fixtures.h"
#include "synthetic_vocab.h"

namespace fs = std::filesystem;

namespace {

struct CliRun {
  int rc = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TokenizeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("po_tok_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `pocketops tokenize ARGS...` without a shell (arguments pass verbatim).
  CliRun run(const std::vector<std::string>& args) {
    const fs::path o = dir_ / "stdout", e = dir_ / "stderr";
    std::vector<std::string> full = {pocketops::testing::pocketops_bin(), "tokenize"};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fo = ::open(o.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int fe = ::open(e.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int fi = ::open("/dev/null", O_RDONLY);
      ::dup2(fo, 1);
      ::dup2(fe, 2);
      ::dup2(fi, 0);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(o), slurp(e)};
  }
  fs::path write(const std::string& name, const std::string& body) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << body;
    return p;
  }
  static std::string model() { return pocketops::testing::fixtures_dir() + "/models/tiny-f32.gguf"; }
  static std::string join(const std::vector<int32_t>& ids) {
    std::string s;
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
    return s + "\n";
  }
  fs::path dir_;
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
