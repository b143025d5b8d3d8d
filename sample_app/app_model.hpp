#pragma once
// The sample app's state. Owned by the GUI thread; io jobs hand results back
// through the mailbox, which the GUI thread drains once per frame.

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace sample_app {

struct AppModel {
  std::string project = "untitled";  ///< label; switches when a "new project" job completes
  std::string name;                  ///< text field: the next project's name
  int counter = 0;
  int projects_created = 0;
  pid_t grandchild_pid = 0;

  /// The GET /state snapshot.
  nlohmann::json to_json(std::int64_t frame, int busy_jobs) const;
};

/// Work posted from other threads to run on the GUI thread.
class Mailbox {
 public:
  void post(std::function<void()> fn);
  /// GUI thread: runs everything posted so far.
  void drain();

 private:
  std::mutex mutex_;
  std::deque<std::function<void()>> items_;
};

}  // namespace sample_app
