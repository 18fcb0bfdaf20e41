// Tensor lookup by LFM2 name with shape/type validation.
#include "model/lfm2_weights.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.h"
#include "kernels/dequantize.h"
#include "kernels/dispatch.h"
#include "kernels/thread_pool.h"

namespace pocketops::model {

namespace {

class Binder {
 public:
  Binder(const gguf::File& f) : f_(f) {}

  const gguf::TensorInfo& need(const std::string& name, std::vector<int64_t> shape) {
    const gguf::TensorInfo* t = f_.find_tensor(name);
    if (!t) throw Error(f_.path() + ": missing tensor '" + name + "'");
    bool ok = t->n_dims <= 4;
    for (size_t i = 0; i < 4; ++i) ok = ok && t->ne[i] == (i < shape.size() ? shape[i] : 1);
    if (!ok) {
      std::string want = "[";
      for (size_t i = 0; i < shape.size(); ++i) want += (i ? ", " : "") + std::to_string(shape[i]);
      throw Error(f_.path() + ": tensor '" + name + "' has shape " + t->shape_string() + ", expected " + want + "]");
    }
    return *t;
  }

  kernels::Matrix matrix(const std::string& name, int64_t cols, int64_t rows) {
    const gguf::TensorInfo& t = need(name, {cols, rows});
    if (!kernels::is_supported_weight_type(t.type))
      throw Error(f_.path() + ": tensor '" + name + "' has type " + gguf::type_name(t.type) +
                  ", which pocketops cannot compute with (supported: F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K..Q6_K)");
    return kernels::dense_matrix(t.type, rows, cols, t.data);
  }

  const float* f32(const std::string& name, std::vector<int64_t> shape) {
    const gguf::TensorInfo& t = need(name, shape);
    if (t.type != gguf::TensorType::F32)
      throw Error(f_.path() + ": tensor '" + name + "' must be F32, is " + gguf::type_name(t.type));
    if (reinterpret_cast<uintptr_t>(t.data) % alignof(float) != 0)
      throw Error(f_.path() + ": tensor '" + name + "' data is misaligned");
    return reinterpret_cast<const float*>(t.data);
  }

 private:
  const gguf::File& f_;
};

// This process's shared file-backed mappings (read once from
// /proc/self/maps): MADV_DONTNEED on a range inside one of them only drops
// pages that are re-read from the file, never anonymous data.
class FileMappings {
 public:
  FileMappings() {
    FILE* f = std::fopen("/proc/self/maps", "r");
    if (!f) return;
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
      if (!std::strchr(line, '\n')) {  // a long path: drop the rest of the line, keep the fields read
        for (int c; (c = std::fgetc(f)) != EOF && c != '\n';) {
        }
      }
      unsigned long lo = 0, hi = 0, off = 0, inode = 0;
      char perms[8] = {}, dev[32] = {};
      if (std::sscanf(line, "%lx-%lx %7s %lx %31s %lu", &lo, &hi, perms, &off, dev, &inode) != 6) continue;
      if (inode != 0 && perms[3] == 's') ranges_.push_back({lo, hi});
    }
    std::fclose(f);
  }
  // True when [p, p+n) lies in one of them.
  bool contains(const void* p, size_t n) const {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p), b = a + n;
    for (const auto& [lo, hi] : ranges_)
      if (a >= lo && b <= hi) return true;
    return false;
  }

 private:
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges_;
};

// Drops this process's resident pages of a read-only file-mapped range
// (whole pages inside it only; the caller checked FileMappings::contains).
void release_pages(const uint8_t* p, size_t n) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t a = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + n) & ~(page - 1);
  if (b <= a) return;
  ::madvise(reinterpret_cast<void*>(a), b - a, MADV_DONTNEED);
}

}  // namespace

std::vector<kernels::Matrix*> Lfm2Weights::packable_matrices() {
  std::vector<kernels::Matrix*> all{&output};
  for (LayerWeights& L : layers) {
    for (kernels::Matrix* m : {&L.ffn_gate, &L.ffn_up, &L.ffn_down, &L.wq, &L.wk, &L.wv, &L.wo, &L.in_proj, &L.out_proj})
      all.push_back(m);
  }
  return all;
}

std::vector<const kernels::Matrix*> Lfm2Weights::packable_matrices() const {
  const std::vector<kernels::Matrix*> all = const_cast<Lfm2Weights*>(this)->packable_matrices();
  return {all.begin(), all.end()};
}

