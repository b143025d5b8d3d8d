#pragma once
// An AUT process we did not spawn (recorded in a state file by another
// owner): watched through a pidfd, identified by pid + start time, and
// stopped through its process group only while that identity still holds.
// Its exit status belongs to its parent; we only see that it is gone.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>

#include "harness/subprocess.hpp"

namespace livegui {

class AttachedProcess {
 public:
  /// Empty when the process is gone, is not the one recorded (start time
  /// differs: the pid was reused) or no longer leads `pgid`.
  static std::optional<AttachedProcess> adopt(pid_t pid, pid_t pgid, std::uint64_t start_time);

  AttachedProcess(AttachedProcess&& other) noexcept;
  AttachedProcess& operator=(AttachedProcess&& other) noexcept;
  AttachedProcess(const AttachedProcess&) = delete;
  AttachedProcess& operator=(const AttachedProcess&) = delete;
  /// Closes the pidfd; never signals (the process is not ours to stop implicitly).
  ~AttachedProcess();

  pid_t pid() const { return pid_; }
  pid_t pgid() const { return pgid_; }
  std::uint64_t start_time() const { return start_time_; }
  int pidfd() const { return pidfd_; }

  /// True once the process has exited (or its identity no longer matches).
  bool exited();
  /// Waits at most `timeout` for the process to exit.
  bool wait_exit(std::chrono::milliseconds timeout);

  /// SIGTERM to the group → `term_grace` → SIGKILL → `kill_wait`; signals
  /// only while pid + start time still match. Bounded, never throws.
  /// The status in the report is unknown (exit code -1) unless it was killed by us.
  StopReport stop(std::chrono::milliseconds term_grace, std::chrono::milliseconds kill_wait);

 private:
  AttachedProcess() = default;
  bool identity_holds() const;
  bool wait_group_gone(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = 0;
  pid_t pgid_ = 0;
  std::uint64_t start_time_ = 0;
  int pidfd_ = -1;
  bool exited_ = false;
};

}  // namespace livegui
