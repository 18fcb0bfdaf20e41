// LineReader: plain and gzip input, CRLF, missing final newline, empty input,
// binary junk, over-long lines (cut, stream continues) and follow mode.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "logs/line_reader.h"
#include "logs/log_parser.h"

using namespace pocketops::logs;
namespace fs = std::filesystem;

namespace {
fs::path write_file(const std::string& name, const std::string& data) {
  auto p = fs::temp_directory_path() / ("po_lr_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream f(p, std::ios::binary);
  f << data;
  return p;
}
std::vector<std::string> read_all(const fs::path& p, LineReaderOptions o = {}) {
  LineReader r(p.string(), o);
  std::vector<std::string> v;
  std::string_view l;
  while (r.next(l)) v.emplace_back(l);
  return v;
}
}  // namespace

TEST(LineReader, PlainCrlfAndNoFinalNewline) {
  auto p = write_file("a.log", "one\r\ntwo\n\nthree");
  auto v = read_all(p);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], "one");
  EXPECT_EQ(v[2], "");
  EXPECT_EQ(v[3], "three");
  fs::remove(p);
}

TEST(LineReader, EmptyInput) {
  auto p = write_file("empty.log", "");
  EXPECT_TRUE(read_all(p).empty());
  fs::remove(p);
}

TEST(LineReader, GzipByContent) {
  auto p = fs::temp_directory_path() / ("po_lr_" + std::to_string(::getpid()) + "_x.gz");
  gzFile g = gzopen(p.c_str(), "wb");
  for (int i = 0; i < 10000; ++i) {
    std::string l = "line " + std::to_string(i) + "\n";
    gzwrite(g, l.data(), static_cast<unsigned>(l.size()));
  }
  gzclose(g);
  auto v = read_all(p);
  ASSERT_EQ(v.size(), 10000u);
  EXPECT_EQ(v[9999], "line 9999");
  fs::remove(p);
}

TEST(LineReader, MegabyteLinesAndJunkDoNotStopTheStream) {
  using namespace std::string_literals;
  std::string data = "before\n"s + std::string(3u << 20, 'x') + "\n\xff\xfe\x00\x01junk\xc3\x28\nafter\n"s;
  data[9] = '\0';
  auto p = write_file("big.log", data);
  LineReaderOptions o;
  o.max_line_bytes = 1u << 20;
  LineReader r(p.string(), o);
  std::string_view l;
  std::vector<std::string> v;
  std::vector<bool> cut;
  LogParser parser;
  while (r.next(l)) {
    v.emplace_back(l);
    cut.push_back(r.last_truncated());
    parser.parse(l);  // must not crash on any of them
  }
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[1].size(), 1u << 20);
  EXPECT_TRUE(cut[1]);
  EXPECT_EQ(v[2].size(), 10u);
  EXPECT_EQ(v[3], "after");
  fs::remove(p);
}

TEST(LineReader, MissingFileIsAClearError) {
  EXPECT_THROW(LineReader("/nonexistent/file.log"), pocketops::Error);
}

TEST(LineReader, FollowSeesAppendedLines) {
  auto p = write_file("follow.log", "first\n");
  LineReaderOptions o;
  o.follow = true;
  o.follow_poll_ms = 20;
  LineReader r(p.string(), o);
  std::string_view l;
  ASSERT_TRUE(r.next(l));
  EXPECT_EQ(l, "first");
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ofstream f(p, std::ios::app);
    f << "second\n";
    f.flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    r.stop();
  });
  ASSERT_TRUE(r.next(l));
  EXPECT_EQ(l, "second");
  EXPECT_FALSE(r.next(l));  // stopped
  writer.join();
  fs::remove(p);
}
