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
  explicit ThreadPool(int n_threads);  // total threads including the caller; <= 0: hardware count
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
  void dispatch(const std::function<void(int)>& job);

  int n_threads_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  const std::function<void(int)>* job_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> sleepers_{0};
};

int default_thread_count();

}  // namespace pocketops::kernels
