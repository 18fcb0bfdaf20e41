// The model-facing subcommands run as a user would run them: info, logits
// (against the reference fixtures), generate, synth + info, bench --json.
#include <gtest/gtest.h>
#include <sched.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "gguf/gguf_reader.h"
#include "kernels/cpu_budget.h"
#include "kernels/dispatch.h"

using namespace pocketops::testing;

TEST(CliInfo, DescribesFixtureModel) {
  POCKETOPS_REQUIRE_FIXTURES();
  auto r = cli("info -m " + fixture_model("tiny-q4_k_m"));
  ASSERT_EQ(r.rc, 0) << r.out;
  for (const char* s : {"architecture:   lfm2", "layers:         6 (4 short-conv, 2 attention at 2,4)", "vocab size:     4112",
                        "bos 4097, eos 4103", "context length: 4096", "Q4_K 31", "Q6_K 4", "F32 21"})
    EXPECT_NE(r.out.find(s), std::string::npos) << "missing '" << s << "' in\n" << r.out;
  // memory: the tensors' bytes as stored, and 2 attention layers x 2 kv
  // heads x 64 dims x K and V x F16 per position at the default 4096
  auto f = pocketops::gguf::File::open(fixture_model("tiny-q4_k_m"));
  uint64_t bytes = 0;
  for (const auto& t : f->tensors()) bytes += t.nbytes;
  char want[128];
  std::snprintf(want, sizeof want, "memory:         weights %.1f MiB + KV cache 4.0 MiB at context 4096 (1.0 KiB per token",
                bytes / 1048576.0);
  EXPECT_NE(r.out.find(want), std::string::npos) << "missing '" << want << "' in\n" << r.out;
  // how this machine runs it: the set run and bench would pick, and the others
  const std::string set = "this machine:   kernels " + pocketops::kernels::active_kernels().name + " (available: ";
  EXPECT_NE(r.out.find(set), std::string::npos) << "missing '" << set << "' in\n" << r.out;
  EXPECT_NE(r.out.find("scalar); "), std::string::npos) << r.out;
}

TEST(CliLogits, MatchesReferenceGreedyAndLayout) {
  POCKETOPS_REQUIRE_FIXTURES();
  std::ifstream idx(fixtures_dir() + "/logits/tiny-f32/index.jsonl");
  std::string line;
  std::getline(idx, line);  // the "short" case: 8 prompt tokens, 16 steps
  auto c = nlohmann::json::parse(line);
  std::string toks;
  for (auto& t : c["prompt"]) toks += (toks.empty() ? "" : ",") + std::to_string(t.get<int>());
  const std::string out = tmp_path("logits.f32");
  auto r = cli("logits -m " + fixture_model("tiny-f32") + " --tokens " + toks + " --decode 16 --out " + out, false);
  ASSERT_EQ(r.rc, 0) << r.out;
  std::string want;
  for (auto& t : c["greedy"]) want += (want.empty() ? "" : ",") + std::to_string(t.get<int>());
  EXPECT_EQ(r.out, want + "\n");
  std::ifstream a(out, std::ios::binary), b(fixtures_dir() + "/logits/tiny-f32/short.f32", std::ios::binary);
  std::vector<char> av((std::istreambuf_iterator<char>(a)), {}), bv((std::istreambuf_iterator<char>(b)), {});
  ASSERT_EQ(av.size(), bv.size());
  const float* x = reinterpret_cast<const float*>(av.data());
  const float* y = reinterpret_cast<const float*>(bv.data());
  double m = 0;
  for (size_t i = 0; i < av.size() / 4; ++i) m = std::max(m, double(std::fabs(x[i] - y[i])));
  EXPECT_LT(m, 1e-2);
  std::remove(out.c_str());
}

