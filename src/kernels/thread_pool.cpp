// ThreadPool implementation: generation counter + spin-then-sleep workers;
// the caller never waits for a worker that has not joined the current job.
#include "kernels/thread_pool.h"

#include "kernels/cpu_budget.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PO_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define PO_PAUSE() asm volatile("yield" ::: "memory")  // spin hint, no system call
#else
#define PO_PAUSE() std::this_thread::yield()
#endif

namespace pocketops::kernels {

int default_thread_count() { return cpu_budget().threads; }

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads <= 0 ? default_thread_count() : n_threads) {
  for (int i = 1; i < n_threads_; ++i) threads_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_.store(true);
    generation_.fetch_add(1);
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::worker(int id) {
  uint64_t seen = 0;
  for (;;) {
    // Spin for a while (cheap hand-off between back-to-back kernels), then sleep.
    int spins = 0;
    while (generation_.load(std::memory_order_acquire) == seen) {
      if (++spins < 100000) {
        PO_PAUSE();
        continue;
      }
      std::unique_lock<std::mutex> lk(mu_);
      sleepers_.fetch_add(1);
      cv_.wait(lk, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      sleepers_.fetch_sub(1);
      break;
    }
    const uint64_t g = generation_.load(std::memory_order_acquire);
    seen = g;
    if (stop_.load()) return;
    active_.fetch_add(1, std::memory_order_seq_cst);
    if (closed_.load(std::memory_order_seq_cst) < g) {
      // The job is still open, so the caller is inside parallel_for and fn_/n_tasks_ are stable.
      const int64_t n = n_tasks_;
      for (;;) {
        const int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
        if (t >= n) break;
        (*fn_)(t, id);
      }
    }
    active_.fetch_sub(1, std::memory_order_release);
  }
}

void ThreadPool::parallel_for(int64_t n_tasks, const std::function<void(int64_t, int)>& fn) {
  if (n_tasks <= 0) return;
  if (n_threads_ == 1 || n_tasks == 1) {
    for (int64_t t = 0; t < n_tasks; ++t) fn(t, 0);
    return;
  }
  fn_ = &fn;
  n_tasks_ = n_tasks;
  next_.store(0, std::memory_order_relaxed);
  uint64_t g;
  bool wake;
  {
    // Bumping under the lock orders it with a sleeper's predicate check, so a
    // worker that is about to sleep either sees the new job or gets notified.
    std::lock_guard<std::mutex> lk(mu_);
    g = generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
    wake = sleepers_.load() > 0;
  }
  if (wake) cv_.notify_all();
  for (;;) {
    const int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
    if (t >= n_tasks) break;
    fn(t, 0);
  }
  closed_.store(g, std::memory_order_seq_cst);
  // Wait only for workers that joined (they finish their current task).
  for (int spins = 0; active_.load(std::memory_order_seq_cst) != 0; ++spins) {
    if (spins < 20000) PO_PAUSE();
    else std::this_thread::yield();
  }
}

void ThreadPool::run_on_all(const std::function<void(int)>& fn) {
  // Every thread index runs exactly once (not necessarily on distinct threads).
  parallel_for(n_threads_, [&](int64_t t, int) { fn(static_cast<int>(t)); });
}

}  // namespace pocketops::kernels
