// Masking rules: which token parts become <*> and which params are reported.
#include <gtest/gtest.h>

#include "logs/masker.h"

using namespace pocketops::logs;

namespace {
std::string masked(std::string_view msg) {
  MaskedLine m;
  mask_message(msg, m);
  return m.text;
}
}  // namespace

TEST(Masker, MasksVariablePartsKeepsWords) {
  EXPECT_EQ(masked("Accepted password for root from 10.0.0.1 port 22 ssh2"),
            "Accepted password for <*> from <*> port <*> <*>");
  EXPECT_EQ(masked("Invalid user admin from fe80::1:2"), "Invalid user <*> from <*>");
  EXPECT_EQ(masked("token 123e4567-e89b-12d3-a456-426614174000 expired"), "token <*> expired");
  EXPECT_EQ(masked("GET https://example.com/a?b=1 failed"), "GET <*> failed");
  EXPECT_EQ(masked("mail to bob@example.org bounced"), "mail to <*> bounced");
  EXPECT_EQ(masked("open /var/log/messages: permission denied"), "open <*>: permission denied");
  EXPECT_EQ(masked("took 12ms, wrote 4.5MB at 0x7ffd1234"), "took <*>, wrote <*> at <*>");
  EXPECT_EQ(masked("Served block blk_-1608999687919862906 to /10.250.14.224"), "Served block <*> to <*>");
  EXPECT_EQ(masked("resolved mail.example.com ok"), "resolved <*> ok");
  EXPECT_EQ(masked("session opened (uid=0) tty= ok"), "session opened (uid=<*>) tty= ok");
  EXPECT_EQ(masked("status: 200 len:1893"), "status: <*> len:<*>");
  EXPECT_EQ(masked("C:\\Windows\\system32\\x.dll loaded"), "<*> loaded");
  EXPECT_EQ(masked("org.apache.hadoop.Foo started"), "org.apache.hadoop.Foo started");
  EXPECT_EQ(masked("  leading   and trailing  "), "leading and trailing");
}

TEST(Masker, ParamsAreOriginalTexts) {
  MaskedLine m;
  mask_message("from 1.2.3.4:22, (uid=0)", m);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], "1.2.3.4:22");
  EXPECT_EQ(m.params[1], "0");
  EXPECT_EQ(m.token(0), "from");
  EXPECT_EQ(m.token(1), "<*>,");
}

TEST(Masker, BoundsTokenCountAndTokenSize) {
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "word ";
  MaskedLine m;
  MaskerOptions o;
  o.max_tokens = 10;
  mask_message(many, m, o);
  ASSERT_EQ(m.tokens.size(), 10u);
  EXPECT_EQ(m.token(9), "<*>");
  std::string longtok(5000, 'a');
  mask_message("x " + longtok, m);
  EXPECT_EQ(m.text, "x <*>");
}

TEST(Masker, EmptyAndJunk) {
  MaskedLine m;
  mask_message("", m);
  EXPECT_TRUE(m.tokens.empty());
  mask_message("\xff\xfe\x80 \x01\x02", m);
  EXPECT_EQ(m.tokens.size(), 2u);
}