TEST(CliLogits, BadInputsGiveOneLineErrors) {
  POCKETOPS_REQUIRE_FIXTURES();
  const std::string m = fixture_model("tiny-f32");
  const std::string out = tmp_path("bad.f32");
  for (std::string args : {"--tokens 1,99999", "--tokens 1,x,3", "--tokens ''", "--tokens 1 --decode 5000"}) {
    auto r = cli("logits -m " + m + " " + args + " --out " + out);
    EXPECT_EQ(r.rc, 1) << args << ": " << r.out;
    EXPECT_EQ(r.out.rfind("error: ", 0), 0u) << args << ": " << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CliGenerate, StreamsDeterministicGreedyText) {
  POCKETOPS_REQUIRE_FIXTURES();
  const std::string m = fixture_model("tiny-q8_0");
  auto a = cli("generate -m " + m + " -p 'The disk is full' -n 12 --temp 0", false);
  auto b = cli("generate -m " + m + " -p 'The disk is full' -n 12 --temp 0 --draft 4", false);
  ASSERT_EQ(a.rc, 0);
  EXPECT_GT(a.out.size(), 1u);
  EXPECT_EQ(a.out, b.out);  // speculation never changes greedy output
  auto e = cli("generate -m " + m + " -p ''");
  EXPECT_EQ(e.rc, 1);
}

TEST(CliSynth, WritesALoadableModelWithTheReferenceMix) {
  const std::string out = tmp_path("synth.gguf");
  auto r = cli("synth --shape tiny --type q4_k_m -o " + out);
  ASSERT_EQ(r.rc, 0) << r.out;
  auto info = cli("info -m " + out);
  ASSERT_EQ(info.rc, 0) << info.out;
  EXPECT_NE(info.out.find("F32 21, Q4_K 31, Q6_K 4"), std::string::npos) << info.out;
  auto gen = cli("generate -m " + out + " -p hello -n 4 --temp 0");
  EXPECT_EQ(gen.rc, 0) << gen.out;
  auto bench = cli("bench -m " + out + " -p 16 -n 4 -r 1 --json", false);
  ASSERT_EQ(bench.rc, 0) << bench.out;
  auto j = nlohmann::json::parse(bench.out);
  for (const char* k : {"pp_tps", "tg_tps", "load_s", "peak_rss_mb", "threads", "model_type", "verify_cost_ratio"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_GT(j["pp_tps"].get<double>(), 0);
  EXPECT_GT(j["tg_tps"].get<double>(), 0);
  // verification cost: best of the alternations, and the spread of single pairs
  EXPECT_GT(j["verify_cost_ratio"].get<double>(), 0);
  ASSERT_TRUE(j.contains("verify_cost_ratio_range"));
  ASSERT_EQ(j["verify_cost_ratio_range"].size(), 2u);
  EXPECT_GT(j["verify_cost_ratio_range"][0].get<double>(), 0);
  EXPECT_LE(j["verify_cost_ratio_range"][0].get<double>(), j["verify_cost_ratio_range"][1].get<double>());
  // decode roofline from the read-bandwidth probe
  ASSERT_TRUE(j.contains("read_gbs"));
  EXPECT_GT(j["read_gbs"].get<double>(), 0);
  EXPECT_GT(j["roofline_tps"].get<double>(), 0);
  // one probe after each tg rep; the reported fraction is the median of the reps'
  ASSERT_TRUE(j.contains("tg_roofline_fracs"));
  ASSERT_EQ(j["tg_roofline_fracs"].size(), 1u);
  EXPECT_DOUBLE_EQ(j["tg_roofline_frac"].get<double>(), j["tg_roofline_fracs"][0].get<double>());
  EXPECT_GT(j["tg_roofline_frac"].get<double>(), 0);
  // the probe's 256 MiB buffer is not counted in the model's peak RSS
  EXPECT_LT(j["peak_rss_mb"].get<double>(), 200);
  auto nobw = cli("bench -m " + out + " -p 0 -n 2 -r 1 --no-bandwidth --json", false);
  ASSERT_EQ(nobw.rc, 0) << nobw.out;
  EXPECT_FALSE(nlohmann::json::parse(nobw.out).contains("read_gbs"));
  // timed after a filled context (long prompts)
  auto deep = cli("bench -m " + out + " -p 8 -n 2 -r 1 --depth 40 --no-bandwidth --json", false);
  ASSERT_EQ(deep.rc, 0) << deep.out;
  auto jd = nlohmann::json::parse(deep.out);
  EXPECT_EQ(jd["depth"].get<int>(), 40);
  EXPECT_GT(jd["pp_tps"].get<double>(), 0);
  EXPECT_GT(jd["tg_tps"].get<double>(), 0);
  auto shallow = cli("bench -m " + out + " -p 8 -n 2 -r 1 --depth 100 --ctx 64 --no-bandwidth");
  EXPECT_EQ(shallow.rc, 1);
  EXPECT_NE(shallow.out.find("too small"), std::string::npos) << shallow.out;
  // --kernels picks the set to measure (here the scalar reference) and names the sets it could pick
  auto ref = cli("bench -m " + out + " -p 4 -n 2 -r 1 --draft-batch 0 --no-bandwidth --kernels scalar --json", false);
  ASSERT_EQ(ref.rc, 0) << ref.out;
  EXPECT_EQ(nlohmann::json::parse(ref.out)["kernels"].get<std::string>(), "scalar");
  auto nokern = cli("bench -m " + out + " -p 4 -n 2 -r 1 --kernels avx9000");
  EXPECT_EQ(nokern.rc, 1);
  EXPECT_NE(nokern.out.find("'avx9000' is not available on this CPU (available:"), std::string::npos) << nokern.out;
  EXPECT_NE(nokern.out.find("scalar)"), std::string::npos) << nokern.out;
  auto bad = cli("synth --shape huge --type q4_0 -o " + out);
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("unknown shape"), std::string::npos);
  std::remove(out.c_str());
}

TEST(CliKernels, AnUnavailableKernelSetIsReportedNotIgnored) {
  POCKETOPS_REQUIRE_FIXTURES();
  const std::string gen = "generate -m " + fixture_model("tiny-q4_0") + " -p hello -n 2 --temp 0";
  ::setenv("POCKETOPS_KERNELS", "avx9000", 1);
  auto r = cli(gen);
  ::setenv("POCKETOPS_KERNELS", "scalar", 1);  // always available: no message
  auto s = cli(gen);
  ::unsetenv("POCKETOPS_KERNELS");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("POCKETOPS_KERNELS=avx9000 is not a kernel set this CPU can run (available:"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" scalar); using "), std::string::npos) << r.out;
  EXPECT_EQ(s.rc, 0) << s.out;
  EXPECT_EQ(s.out.find("POCKETOPS_KERNELS"), std::string::npos) << s.out;
}

// The default thread count follows the CPUs the process may use: pinned to
// one CPU (as taskset or a container's cpuset would), bench runs 1 thread.
TEST(CliThreads, DefaultFollowsTheAffinityMask) {
  const std::string out = tmp_path("affinity.gguf");
  ASSERT_EQ(cli("synth --shape tiny --type q8_0 -o " + out).rc, 0);
  cpu_set_t old_set, one;
  ASSERT_EQ(sched_getaffinity(0, sizeof(old_set), &old_set), 0);
  int first = 0;
  while (first < CPU_SETSIZE && !CPU_ISSET(first, &old_set)) ++first;
  ASSERT_LT(first, CPU_SETSIZE);
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);  // inherited by the child
  auto r = cli("bench -m " + out + " -p 4 -n 2 -r 1 --draft-batch 0 --no-bandwidth --json", false);
  auto w = cli("generate -m " + out + " -p hello -n 2 --temp 0 -t 2");
  auto i = cli("info -m " + out);
  ASSERT_EQ(sched_setaffinity(0, sizeof(old_set), &old_set), 0);
  std::remove(out.c_str());
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["threads"].get<int>(), 1);
  ASSERT_EQ(w.rc, 0) << w.out;
  EXPECT_NE(w.out.find("pocketops: warning: 2 threads but only 1 CPU is available to this process"),
            std::string::npos)
      << w.out;
  ASSERT_EQ(i.rc, 0) << i.out;
  EXPECT_NE(i.out.find("; 1 thread by default (1 CPU, 1 physical core"), std::string::npos) << i.out;
}

