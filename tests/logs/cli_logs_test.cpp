// `pocketops logs` end to end: JSONL fields, stdin, .gz, templates summary
// with --since/--until, persisted ids with --state, and model labelling with its cache.
#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/fixtures.h"

namespace fs = std::filesystem;

namespace {
struct Run {
  int rc;
  std::string out;
};
Run run(const std::string& args, bool with_stderr = true) {
  std::string cmd = pocketops::testing::pocketops_bin() + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  return {WEXITSTATUS(st), out};
}
fs::path tmp(const std::string& name) {
  return fs::temp_directory_path() / ("po_cli_logs_" + std::to_string(::getpid()) + "_" + name);
}
std::vector<nlohmann::json> jsonl(const std::string& s) {
  std::vector<nlohmann::json> v;
  std::istringstream in(s);
  std::string l;
  while (std::getline(in, l)) v.push_back(nlohmann::json::parse(l));
  return v;
}
const char* kLog =
    "2024-03-01T10:00:00Z web01 sshd[100]: Failed password for root from 10.0.0.1 port 22 ssh2\n"
    "2024-03-01T10:00:05Z web01 sshd[101]: Accepted password for alice from 10.0.0.2 port 2222 ssh2\n"
    "2024-03-02T11:00:00Z web01 sshd[102]: Failed password for bob from 10.0.0.3 port 23 ssh2\n"
    "\xff\xfe binary junk \x01\n"
    "2024-03-03T12:00:00Z web01 sshd[103]: Failed password for carol from 10.0.0.4 port 24 ssh2\n";
}  // namespace

TEST(CliLogs, ParseEmitsJsonlWithHeaderAndTemplate) {
  auto f = tmp("a.log");
  std::ofstream(f, std::ios::binary) << kLog;
  auto r = run("logs parse " + f.string());
  ASSERT_EQ(r.rc, 0) << r.out;
  auto v = jsonl(r.out);
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0]["line"], 1);
  EXPECT_EQ(v[0]["ts"], "2024-03-01T10:00:00Z");
  EXPECT_EQ(v[0]["host"], "web01");
  EXPECT_EQ(v[0]["component"], "sshd");
  EXPECT_EQ(v[0]["template"], "Failed password for <*> from <*> port <*> <*>");
  EXPECT_EQ(v[0]["params"], nlohmann::json({"root", "10.0.0.1", "22", "ssh2"}));
  EXPECT_EQ(v[0]["template_id"], v[2]["template_id"]);
  EXPECT_EQ(v[0]["template_id"], v[4]["template_id"]);
  EXPECT_NE(v[0]["template_id"], v[1]["template_id"]);
  EXPECT_EQ(v[3]["line"], 4);  // junk line is reported, stream continues
  fs::remove(f);
}

TEST(CliLogs, StdinGzipAndEmptyInput) {
  auto gz = tmp("b.log.gz");
  gzFile g = gzopen(gz.c_str(), "wb");
  gzwrite(g, kLog, static_cast<unsigned>(std::strlen(kLog)));
  gzclose(g);
  auto r = run("logs parse --format table " + gz.string());
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("Failed password for <*> from <*> port <*> <*>"), std::string::npos);
  auto e = run("logs parse - < /dev/null");
  EXPECT_EQ(e.rc, 0);
  EXPECT_EQ(e.out, "");
  auto s = run("logs parse < " + gz.string());
  EXPECT_EQ(jsonl(s.out).size(), 5u);
  fs::remove(gz);
}

