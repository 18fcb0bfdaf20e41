// Session implementation: prefix cache, generation loop, speculation.
#include "engine/session.h"

#include <algorithm>
#include <chrono>

#include "chat/stop_matcher.h"
#include "common/error.h"
#include "engine/draft_backoff.h"

namespace pocketops::engine {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
constexpr size_t kMaxSnapshots = 16;

int32_t argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return static_cast<int32_t>(best);
}
}  // namespace

Session::Session(const Engine& e, int64_t n_ctx) : eng_(e), state_(e.model().config(), n_ctx) {}

void Session::reset() {
  state_.reset();
  tokens_.clear();
  snaps_.clear();
}

void Session::remember_snapshot() {
  if (!snaps_.empty() && snaps_.back().conv.n_past == state_.n_past()) return;
  snaps_.push_back({state_.snapshot()});
  if (snaps_.size() > kMaxSnapshots) snaps_.erase(snaps_.begin());
}

void Session::eval(const std::vector<int32_t>& toks, bool all_rows, model::BatchTrace* trace) {
  const int64_t n = static_cast<int64_t>(toks.size());
  const int64_t V = eng_.model().n_vocab();
  std::vector<int64_t> rows;
  if (all_rows) {
    for (int64_t i = 0; i < n; ++i) rows.push_back(i);
  } else {
    rows.push_back(n - 1);
  }
  logits_.resize(rows.size() * V);
  eng_.model().forward(state_, toks, rows, logits_.data(), eng_.pool(), trace);
  tokens_.insert(tokens_.end(), toks.begin(), toks.end());
}

const std::vector<float>& Session::prefill(const std::vector<int32_t>& prompt, int64_t* reused) {
  if (prompt.empty()) throw Error("empty prompt: nothing to evaluate");
  if (static_cast<int64_t>(prompt.size()) > n_ctx())
    throw Error("prompt is " + std::to_string(prompt.size()) + " tokens but the context holds " +
                std::to_string(n_ctx()) + " (raise --ctx or shorten the input)");
  // Longest common prefix, leaving at least one token to evaluate for logits.
  size_t lcp = 0;
  while (lcp < tokens_.size() && lcp < prompt.size() && tokens_[lcp] == prompt[lcp]) ++lcp;
  if (lcp == prompt.size()) --lcp;
  // Resume point: the current state if it is a prefix, else the latest snapshot <= lcp.
  int64_t resume = 0;
  if (lcp == tokens_.size()) {
    resume = static_cast<int64_t>(lcp);
  } else {
    const Snap* best = nullptr;
    for (const Snap& s : snaps_)
      if (s.conv.n_past <= static_cast<int64_t>(lcp)) best = &s;
    if (best) {
      state_.restore(best->conv);
      resume = best->conv.n_past;
    } else {
      state_.reset();
    }
    tokens_.resize(resume);
    while (!snaps_.empty() && snaps_.back().conv.n_past > resume) snaps_.pop_back();
  }
  if (reused) *reused = resume;
  std::vector<int32_t> rest(prompt.begin() + resume, prompt.end());
  eval(rest, false, nullptr);
  remember_snapshot();
  return logits_;
}

std::vector<int32_t> Session::draft(const std::vector<int32_t>& h, int ngram, int max) const {
  // Prompt lookup: find the most recent earlier occurrence of the last n-gram
  // (trying shorter n-grams down to 1) and propose what followed it.
  const int64_t n = static_cast<int64_t>(h.size());
  for (int g = ngram; g >= 1; --g) {
    if (n < g + 1) continue;
    for (int64_t start = n - g - 1; start >= 0; --start) {
      bool match = true;
      for (int k = 0; k < g && match; ++k) match = h[start + k] == h[n - g + k];
      if (!match) continue;
      std::vector<int32_t> d;
      for (int64_t j = start + g; j < n && static_cast<int>(d.size()) < max; ++j) d.push_back(h[j]);
      if (!d.empty()) return d;
    }
  }
  return {};
}

