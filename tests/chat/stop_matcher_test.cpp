// StopMatcher tests: stop strings split across chunks, hold-back of possible
// prefixes, earliest match wins, UTF-8 hold-back, flush and reset.
#include <gtest/gtest.h>

#include "chat/stop_matcher.h"

using pocketops::chat::StopMatcher;

namespace {
// Feeds chunks; returns everything emitted and whether/which stop fired.
std::pair<std::string, std::string> run(StopMatcher& m, const std::vector<std::string>& chunks) {
  std::string out, stop;
  for (const auto& c : chunks) {
    auto r = m.push(c);
    out += r.text;
    if (r.stopped) stop = r.stop;
  }
  out += m.flush();
  return {out, stop};
}
}  // namespace

TEST(StopMatcher, NoStopsPassesThrough) {
  StopMatcher m;
  auto r = m.push("hello");
  EXPECT_EQ(r.text, "hello");
  EXPECT_FALSE(r.stopped);
}

TEST(StopMatcher, StopSplitAcrossChunks) {
  StopMatcher m({"\nUser:"});
  auto r1 = m.push("answer\nUs");
  EXPECT_EQ(r1.text, "answer");  // "\nUs" is held back
  EXPECT_FALSE(r1.stopped);
  auto r2 = m.push("er: more");
  EXPECT_TRUE(r2.stopped);
  EXPECT_EQ(r2.text, "");
  EXPECT_EQ(r2.stop, "\nUser:");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.push("ignored").text, "");
  EXPECT_EQ(m.flush(), "");
}

TEST(StopMatcher, FalseStartIsReleased) {
  StopMatcher m({"STOP"});
  auto r1 = m.push("a ST");
  EXPECT_EQ(r1.text, "a ");
  auto r2 = m.push("ART b");
  EXPECT_EQ(r2.text, "START b");
  EXPECT_FALSE(r2.stopped);
  EXPECT_EQ(run(m, {"x S", "TO", "P tail"}), (std::pair<std::string, std::string>{"x ", "STOP"}));
}

TEST(StopMatcher, EarliestMatchWins) {
  StopMatcher m({"bc", "abcd", "xyz"});
  auto r = m.push("zzabcdxyz");
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "zz");
  EXPECT_EQ(r.stop, "abcd");
  StopMatcher t({"ab", "abc"});  // same start: the longer one
  auto q = t.push("xabcz");
  EXPECT_EQ(q.stop, "abc");
  EXPECT_EQ(q.text, "x");
}

TEST(StopMatcher, ByteAtATime) {
  StopMatcher m({"<|im_end|>", "\n\n\n"});
  const std::string text = "line one\n\nline two <|im_en not yet <|im_end|> after";
  std::vector<std::string> bytes;
  for (char c : text) bytes.emplace_back(1, c);
  auto [out, stop] = run(m, bytes);
  EXPECT_EQ(out, "line one\n\nline two <|im_en not yet ");
  EXPECT_EQ(stop, "<|im_end|>");
}

TEST(StopMatcher, FlushReleasesHeldTextAtEnd) {
  StopMatcher m({"END"});
  auto r = m.push("almost EN");
  EXPECT_EQ(r.text, "almost ");
  EXPECT_EQ(m.flush(), "EN");
  m.reset();
  EXPECT_EQ(m.push("x").text, "x");
}

TEST(StopMatcher, HoldsBackIncompleteUtf8) {
  StopMatcher m;
  const std::string fire = "\xF0\x9F\x94\xA5";  // U+1F525
  auto r1 = m.push("hi " + fire.substr(0, 2));
  EXPECT_EQ(r1.text, "hi ");
  auto r2 = m.push(fire.substr(2));
  EXPECT_EQ(r2.text, fire);
  auto r3 = m.push("\xC3");
  EXPECT_EQ(r3.text, "");
  EXPECT_EQ(m.flush(), "\xC3");
}

TEST(StopMatcher, EmptyStopStringsIgnored) {
  StopMatcher m({"", "x"});
  EXPECT_EQ(m.stops().size(), 1u);
  auto r = m.push("abc");
  EXPECT_EQ(r.text, "abc");
  EXPECT_FALSE(r.stopped);
}
