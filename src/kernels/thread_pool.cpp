// ThreadPool implementation: generation counter + spin-then-sleep workers.
#include "kernels/thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PO_PAUSE() _mm_pause()
#else
#define PO_PAUSE() std::this_thread::yield()
#endif

namespace pocketops::kernels {

int default_thread_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

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
      if (++spins < 200000) {
        PO_PAUSE();
        continue;
      }
      std::unique_lock<std::mutex> lk(mu_);
      sleepers_.fetch_add(1);
      cv_.wait(lk, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      sleepers_.fetch_sub(1);
      break;
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load()) return;
    (*job_)(id);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::dispatch(const std::function<void(int)>& job) {
  if (n_threads_ == 1) {
    job(0);
    return;
  }
  job_ = &job;
  pending_.store(n_threads_ - 1, std::memory_order_release);
  bool wake;
  {
    // Bumping under the lock orders it with a sleeper's predicate check, so a
    // worker that is about to sleep either sees the new job or gets notified.
    std::lock_guard<std::mutex> lk(mu_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    wake = sleepers_.load() > 0;
  }
  if (wake) cv_.notify_all();
  job(0);
  // Spin briefly, then yield so an oversubscribed machine still makes progress.
  for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
    if (spins < 20000) PO_PAUSE();
    else std::this_thread::yield();
  }
}

void ThreadPool::parallel_for(int64_t n_tasks, const std::function<void(int64_t, int)>& fn) {
  if (n_tasks <= 0) return;
  if (n_threads_ == 1 || n_tasks == 1) {
    for (int64_t t = 0; t < n_tasks; ++t) fn(t, 0);
    return;
  }
  std::atomic<int64_t> next{0};
  std::function<void(int)> job = [&](int thread) {
    for (;;) {
      int64_t t = next.fetch_add(1, std::memory_order_relaxed);
      if (t >= n_tasks) break;
      fn(t, thread);
    }
  };
  dispatch(job);
}

void ThreadPool::run_on_all(const std::function<void(int)>& fn) { dispatch(fn); }

}  // namespace pocketops::kernels
