// Sampler implementation. Order (as the reference engine chains them):
// logit bias -> penalties -> mask -> top-k -> top-p -> min-p -> temperature -> draw.
// Top-k uses nth_element; top-p without top-k grows a partial sort until the
// nucleus is covered, so a 65,536-token vocab is never fully sorted.
#include "chat/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "common/error.h"
#include "gguf/gguf_reader.h"

namespace pocketops::chat {

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr size_t kMaxWindow = 65536;

}  // namespace

void SamplingParams::validate() const {
  require(std::isfinite(temperature) && temperature >= 0 && temperature <= 100, "sampling: temperature must be in [0, 100]");
  require(top_k >= 0, "sampling: top_k must be >= 0");
  require(std::isfinite(top_p) && top_p >= 0 && top_p <= 1, "sampling: top_p must be in [0, 1]");
  require(std::isfinite(min_p) && min_p >= 0 && min_p <= 1, "sampling: min_p must be in [0, 1]");
  require(std::isfinite(repeat_penalty) && repeat_penalty > 0 && repeat_penalty <= 100,
          "sampling: repeat_penalty must be in (0, 100]");
  require(repeat_last_n >= -1, "sampling: repeat_last_n must be >= -1");
  require(std::isfinite(presence_penalty) && std::fabs(presence_penalty) <= 100, "sampling: presence_penalty must be in [-100, 100]");
  require(std::isfinite(frequency_penalty) && std::fabs(frequency_penalty) <= 100, "sampling: frequency_penalty must be in [-100, 100]");
  for (const auto& [id, b] : logit_bias) require(!std::isnan(b), "sampling: logit_bias for token " + std::to_string(id) + " is NaN");
}

SamplingParams SamplingParams::from_gguf(const gguf::File& f) {
  SamplingParams p;
  auto num = [&](const char* key) -> std::optional<double> {
    const gguf::Value* v = f.find(key);
    if (!v || v->is_array()) return std::nullopt;
    try {
      const double d = v->as_float();
      if (!std::isfinite(d)) return std::nullopt;
      return d;
    } catch (const Error&) {
      return std::nullopt;  // a string or other non-number: ignore it
    }
  };
  if (auto v = num("general.sampling.temp"); v && *v >= 0 && *v <= 100) p.temperature = static_cast<float>(*v);
  if (auto v = num("general.sampling.top_k"); v && *v >= 0 && *v <= 1e9) p.top_k = static_cast<int>(*v);
  if (auto v = num("general.sampling.top_p"); v && *v >= 0 && *v <= 1) p.top_p = static_cast<float>(*v);
  if (auto v = num("general.sampling.min_p"); v && *v >= 0 && *v <= 1) p.min_p = static_cast<float>(*v);
  if (auto v = num("general.sampling.penalty_repeat"); v && *v > 0 && *v <= 100) p.repeat_penalty = static_cast<float>(*v);
  if (auto v = num("general.sampling.penalty_last_n"); v && *v >= -1 && *v <= 1e9) p.repeat_last_n = static_cast<int>(*v);
  return p;
}

Sampler::Sampler(SamplingParams params, int32_t n_vocab) : params_(std::move(params)), n_vocab_(n_vocab) {
  require(n_vocab > 0, "sampler: vocabulary size must be positive");
  params_.validate();
  history_cap_ = params_.repeat_last_n < 0 ? kMaxWindow : std::min<size_t>(params_.repeat_last_n, kMaxWindow);
  reset();
}

void Sampler::reset() {
  history_.clear();
  history_pos_ = 0;
  uint64_t s = params_.seed;
  for (auto& r : rng_) r = splitmix64(s);
}

uint64_t Sampler::next_u64() {  // xoshiro256**
  const uint64_t result = rotl(rng_[1] * 5, 7) * 9;
  const uint64_t t = rng_[1] << 17;
  rng_[2] ^= rng_[0];
  rng_[3] ^= rng_[1];
  rng_[1] ^= rng_[2];
  rng_[0] ^= rng_[3];
  rng_[2] ^= t;
  rng_[3] = rotl(rng_[3], 45);
  return result;
}

double Sampler::next_unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

void Sampler::accept(int32_t token) {
  if (history_cap_ == 0 || token < 0 || token >= n_vocab_) return;
  if (history_.size() < history_cap_) {
    history_.push_back(token);
  } else {
    history_[history_pos_] = token;
    history_pos_ = (history_pos_ + 1) % history_cap_;
  }
}