// -t 0 is the default; a negative count is refused, not quietly replaced.
TEST(CliThreads, NegativeCountIsRefused) {
  const std::string out = tmp_path("negthreads.gguf");
  ASSERT_EQ(cli("synth --shape tiny --type q8_0 -o " + out).rc, 0);
  auto bad = cli("generate -m " + out + " -p hello -n 2 --temp 0 -t -3");
  auto zero = cli("bench -m " + out + " -p 4 -n 2 -r 1 --draft-batch 0 --no-bandwidth --json -t 0", false);
  std::remove(out.c_str());
  EXPECT_EQ(bad.rc, 1) << bad.out;
  EXPECT_NE(bad.out.find("--threads: Value -3 not in range"), std::string::npos) << bad.out;
  ASSERT_EQ(zero.rc, 0) << zero.out;
  EXPECT_EQ(nlohmann::json::parse(zero.out)["threads"].get<int>(), pocketops::kernels::cpu_budget().threads);
}

TEST(CliThreads, MoreThreadsThanTheMachineHasWarnsAndStillWorks) {
  const std::string out = tmp_path("threads.gguf");
  ASSERT_EQ(cli("synth --shape tiny --type q8_0 -o " + out).rc, 0);
  const unsigned hw = std::thread::hardware_concurrency();
  if (hw == 0) GTEST_SKIP() << "hardware thread count unknown";
  const std::string gen = "generate -m " + out + " -p hello -n 4 --temp 0 -t ";
  auto many = cli(gen + std::to_string(hw + 1));
  auto one = cli(gen + "1");
  std::remove(out.c_str());
  ASSERT_EQ(many.rc, 0) << many.out;
  EXPECT_NE(many.out.find("pocketops: warning: " + std::to_string(hw + 1) + " threads but only "),
            std::string::npos)
      << many.out;
  EXPECT_EQ(one.rc, 0) << one.out;
  EXPECT_EQ(one.out.find("warning"), std::string::npos) << one.out;
  // the same greedy text either way (the warning is on stderr, merged here)
  const std::string text = many.out.substr(many.out.find('\n') + 1);
  EXPECT_EQ(text, one.out);
}
