// A fixed pool of workers with a blocking parallel-for (dynamic scheduling, so
// uneven tiles such as causal rows balance themselves).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace attnscope {

class ThreadPool {
 public:
  // threads <= 0: one per hardware thread.
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }  // the caller works too

  // Calls fn(index, worker) for index in [begin, end); worker in [0, size()).
  // Returns when all are done; rethrows the first exception thrown by fn.
  // Nested calls from inside fn run serially on the calling worker.
  void parallelFor(int64_t begin, int64_t end, const std::function<void(int64_t, int)>& fn);

  static ThreadPool& shared();

 private:
  void workerLoop(int worker);
  void runChunks(int worker);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int)>* job_ = nullptr;
  int64_t next_ = 0, end_ = 0;
  int active_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::mutex runMutex_;  // one parallelFor at a time
};

}  // namespace attnscope
