// Labeler with a fake model: schema and prompt content, validation of model
// answers, one retry, and the SQLite cache that makes re-runs instant.
#include <gtest/gtest.h>

#include "common/error.h"
#include "logs/labeler.h"

using namespace pocketops::logs;

namespace {
struct FakeModel : LabelModel {
  std::vector<std::string> answers;
  size_t calls = 0;
  std::string last_system, last_user;
  nlohmann::json last_schema;
  std::string complete_json(const std::string& system, const std::string& user, const nlohmann::json& schema) override {
    last_system = system;
    last_user = user;
    last_schema = schema;
    return answers.at(std::min(calls++, answers.size() - 1));
  }
};
const char* kGood =
    R"({"severity":"warning","category":"auth","probable_cause":"Password guessing from the internet.","next_check":"Check sshd logs for the source IP with journalctl -u ssh."})";
}  // namespace

TEST(Labeler, SchemaListsFixedEnums) {
  const auto& s = label_schema();
  EXPECT_EQ(s["properties"]["category"]["enum"].size(), 9u);
  EXPECT_EQ(s["properties"]["category"]["enum"][0], "auth");
  EXPECT_EQ(s["required"].size(), 4u);
  EXPECT_FALSE(s["additionalProperties"].get<bool>());
}

TEST(Labeler, AsksOncePerTemplateAndCaches) {
  FakeModel m;
  m.answers = {kGood};
  LabelCache cache(":memory:");
  Labeler lab(m, &cache, "lfm2-test");
  auto r1 = lab.label("Failed password for <*> from <*> port <*> <*>", {"Failed password for root from 1.2.3.4 port 22 ssh2"});
  EXPECT_FALSE(r1.cached);
  EXPECT_EQ(r1.label.category, "auth");
  EXPECT_EQ(r1.label.severity, "warning");
  EXPECT_TRUE(r1.label.suggestion);
  EXPECT_NE(m.last_user.find("Failed password for <*>"), std::string::npos);
  EXPECT_NE(m.last_user.find("1.2.3.4 port 22"), std::string::npos);
  EXPECT_NE(m.last_system.find("category"), std::string::npos);
  EXPECT_EQ(m.last_schema, label_schema());
  auto r2 = lab.label("Failed password for <*> from <*> port <*> <*>", {});
  EXPECT_TRUE(r2.cached);
  EXPECT_EQ(r2.label.probable_cause, r1.label.probable_cause);
  EXPECT_EQ(m.calls, 1u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(r2.label.to_json()["suggestion"], true);
}

TEST(Labeler, RetriesOnceThenFailsClearly) {
  FakeModel m;
  m.answers = {"not json", kGood};
  Labeler lab(m, nullptr, "x");
  EXPECT_EQ(lab.label("disk <*> full", {}).label.category, "auth");
  EXPECT_EQ(m.calls, 2u);
  FakeModel bad;
  bad.answers = {R"({"severity":"meh","category":"auth","probable_cause":"a","next_check":"b"})"};
  Labeler lab2(bad, nullptr, "x");
  EXPECT_THROW(lab2.label("t", {}), pocketops::Error);
  EXPECT_EQ(bad.calls, 2u);
}

TEST(Labeler, ValidationRejectsBadAnswers) {
  EXPECT_THROW(parse_label("[]"), pocketops::Error);
  EXPECT_THROW(parse_label(R"({"severity":"error","category":"cats","probable_cause":"a","next_check":"b"})"),
               pocketops::Error);
  EXPECT_THROW(parse_label(R"({"severity":"error","category":"disk","probable_cause":"","next_check":"b"})"),
               pocketops::Error);
  EXPECT_THROW(parse_label(R"({"severity":"error","category":"disk","next_check":"b"})"), pocketops::Error);
  EXPECT_EQ(parse_label(R"({"severity":"error","category":"disk","probable_cause":"a","next_check":"b"})").category,
            "disk");
}

TEST(Labeler, PromptCapsHugeInput) {
  std::string huge(100000, 'a');
  std::vector<std::string> ex(50, huge);
  auto p = label_user_prompt(huge, ex);
  EXPECT_LT(p.size(), 6000u);
}