void Lfm2Weights::repack() {
  const char* env = std::getenv("POCKETOPS_REPACK");  // "0": keep the file layout (kernels without packing)
  if (env && std::strcmp(env, "0") == 0) return;
  std::mutex mu;
  const FileMappings mappings;  // the weights are mapped before repacking and stay so
  auto one = [&](kernels::Matrix& m) {
    if (!m.data || m.packed) return;
    // originals released chunk by chunk (the tied Q6_K output is 110 MB)
    const bool file_backed = mappings.contains(m.data, m.row_stride * m.rows);
    auto buf = kernels::pack_matrix(m, [&](const uint8_t* p, size_t n) {
      if (file_backed) release_pages(p, n);
    });
    if (!buf) return;
    std::lock_guard<std::mutex> lk(mu);
    packed_bytes += gguf::row_bytes(m.type, m.cols) * m.rows;
    packed.push_back(std::move(buf));
  };
  // The output projection first: the largest, so the threads finish together.
  const std::vector<kernels::Matrix*> todo = packable_matrices();
  // Matrices are packed in parallel (load time); each one is independent.
  std::atomic<size_t> next{0};
  std::exception_ptr failed;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < todo.size();) {
      try {
        one(*todo[i]);
      } catch (...) {
        std::lock_guard<std::mutex> lk(mu);
        if (!failed) failed = std::current_exception();
        next.store(todo.size());
      }
    }
  };
  const int n_threads = std::clamp(kernels::default_thread_count(), 1, 8);
  std::vector<std::thread> threads;
  for (int i = 1; i < n_threads; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failed) std::rethrow_exception(failed);
  if (output.data == tok_embd.data && output.packed) {
    // tok_embd keeps pointing at the file-backed original, but lookups read
    // the packed copy when the set can (kernels::matrix_row), so the released
    // original is not faulted back in (with fault-around)
    tok_embd.packed = output.packed;
    tok_embd.packed_by = output.packed_by;
  }
}

Lfm2Weights Lfm2Weights::bind(const gguf::File& f, Lfm2Config& cfg) {
  Binder b(f);
  Lfm2Weights w;
  const gguf::TensorInfo* emb = f.find_tensor("token_embd.weight");
  if (!emb) throw Error(f.path() + ": missing tensor 'token_embd.weight'");
  if (emb->n_dims != 2 || emb->ne[0] != cfg.n_embd)
    throw Error(f.path() + ": tensor 'token_embd.weight' has shape " + emb->shape_string() + ", expected [" +
                std::to_string(cfg.n_embd) + ", n_vocab]");
  if (cfg.n_vocab == 0) cfg.n_vocab = emb->ne[1];
  if (emb->ne[1] != cfg.n_vocab)
    throw Error(f.path() + ": token_embd.weight has " + std::to_string(emb->ne[1]) + " rows but the vocabulary has " +
                std::to_string(cfg.n_vocab) + " tokens");
  const int64_t d = cfg.n_embd, ff = cfg.n_ff, hd = cfg.head_dim;
  w.tok_embd = b.matrix("token_embd.weight", d, cfg.n_vocab);
  w.output = f.find_tensor("output.weight") ? b.matrix("output.weight", d, cfg.n_vocab) : w.tok_embd;
  w.out_norm = b.f32("token_embd_norm.weight", {d});
  w.layers.resize(cfg.n_layer);
  for (int64_t i = 0; i < cfg.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerWeights& L = w.layers[i];
    L.attn_norm = b.f32(p + "attn_norm.weight", {d});
    L.ffn_norm = b.f32(p + "ffn_norm.weight", {d});
    L.ffn_gate = b.matrix(p + "ffn_gate.weight", d, ff);
    L.ffn_up = b.matrix(p + "ffn_up.weight", d, ff);
    L.ffn_down = b.matrix(p + "ffn_down.weight", ff, d);
    if (cfg.is_attention(i)) {
      const int64_t kvd = cfg.n_head_kv[i] * hd;
      L.wq = b.matrix(p + "attn_q.weight", d, d);
      L.wk = b.matrix(p + "attn_k.weight", d, kvd);
      L.wv = b.matrix(p + "attn_v.weight", d, kvd);
      L.wo = b.matrix(p + "attn_output.weight", d, d);
      L.q_norm = b.f32(p + "attn_q_norm.weight", {hd});
      L.k_norm = b.f32(p + "attn_k_norm.weight", {hd});
    } else {
      L.in_proj = b.matrix(p + "shortconv.in_proj.weight", d, 3 * d);
      L.out_proj = b.matrix(p + "shortconv.out_proj.weight", d, d);
      const float* conv = b.f32(p + "shortconv.conv.weight", {cfg.conv_l, d});
      L.conv_taps.resize(static_cast<size_t>(cfg.conv_l * d));
      for (int64_t c = 0; c < d; ++c)
        for (int64_t k = 0; k < cfg.conv_l; ++k) L.conv_taps[k * d + c] = conv[c * cfg.conv_l + k];
    }
  }
  return w;
}

}  // namespace pocketops::model