int32_t Sampler::sample(const float* logits, const uint8_t* mask) {
  const size_t n = static_cast<size_t>(n_vocab_);
  const SamplingParams& p = params_;
  adjusted_.assign(logits, logits + n);
  for (const auto& [id, b] : p.logit_bias)
    if (id >= 0 && static_cast<size_t>(id) < n) adjusted_[id] += b;

  // Penalties over the distinct tokens of the window.
  const bool penalize = !history_.empty() && (p.repeat_penalty != 1.0f || p.presence_penalty != 0.0f || p.frequency_penalty != 0.0f);
  if (penalize) {
    std::vector<int32_t> w(history_);
    std::sort(w.begin(), w.end());
    for (size_t i = 0; i < w.size();) {
      size_t j = i;
      while (j < w.size() && w[j] == w[i]) ++j;
      float& l = adjusted_[w[i]];
      if (l > 0) l /= p.repeat_penalty;
      else l *= p.repeat_penalty;
      l -= static_cast<float>(j - i) * p.frequency_penalty + p.presence_penalty;
      i = j;
    }
  }

  // Greedy: one pass, lowest id on ties, no candidate list.
  if (p.temperature <= 0.0f) {
    int32_t best = -1;
    bool any_allowed = false;
    for (size_t i = 0; i < n; ++i) {
      if (mask && !mask[i]) continue;
      any_allowed = true;
      const float l = adjusted_[i];
      if (std::isnan(l) || l == -std::numeric_limits<float>::infinity()) continue;
      if (best < 0 || l > adjusted_[best]) best = static_cast<int32_t>(i);
    }
    require(any_allowed, "sampler: no token is allowed by the mask");
    require(best >= 0, "sampler: every allowed token has logit -inf or NaN");
    return best;
  }

  cands_.resize(n);
  size_t nc = 0;
  bool any_allowed = false;
  for (size_t i = 0; i < n; ++i) {
    if (mask && !mask[i]) continue;
    any_allowed = true;
    const float l = adjusted_[i];
    if (std::isnan(l) || l == -std::numeric_limits<float>::infinity()) continue;
    cands_[nc++] = {l, static_cast<int32_t>(i), 0.0f};
  }
  cands_.resize(nc);
  require(any_allowed, "sampler: no token is allowed by the mask");
  require(nc > 0, "sampler: every allowed token has logit -inf or NaN");

  auto better = [](const Cand& a, const Cand& b) { return a.logit > b.logit || (a.logit == b.logit && a.id < b.id); };
  bool sorted = false;
  if (p.top_k > 0 && static_cast<size_t>(p.top_k) < cands_.size()) {
    std::nth_element(cands_.begin(), cands_.begin() + p.top_k, cands_.end(), better);
    cands_.resize(p.top_k);
    std::sort(cands_.begin(), cands_.end(), better);
    sorted = true;
  }

  float mx = -std::numeric_limits<float>::infinity();
  for (const auto& c : cands_) mx = std::max(mx, c.logit);
  if (std::isinf(mx)) {  // +inf logits share all the mass
    std::vector<Cand> inf;
    for (const auto& c : cands_)
      if (c.logit == mx) inf.push_back(c);
    return inf[static_cast<size_t>(next_unit() * inf.size()) % inf.size()].id;
  }

  if (p.top_p < 1.0f && cands_.size() > 1) {
    // Untempered probabilities (as the reference computes top-p before temperature).
    double z = 0;
    for (auto& c : cands_) {
      c.e = std::exp(c.logit - mx);
      z += c.e;
    }
    const double target = static_cast<double>(p.top_p) * z;
    // Grow a sorted prefix (nth_element on the unsorted rest, then sort the new
    // block) until it covers the nucleus; peaked distributions stop early.
    size_t done = sorted ? cands_.size() : 0;
    size_t m = sorted ? cands_.size() : std::min<size_t>(cands_.size(), 128);
    double cum = 0;
    size_t cut = 0, i = 0;
    for (;;) {
      if (m > done) {
        if (m < cands_.size()) std::nth_element(cands_.begin() + done, cands_.begin() + m, cands_.end(), better);
        std::sort(cands_.begin() + done, cands_.begin() + m, better);
        done = m;
      }
      for (; i < m; ++i) {
        cum += cands_[i].e;
        if (cum >= target) {
          cut = i + 1;
          break;
        }
      }
      if (cut || m == cands_.size()) break;
      m = std::min(cands_.size(), m * 4);
    }
    if (cut) cands_.resize(cut);
  }

  if (p.min_p > 0.0f && cands_.size() > 1) {
    const float thresh = mx + std::log(p.min_p);
    cands_.erase(std::remove_if(cands_.begin(), cands_.end(), [&](const Cand& c) { return c.logit < thresh; }), cands_.end());
  }

  const float inv_t = 1.0f / p.temperature;
  double z = 0;
  for (auto& c : cands_) {
    c.e = std::exp((c.logit - mx) * inv_t);
    z += c.e;
  }
  double r = next_unit() * z;
  for (const auto& c : cands_) {
    r -= c.e;
    if (r < 0) return c.id;
  }
  return cands_.back().id;  // rounding left a sliver
}

}  // namespace pocketops::chat
