// Parser pipeline, memory caps with eviction, SQLite persistence of template
// ids across runs, and user rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "logs/log_parser.h"
#include "logs/rules.h"
#include "logs/template_store.h"
#include "logs/template_summary.h"
#include "logs/timestamp.h"

using namespace pocketops::logs;
namespace fs = std::filesystem;

namespace {
size_t wildcards(const std::string& t) {
  size_t n = 0;
  for (size_t p = t.find("<*>"); p != std::string::npos; p = t.find("<*>", p + 3)) ++n;
  return n;
}
fs::path temp_path(const std::string& name) {
  auto p = fs::temp_directory_path() / ("po_logs_" + std::to_string(::getpid()) + "_" + name);
  fs::remove(p);
  return p;
}
}  // namespace

TEST(Parser, ParamsMatchTemplateWildcardsAfterGeneralization) {
  LogParser p;
  p.parse("Jan  1 00:00:01 h app[1]: Started job alpha on worker one");
  const auto& r = p.parse("Jan  1 00:00:02 h app[1]: Started job beta on worker 7");
  std::string text = r.tpl->text();
  EXPECT_EQ(text, "Started job <*> on worker <*>");
  ASSERT_EQ(r.params.size(), wildcards(text));
  EXPECT_EQ(r.params[0], "beta");
  EXPECT_EQ(r.params[1], "7");
}

TEST(Parser, EvictionKeepsMemoryBounded) {
  ParserOptions o;
  o.miner.max_templates = 50;
  LogParser p(o);
  for (int i = 0; i < 5000; ++i) {
    std::string line = "event kind" + std::string(1, 'a' + i % 26) + std::string(1, 'a' + (i / 26) % 26) +
                       std::string(1, 'a' + (i / 676) % 26) + " happened";
    p.parse(line);
    ASSERT_LE(p.miner().size(), 50u);
  }
  EXPECT_GT(p.miner().evictions(), 0u);
}

TEST(Parser, TemplateBytesCapEvictsToo) {
  ParserOptions o;
  o.miner.max_template_bytes = 64 * 1024;
  LogParser p(o);
  std::string big(80, 'x');
  for (int i = 0; i < 3000; ++i) {
    std::string w(1, 'a' + i % 26);
    w += std::string(1, 'a' + (i / 26) % 26) + std::string(1, 'a' + (i / 676) % 26);
    p.parse(w + " " + big + " " + w + " " + big + " " + w);
  }
  EXPECT_GT(p.miner().evictions(), 0u);
  size_t bytes = 0;
  for (const auto* t : p.miner().templates()) bytes += t->bytes();
  EXPECT_LE(bytes, 64u * 1024 + 4096);
}

TEST(Store, TemplateIdsAreStableAcrossRuns) {
  auto db = temp_path("store.sqlite");
  uint64_t id_a, id_b;
  {
    TemplateStore store(db.string());
    LogParser p;
    store.attach(p.miner());
    TemplateSummary sum;
    for (auto* l : {"disk sda1 is full", "link eth0 down", "disk sdb2 is full"}) {
      const auto& r = p.parse(l);
      sum.add(r, l, "");
    }
    id_a = p.parse("disk sdc9 is full").tpl->id;
    id_b = p.parse("link eth3 down").tpl->id;
    store.save(sum.store_rows());
  }
  {
    TemplateStore store(db.string());
    EXPECT_EQ(store.size(), 2u);
    LogParser p;
    store.attach(p.miner());
    // Another run, other order, a new event first: old events keep their ids.
    uint64_t id_c = p.parse("fan 3 failed").tpl->id;
    EXPECT_EQ(p.parse("link eth9 down").tpl->id, id_b);
    EXPECT_EQ(p.parse("disk sdz1 is full").tpl->id, id_a);
    EXPECT_NE(id_c, id_a);
    EXPECT_NE(id_c, id_b);
  }
  fs::remove(db);
}

TEST(Store, RejectsGarbageFile) {
  auto db = temp_path("garbage.sqlite");
  {
    std::ofstream f(db);
    f << std::string(4096, 'z');
  }
  EXPECT_THROW(TemplateStore s(db.string()), pocketops::Error);
  fs::remove(db);
}

TEST(Rules, ExtraMasksFixedTemplatesAndKnobs) {
  auto rules = std::make_shared<const RuleSet>(RuleSet::parse(
      "# site rules\nmask order-[A-Z]+\ntemplate Backup of <*> finished\nthreshold 0.8\n", "test"));
  ASSERT_TRUE(rules->threshold.has_value());
  EXPECT_DOUBLE_EQ(*rules->threshold, 0.8);
  LogParser p({}, rules);
  const auto& a = p.parse("processing order-ABC now");
  EXPECT_EQ(a.tpl->text(), "processing <*> now");
  ASSERT_EQ(a.params.size(), 1u);
  EXPECT_EQ(a.params[0], "order-ABC");
  uint64_t order_id = a.tpl->id;
  EXPECT_EQ(p.parse("processing order-XYZ now").tpl->id, order_id);
  const auto& b = p.parse("Backup of home directory  finished");
  EXPECT_TRUE(b.tpl->fixed);
  EXPECT_EQ(b.tpl->text(), "Backup of <*> finished");
  ASSERT_EQ(b.params.size(), 1u);
  EXPECT_EQ(b.params[0], "home directory");
}

TEST(Rules, BadRulesGiveClearErrors) {
  try {
    RuleSet::parse("mask (unclosed\n", "r.conf");
    FAIL();
  } catch (const pocketops::Error& e) {
    EXPECT_NE(std::string(e.what()).find("r.conf:1"), std::string::npos);
  }
  EXPECT_THROW(RuleSet::parse("frobnicate 1\n"), pocketops::Error);
  EXPECT_THROW(RuleSet::parse("threshold abc\n"), pocketops::Error);
  EXPECT_THROW(RuleSet::parse("threshold 7\n"), pocketops::Error);
  EXPECT_THROW(RuleSet::load("/nonexistent/rules"), pocketops::Error);
}

TEST(Timestamp, NormalizesCommonStyles) {
  EXPECT_EQ(normalize_timestamp("2024-01-02T03:04:05.123Z", 2000), "2024-01-02T03:04:05");
  EXPECT_EQ(normalize_timestamp("Jun 14 15:16:01", 2023), "2023-06-14T15:16:01");
  EXPECT_EQ(normalize_timestamp("10/Oct/2000:13:55:36 -0700", 1), "2000-10-10T13:55:36");
  EXPECT_EQ(normalize_timestamp("081109 203615", 1), "2008-11-09T20:36:15");
  EXPECT_EQ(normalize_timestamp("17/06/09 20:10:40", 1), "2017-06-09T20:10:40");
  EXPECT_EQ(normalize_timestamp("Sun Dec 04 04:47:44 2005", 1), "2005-12-04T04:47:44");
  EXPECT_EQ(normalize_timestamp("1117838570", 1), "2005-06-03T22:42:50");
  EXPECT_EQ(normalize_timestamp("1/2/2024 3:04:05 PM", 1), "2024-01-02T15:04:05");
  EXPECT_EQ(normalize_timestamp("20171223-22:15:29:606", 1), "2017-12-23T22:15:29");
  EXPECT_EQ(normalize_timestamp("12.345678", 1), "");
  EXPECT_EQ(normalize_bound("2024-01-02 03:04"), "2024-01-02T03:04");
  EXPECT_THROW(normalize_bound("yesterday"), pocketops::Error);
}
