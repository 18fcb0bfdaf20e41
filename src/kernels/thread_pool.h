// Persistent worker pool for kernels: the calling thread works too, workers
// spin briefly between jobs (decode issues ~100 jobs per token) then sleep.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pocketops::kernels {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);  // total threads including the caller; <= 0: default_thread_count()
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }
  // Runs fn(task, thread) for task in [0, n_tasks), tasks handed out dynamically.
  void parallel_for(int64_t n_tasks, const std::function<void(int64_t task, int thread)>& fn);
  // Runs fn(thread) once on every thread (static partitioning by the callee).
  void run_on_all(const std::function<void(int thread)>& fn);

 private:
  void worker(int id);

  int n_threads_;
  std::vector<std::thread> threads_;
  // Job protocol: the caller publishes (fn_, n_tasks_), bumps generation_,
  // runs tasks itself, then marks the generation closed_ and waits only for
  // workers that joined (active_). A worker that was descheduled and wakes
  // after closing skips the job, so the caller never waits for a thread that
  // did not start.
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> closed_{0};
  std::atomic<int> active_{0};
  std::atomic<int64_t> next_{0};
  int64_t n_tasks_ = 0;
  const std::function<void(int64_t, int)>* fn_ = nullptr;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> sleepers_{0};
};

// One per physical core this process may use, within its cgroup CPU quota (cpu_budget.h).
int default_thread_count();

}  // namespace pocketops::kernels
