#include "backend/cpu/thread_pool.hpp"

#include <algorithm>

namespace attnscope {

namespace {
thread_local bool tInsidePool = false;
}

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int w = 1; w < threads; ++w) workers_.emplace_back([this, w] { workerLoop(w); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

ThreadPool& ThreadPool::shared() {
  static ThreadPool pool;
  return pool;
}

void ThreadPool::runChunks(int worker) {
  tInsidePool = true;
  for (;;) {
    int64_t index;
    const std::function<void(int64_t, int)>* job;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (next_ >= end_ || error_) break;
      index = next_++;
      job = job_;
    }
    try {
      (*job)(index, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
  tInsidePool = false;
}

void ThreadPool::workerLoop(int worker) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      ++active_;
    }
    runChunks(worker);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --active_;
    }
    done_.notify_all();
  }
}

void ThreadPool::parallelFor(int64_t begin, int64_t end, const std::function<void(int64_t, int)>& fn) {
  if (begin >= end) return;
  if (tInsidePool || workers_.empty() || end - begin == 1) {
    for (int64_t i = begin; i < end; ++i) fn(i, 0);
    return;
  }
  std::lock_guard<std::mutex> run(runMutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    next_ = begin;
    end_ = end;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  runChunks(0);
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return active_ == 0; });
    // Workers that never woke for this generation will see next_ >= end_.
    next_ = end_;
    job_ = nullptr;
    error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace attnscope
