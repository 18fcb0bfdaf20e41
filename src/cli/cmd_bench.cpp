// `pocketops bench`: prefill (pp) and decode (tg) throughput of a model file,
// mean ± stddev over repetitions after a warm-up, plus load time, peak RSS and
// the cost of verifying a batch of speculative draft tokens, and decode against
// the read-bandwidth roofline (a probe after each tg rep).
#include <algorithm>
#include <chrono>
#include <map>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "common/error.h"
#include "engine/engine.h"
#include "engine/session.h"
#include "gguf/gguf_reader.h"
#include "kernels/bandwidth.h"
#include "kernels/dispatch.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Stat {
  double mean = 0, sd = 0;
};
Stat stats(const std::vector<double>& v) {
  Stat s;
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= v.size();
  for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
  s.sd = v.size() > 1 ? std::sqrt(s.sd / (v.size() - 1)) : 0;
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

std::string model_type(const pocketops::gguf::File& f) {
  // The most common weight type among 2-D tensors, by bytes.
  std::map<std::string, uint64_t> bytes;
  for (const auto& t : f.tensors())
    if (t.n_dims >= 2) bytes[pocketops::gguf::type_name(t.type)] += t.nbytes;
  std::string best;
  uint64_t mx = 0;
  std::string all;
  for (const auto& [k, v] : bytes) {
    all += (all.empty() ? "" : "+") + k;
    if (v > mx) mx = v, best = k;
  }
  return bytes.size() > 1 ? best + " (" + all + ")" : best;
}

int run_bench(int argc, char** argv) {
  CLI::App app{"Measure prefill and decode speed (tokens/s) of a model on this machine"};
  std::string path;
  int p = 512, n = 128, threads = 0, reps = 3, draft_batch = 8;
  int64_t ctx = 0, depth = 0;
  bool json = false;
  bool no_bw = false;
  int spec = 0;
  std::string kernels;
  app.add_option("--spec", spec,
                 "also time greedy decoding of N tokens on a copy-heavy prompt with and without prompt-lookup drafts")
      ->check(CLI::Range(0, 4096));
  app.add_option("-m,--model", path, "GGUF model file")->required();
  app.add_option("-p,--prompt-tokens", p, "prefill batch size (pp)")->capture_default_str()->check(CLI::Range(0, 1 << 16));
  app.add_option("-n,--gen-tokens", n, "decode steps (tg)")->capture_default_str()->check(CLI::Range(0, 1 << 16));
  pocketops::cli::add_threads_option(app, threads);
  app.add_option("-r,--reps", reps, "repetitions after one warm-up")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--ctx", ctx, "context size (default: enough for the test)");
  app.add_option("-d,--depth", depth,
                 "tokens already in the context when pp, tg and verify are timed (long prompts: RAG, summaries)")
      ->capture_default_str()->check(CLI::Range(0, 1 << 20));
  app.add_option("--draft-batch", draft_batch, "tokens in the speculative-verification measurement (0 = skip)")
      ->capture_default_str()->check(CLI::Range(0, 64));
  app.add_flag("--no-bandwidth", no_bw, "skip the memory read-bandwidth probe (decode roofline) after tg");
  app.add_option("--kernels", kernels,
                 "kernel set to measure, e.g. avx2 to compare with the default (default: the best this CPU has; "
                 "POCKETOPS_KERNELS does the same for every command)");
  app.add_flag("--json", json, "print one JSON object");
  if (auto rc = pocketops::cli::parse_args(app, argc, argv)) return *rc;
  if (!kernels.empty()) pocketops::kernels::set_active_kernels(kernels);  // before loading: the set packs the weights

  auto eng = pocketops::engine::Engine::load(path, {threads});
  const auto& m = eng->model();
  const int64_t V = m.n_vocab();
  const int64_t need = depth + std::max<int64_t>(p, 1) + n + draft_batch + 64 + 1;
  if (ctx == 0) ctx = std::min<int64_t>(std::max<int64_t>(need, 4096), m.config().n_ctx_train);
  if (need > ctx) throw pocketops::Error("context " + std::to_string(ctx) + " too small for the test (" + std::to_string(need) + ")");
  pocketops::model::Lfm2State st(m.config(), ctx);
  uint64_t rng = 42;
  auto rand_tok = [&] {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int32_t>((rng >> 33) % static_cast<uint64_t>(V));
  };
  std::vector<float> logits(static_cast<size_t>(std::max(draft_batch, 1)) * V);
  auto& pool = eng->pool();

  // The context at the requested depth, filled once (untimed) and restored
  // before each measurement (KV rows past n_past are ignored, the conv state
  // is in the snapshot).
  st.reset();
  if (depth > 0) {
    std::vector<int32_t> fill(static_cast<size_t>(depth));
    for (auto& t : fill) t = rand_tok();
    int64_t last = depth - 1;
    m.forward(st, fill, std::span<const int64_t>(&last, 1), logits.data(), pool);
  }
  const pocketops::model::ConvSnapshot at_depth = st.snapshot();
  auto to_depth = [&] { st.restore(at_depth); };

  auto run_pp = [&]() {
    to_depth();
    std::vector<int32_t> toks(p);
    for (auto& t : toks) t = rand_tok();
    int64_t last = p - 1;
    auto t0 = Clock::now();
    m.forward(st, toks, std::span<const int64_t>(&last, 1), logits.data(), pool);
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  auto run_tg = [&]() {
    to_depth();
    int32_t tok = rand_tok();
    int64_t r0 = 0;
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
      m.forward(st, std::span<const int32_t>(&tok, 1), std::span<const int64_t>(&r0, 1), logits.data(), pool);
      tok = static_cast<int32_t>(std::max_element(logits.begin(), logits.begin() + V) - logits.begin());
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  // Verification cost: one forward of draft_batch tokens (all rows) vs one
  // token, at the same depth. The two are timed alternately, best of several
  // each, so a burst of host slowness (this kind of machine has them, for
  // seconds at a time) cannot fall on one side of the ratio only.
  double verify_pair_lo = 0, verify_pair_hi = 0;
  auto verify_ratio_of = [&](int batch) {
    to_depth();
    std::vector<int32_t> pre(64);
    for (auto& t : pre) t = rand_tok();
    int64_t last = 63;
    m.forward(st, pre, std::span<const int64_t>(&last, 1), logits.data(), pool);
    std::vector<int32_t> toks(batch);
    for (auto& t : toks) t = rand_tok();
    std::vector<int64_t> rows(batch);
    for (int i = 0; i < batch; ++i) rows[i] = i;
    pocketops::model::BatchTrace trace;
    auto timed = [&](int nb) {
      auto t0 = Clock::now();
      m.forward(st, std::span<const int32_t>(toks.data(), nb), std::span<const int64_t>(rows.data(), nb), logits.data(),
                pool, &trace);
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      m.rollback(st, trace, 0);
      return s;
    };
    double best_batch = 1e30, best_one = 1e30;
    std::vector<double> pair;  // each alternation's own ratio: how much the host moved
    for (int k = 0; k < 9; ++k) {
      const double tb = timed(batch), t1 = timed(1);
      best_batch = std::min(best_batch, tb);
      best_one = std::min(best_one, t1);
      pair.push_back(tb / t1);
    }
    std::sort(pair.begin(), pair.end());
    verify_pair_lo = pair.front();
    verify_pair_hi = pair.back();
    return best_batch / best_one;
  };

  std::vector<double> pp, tg;
  if (p > 0) run_pp();  // warm-up (also faults the weights in)
  if (n > 0) {
    int saved = n;
    n = std::min(n, 16);
    run_tg();
    n = saved;
  }
  // Decode roofline: every weight is read once per decode step, at the read
  // bandwidth of a probe taken right after each tg rep (this kind of host
  // changes speed in bursts of seconds, so each rep is judged against its
  // own probe and the median is reported).
  uint64_t bytes_per_token = 0;
  {
    const bool untied = eng->file().find_tensor("output.weight") != nullptr;
    for (const auto& t : eng->file().tensors())
      if (!(untied && t.name == "token_embd.weight")) bytes_per_token += t.nbytes;
    // plus the K and V rows every decode step reads (F16), at the middle of the tg run
    uint64_t kv_per_pos = 0;
    for (int64_t il = 0; il < m.config().n_layer; ++il)
      kv_per_pos += 2 * 2 * static_cast<uint64_t>(m.config().n_head_kv[il] * m.config().head_dim);
    bytes_per_token += kv_per_pos * static_cast<uint64_t>(depth + n / 2);
  }
  const bool probe = n > 0 && !no_bw && bytes_per_token > 0;
  std::vector<double> probe_gbs, fracs;
  double rss_mb = 0;        // peak RSS without the probe's buffer (not the model's memory)
  bool rss_reset_ok = true;
  auto probe_after = [&](double tg_tps) {
    rss_mb = std::max(rss_mb, pocketops::cli::peak_rss_mb());
    const double gbs = pocketops::kernels::read_bandwidth_gbs(pool, size_t(256) << 20, 3);
    rss_reset_ok = rss_reset_ok && pocketops::cli::reset_peak_rss();
    probe_gbs.push_back(gbs);
    fracs.push_back(tg_tps / (gbs * 1e9 / static_cast<double>(bytes_per_token)));
  };
  for (int r = 0; r < reps; ++r) {
    if (p > 0) pp.push_back(p / run_pp());
    if (n > 0) tg.push_back(n / run_tg());
    // without a peak reset, probe once after the last rep only
    if (probe && (rss_reset_ok || r + 1 == reps)) probe_after(tg.back());
  }
  double verify_ratio = 0;
  if (draft_batch > 0) verify_ratio = verify_ratio_of(draft_batch);
  // Speculation on a copy task (extraction / RAG copy from their input): the
  // prompt holds a random passage twice; the answer tends to copy it again.
  double spec_plain_tps = 0, spec_tps = 0, spec_per_step = 0, spec_accept = 0;
  if (spec > 0) {
    std::vector<int32_t> passage(std::min<int64_t>(256, ctx / 4));
    for (auto& t : passage) t = rand_tok();
    std::vector<int32_t> prompt = passage;
    prompt.insert(prompt.end(), passage.begin(), passage.end());
    prompt.insert(prompt.end(), passage.begin(), passage.begin() + 8);
    const int64_t spec_ctx = std::min<int64_t>(m.config().n_ctx_train, prompt.size() + spec + 16);
    pocketops::engine::GenerateOptions go;
    go.sampling.temperature = 0;
    go.max_tokens = spec;
    pocketops::engine::Session plain(*eng, spec_ctx), fast(*eng, spec_ctx);
    auto a = plain.generate(prompt, go);
    go.draft_max = 8;
    auto b = fast.generate(prompt, go);
    if (a.tokens != b.tokens) {  // verification batches equal decode bit for bit, so this is a bug
      size_t i = 0;
      while (i < a.tokens.size() && i < b.tokens.size() && a.tokens[i] == b.tokens[i]) ++i;
      throw pocketops::Error("speculative output differs from plain greedy output at generated token " +
                             std::to_string(i) + " (a bug in pocketops; please report it with this model and kernel set " +
                             pocketops::kernels::active_kernels().name + ")");
    }
    spec_plain_tps = a.tokens.size() / std::max(a.gen_s, 1e-9);
    spec_tps = b.tokens.size() / std::max(b.gen_s, 1e-9);
    spec_per_step = b.n_steps ? double(b.tokens.size()) / b.n_steps : 0;
    spec_accept = b.n_draft ? double(b.n_accepted) / b.n_draft : 0;
  }
  Stat spp = stats(pp), stg = stats(tg);
  if (probe_gbs.empty() || rss_reset_ok) rss_mb = std::max(rss_mb, pocketops::cli::peak_rss_mb());
  double read_gbs = 0, roofline_tps = 0, frac = 0;
  if (!probe_gbs.empty()) {
    read_gbs = median(probe_gbs);
    roofline_tps = read_gbs * 1e9 / static_cast<double>(bytes_per_token);
    frac = median(fracs);
  }
  const std::string mt = model_type(eng->file());
  const std::string kset = pocketops::kernels::active_kernels().name;
  const std::string cpu_note = pocketops::kernels::unused_cpu_features();
  if (json) {
    nlohmann::ordered_json j;
    j["model"] = path;
    j["model_type"] = mt;
    j["file_mib"] = eng->file().file_size() / 1048576.0;
    j["threads"] = pool.size();
    j["kernels"] = kset;
    if (!cpu_note.empty()) j["cpu_note"] = cpu_note;
    j["depth"] = depth;
    j["pp_tokens"] = p;
    j["tg_tokens"] = n;
    j["reps"] = reps;
    j["pp_tps"] = spp.mean;
    j["pp_tps_sd"] = spp.sd;
    j["tg_tps"] = stg.mean;
    j["tg_tps_sd"] = stg.sd;
    j["verify_batch"] = draft_batch;
    j["verify_cost_ratio"] = verify_ratio;
    j["verify_cost_ratio_range"] = {verify_pair_lo, verify_pair_hi};
    if (spec > 0) {
      j["spec_plain_tps"] = spec_plain_tps;
      j["spec_tps"] = spec_tps;
      j["spec_tokens_per_step"] = spec_per_step;
      j["spec_acceptance"] = spec_accept;
    }
    j["load_s"] = eng->load_seconds();
    j["ctx"] = ctx;
    j["kv_cache_mib"] = st.kv_bytes() / 1048576.0;
    j["peak_rss_mb"] = rss_mb;
    if (read_gbs > 0) {
      j["read_gbs"] = read_gbs;
      j["roofline_tps"] = roofline_tps;
      j["tg_roofline_frac"] = frac;  // median over reps of tg / (probe after it)
      j["tg_roofline_fracs"] = fracs;
    }
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("model        %s (%s, %.1f MiB)\n", path.c_str(), mt.c_str(), eng->file().file_size() / 1048576.0);
    std::printf("threads      %d (kernels: %s)\n", pool.size(), kset.c_str());
    if (!cpu_note.empty()) std::printf("note         %s\n", cpu_note.c_str());
    std::printf("load         %.3f s\n", eng->load_seconds());
    const std::string at = depth > 0 ? " at depth " + std::to_string(depth) : "";
    if (p > 0) std::printf("pp%-4d       %8.2f ± %.2f tok/s%s\n", p, spp.mean, spp.sd, at.c_str());
    if (n > 0) std::printf("tg%-4d       %8.2f ± %.2f tok/s%s\n", n, stg.mean, stg.sd, at.c_str());
    if (read_gbs > 0)
      std::printf("bandwidth    %.1f GB/s read (median of probes after each tg rep) -> decode roofline %.1f tok/s, "
                  "tg at %.0f%% (per rep %.0f-%.0f%%)\n",
                  read_gbs, roofline_tps, 100 * frac, 100 * *std::min_element(fracs.begin(), fracs.end()),
                  100 * *std::max_element(fracs.begin(), fracs.end()));
    if (draft_batch > 0)
      std::printf("verify %-2d    %.2fx the cost of one decode step (best of 9 alternations each; single pairs %.2f-%.2fx)\n",
                  draft_batch, verify_ratio, verify_pair_lo, verify_pair_hi);
    if (spec > 0)
      std::printf("speculation  %.2f tok/s plain -> %.2f tok/s with drafts (%.2f tokens per step, %.0f%% of drafts accepted)\n",
                  spec_plain_tps, spec_tps, spec_per_step, 100 * spec_accept);
    std::printf("peak RSS     %.1f MB (KV cache %.1f MiB at ctx %lld)\n", rss_mb,
                st.kv_bytes() / 1048576.0, static_cast<long long>(ctx));
  }
  return 0;
}

}  // namespace

POCKETOPS_COMMAND("bench", "measure prefill / decode tokens per second of a model", run_bench);
