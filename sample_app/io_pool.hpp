#pragma once
// A small worker pool for "io" jobs (like a Python ThreadPoolExecutor). After
// shutdown(), submit() throws — the failure the sample app reproduces:
// "cannot schedule new work: io pool shut down".

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sample_app {

class IoPoolShutDown : public std::runtime_error {
 public:
  IoPoolShutDown() : std::runtime_error("cannot schedule new work: io pool shut down") {}
};

class IoPool {
 public:
  explicit IoPool(int workers);
  ~IoPool();  ///< shutdown() and join
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  /// Queues `job`. Throws IoPoolShutDown after shutdown().
  void submit(std::function<void()> job);
  /// Stops accepting work; queued jobs are dropped, running ones finish.
  void shutdown();
  bool is_shut_down() const;
  int busy() const;

 private:
  void work();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool shut_down_ = false;
  int busy_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace sample_app