TEST(CliLogs, TemplatesSummaryAndTimeWindow) {
  auto f = tmp("c.log");
  std::ofstream(f, std::ios::binary) << kLog;
  auto r = run("logs templates --format jsonl " + f.string());
  ASSERT_EQ(r.rc, 0) << r.out;
  auto v = jsonl(r.out);
  ASSERT_GE(v.size(), 2u);
  EXPECT_EQ(v[0]["count"], 3);  // sorted by count
  EXPECT_EQ(v[0]["first_seen"], "2024-03-01T10:00:00Z");
  EXPECT_EQ(v[0]["last_seen"], "2024-03-03T12:00:00Z");
  EXPECT_NE(v[0]["example"].get<std::string>().find("root"), std::string::npos);
  auto w = jsonl(run("logs templates --format jsonl --since 2024-03-02 --until 2024-03-02 " + f.string()).out);
  ASSERT_EQ(w.size(), 2u);  // bob's failure + the junk line, which inherits bob's timestamp
  EXPECT_EQ(w[0]["count"].get<int>() + w[1]["count"].get<int>(), 2);
  bool bob = false;
  for (const auto& row : w) bob |= row["example"].get<std::string>().find("bob") != std::string::npos;
  EXPECT_TRUE(bob);
  auto bad = run("logs templates --since yesterday " + f.string());
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("bad time bound"), std::string::npos);
  fs::remove(f);
}

TEST(CliLogs, StateKeepsIdsAcrossRuns) {
  auto db = tmp("state.sqlite");
  auto f1 = tmp("d1.log"), f2 = tmp("d2.log");
  std::ofstream(f1) << "disk sda1 is full\nlink eth0 down\n";
  std::ofstream(f2) << "fan 2 failed\nlink eth7 down\ndisk sdb1 is full\n";
  auto a = jsonl(run("logs parse --state " + db.string() + " " + f1.string()).out);
  auto b = jsonl(run("logs parse --state " + db.string() + " " + f2.string()).out);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[1]["template_id"], a[1]["template_id"]);
  EXPECT_EQ(b[2]["template_id"], a[0]["template_id"]);
  fs::remove(db);
  fs::remove(f1);
  fs::remove(f2);
}

TEST(CliLogs, Errors) {
  auto r = run("logs parse /nonexistent/x.log");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("cannot open log"), std::string::npos);
  auto f = tmp("lab0.log");
  std::ofstream(f, std::ios::binary) << kLog;
  auto l = run("logs label -m /nonexistent/model.gguf --cache " + tmp("c0.sqlite").string() + " " + f.string());
  EXPECT_NE(l.out.find("cannot open '/nonexistent/model.gguf'"), std::string::npos) << l.out;
  fs::remove(f);
}

// Labels come from the model (schema-constrained), once per template, and are
// served from the SQLite cache on the next run without loading the model.
TEST(CliLogs, LabelPerTemplateWithCache) {
  POCKETOPS_REQUIRE_FIXTURES();
  auto f = tmp("lab.log");
  auto cache = tmp("labels.sqlite");
  std::ofstream(f, std::ios::binary) << kLog;
  const std::string model = pocketops::testing::fixtures_dir() + "/models/tiny-q4_k_m.gguf";
  auto r1 = run("logs label -m " + model + " --cache " + cache.string() + " " + f.string(), false);
  ASSERT_EQ(r1.rc, 0) << r1.out;
  auto v1 = jsonl(r1.out);
  ASSERT_GE(v1.size(), 2u);
  for (const auto& j : v1) {
    EXPECT_TRUE(j["suggestion"].get<bool>());
    ASSERT_TRUE(j.contains("severity")) << j.dump();
    EXPECT_TRUE(j.contains("category"));
    EXPECT_FALSE(j["cached"].get<bool>());
  }
  // Second run: same answers, all cached; a missing model file proves the model is not needed.
  auto r2 = run("logs label -m /nonexistent.gguf --cache " + cache.string() + " " + f.string(), false);
  ASSERT_EQ(r2.rc, 0) << r2.out;
  auto v2 = jsonl(r2.out);
  ASSERT_EQ(v2.size(), v1.size());
  for (size_t i = 0; i < v2.size(); ++i) {
    EXPECT_TRUE(v2[i]["cached"].get<bool>());
    EXPECT_EQ(v2[i]["probable_cause"], v1[i]["probable_cause"]);
  }
  fs::remove(f);
  fs::remove(cache);
}
