#include "sample_app/io_pool.hpp"

namespace sample_app {

IoPool::IoPool(int workers) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

IoPool::~IoPool() {
  shutdown();
  for (auto& t : threads_) t.join();
}

void IoPool::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) throw IoPoolShutDown();
    jobs_.push_back(std::move(job));
    ++busy_;
  }
  cv_.notify_one();
}

void IoPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    busy_ -= static_cast<int>(jobs_.size());
    jobs_.clear();
  }
  cv_.notify_all();
}

bool IoPool::is_shut_down() const {
  std::lock_guard lock(mutex_);
  return shut_down_;
}

int IoPool::busy() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

void IoPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return shut_down_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // shut down and nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (...) {
      // A failing job must not take the worker down; the app sees no result.
    }
    std::lock_guard lock(mutex_);
    --busy_;
  }
}

}  // namespace sample_app