GenerateResult Session::generate(const std::vector<int32_t>& prompt, const GenerateOptions& opt) {
  GenerateResult res;
  const int64_t V = eng_.model().n_vocab();
  const tokenizer::Tokenizer& tok = eng_.tokenizer();
  opt.sampling.validate();
  chat::Sampler sampler(opt.sampling, static_cast<int32_t>(V));
  for (int32_t t : prompt) sampler.accept(t);
  chat::StopMatcher stops(opt.stop);
  tokenizer::StreamDecoder dec(tok);
  std::vector<uint8_t> mask;
  const bool greedy = opt.sampling.temperature <= 0;
  const bool speculate = opt.draft_max > 0 && greedy && !opt.constraint;

  auto t0 = std::chrono::steady_clock::now();
  prefill(prompt, &res.n_reused);
  res.n_prompt = static_cast<int64_t>(prompt.size());
  res.prompt_s = seconds_since(t0);
  auto t1 = std::chrono::steady_clock::now();

  std::vector<int32_t> history = prompt;
  DraftBackoff backoff;
  bool done = false;
  // Emits one token's text; returns false when generation must end.
  auto emit = [&](int32_t id) -> bool {
    res.tokens.push_back(id);
    history.push_back(id);
    sampler.accept(id);
    if (id == tok.eos() || std::find(opt.stop_tokens.begin(), opt.stop_tokens.end(), id) != opt.stop_tokens.end()) {
      res.stop_reason = "eos";
      return false;
    }
    auto r = stops.push(dec.push(id));
    if (!r.text.empty()) {
      res.text += r.text;
      if (opt.on_text && !opt.on_text(r.text)) {
        res.stop_reason = "callback";
        return false;
      }
    }
    if (r.stopped) {
      res.stop_reason = "stop";
      return false;
    }
    if (static_cast<int>(res.tokens.size()) >= opt.max_tokens) {
      res.stop_reason = "length";
      return false;
    }
    return true;
  };

  const float* row = logits_.data() + (logits_.size() / V - 1) * V;
  std::vector<float> cur(row, row + V);
  while (!done) {
    if (opt.should_stop && opt.should_stop()) {
      res.stop_reason = "cancelled";
      break;
    }
    if (opt.max_tokens <= 0) {
      res.stop_reason = "length";
      break;
    }
    int32_t next;
    if (opt.constraint) {
      // Near the token budget, only tokens on the shortest way to a complete
      // document are allowed, so constrained output always parses.
      const int left = opt.max_tokens - static_cast<int>(res.tokens.size());
      const bool finishing =
          static_cast<int64_t>(opt.constraint->completion_bytes() + opt.constraint->max_growth()) >= left;
      mask.assign(V, 0);
      if (finishing) opt.constraint->completion_mask(mask);
      else opt.constraint->allowed(mask);
      if (opt.constraint->complete() && tok.eos() >= 0) mask[tok.eos()] = 1;
      if (std::none_of(mask.begin(), mask.end(), [](uint8_t m) { return m != 0; })) {
        res.stop_reason = "constraint";
        break;
      }
      next = sampler.sample(cur.data(), mask.data());
      if (next == tok.eos()) {
        res.stop_reason = "eos";
        break;
      }
      if (!opt.constraint->accept(next)) throw Error("constraint rejected a token it allowed");
      if (opt.constraint->complete() && !opt.constraint->can_continue()) {
        emit(next);  // the document is finished: nothing may follow
        res.stop_reason = "eos";
        break;
      }
    } else {
      next = greedy ? argmax(cur.data(), V) : sampler.sample(cur.data(), nullptr);
    }
    if (!emit(next)) break;
    if (state_.n_past() >= n_ctx()) {
      res.stop_reason = "context";
      break;
    }
    std::vector<int32_t> batch{next};
    std::vector<int32_t> drafts;
    if (speculate && backoff.should_draft()) {
      int64_t room = n_ctx() - state_.n_past() - 1;
      int max = static_cast<int>(std::min<int64_t>(backoff.draft_limit(opt.draft_max), room));
      max = std::min(max, opt.max_tokens - static_cast<int>(res.tokens.size()));
      if (max > 0) drafts = draft(history, opt.draft_ngram, max);
    }
    ++res.n_steps;
    if (drafts.empty()) {
      eval(batch, false, nullptr);
      std::copy(logits_.begin(), logits_.begin() + V, cur.begin());
      continue;
    }
    batch.insert(batch.end(), drafts.begin(), drafts.end());
    model::BatchTrace trace;
    eval(batch, true, &trace);
    res.n_draft += static_cast<int64_t>(drafts.size());
    const int64_t accepted_before = res.n_accepted;
    // Row i predicts the token after batch[i]; accept drafts while they match.
    int64_t keep = 1;
    bool stopped = false;
    for (size_t i = 0; i < drafts.size(); ++i) {
      int32_t pred = argmax(logits_.data() + i * V, V);
      if (pred != drafts[i]) break;
      ++keep;
      ++res.n_accepted;
      if (!emit(drafts[i])) {
        stopped = true;
        break;
      }
    }
    backoff.record(static_cast<int>(drafts.size()), static_cast<int>(res.n_accepted - accepted_before));
    if (keep < static_cast<int64_t>(batch.size())) {
      eng_.model().rollback(state_, trace, keep);
      tokens_.resize(tokens_.size() - (batch.size() - keep));
    }
    if (stopped) break;
    const float* r = logits_.data() + (keep - 1) * V;
    std::copy(r, r + V, cur.begin());
  }
  // Flush held-back text unless a stop string ended generation.
  if (res.stop_reason != "stop") {
    auto r = stops.push(dec.flush());
    std::string tail = r.text + (r.stopped ? "" : stops.flush());
    if (r.stopped) res.stop_reason = "stop";
    if (!tail.empty()) {
      res.text += tail;
      if (opt.on_text) opt.on_text(tail);
    }
  }
  res.gen_s = seconds_since(t1);
  remember_snapshot();
  return res;
}

}  // namespace pocketops::engine
