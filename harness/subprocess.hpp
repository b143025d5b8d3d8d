#pragma once
// A child process that leads its own process group, with output to a file,
// stdin from /dev/null, and a kernel-backed exit status (pidfd). Every
// blocking call is bounded. Stopping escalates SIGTERM → grace → SIGKILL to the
// whole group, so grandchildren die with the child. Spawned posix_spawn-style
// with clone(CLONE_VM | CLONE_VFORK) + execve() (no copy of our page tables:
// issue 13); an exec failure is reported synchronously as a SpawnError.
//
// Trap: with die_with_parent the kernel sends SIGKILL when the *thread* that
// spawned the child exits (PR_SET_PDEATHSIG), so spawn from a long-lived thread.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/executable_path.hpp"  // find_executable, re-exported: spawn() looks names up with it

namespace livegui {

/// How a process ended, decoded from the kernel's status (exit(15) and
/// "killed by SIGTERM" are different things).
struct ExitStatus {
  bool signaled = false;
  int code = 0;    ///< exit code when !signaled
  int signal = 0;  ///< signal number when signaled
  bool core_dumped = false;

  static ExitStatus exited(int code) { return {false, code, 0, false}; }
  static ExitStatus killed(int sig, bool core = false) { return {true, 0, sig, core}; }
  bool success() const { return !signaled && code == 0; }
  /// "exit code 3", "killed by SIGABRT (core dumped)".
  std::string describe() const;
  bool operator==(const ExitStatus&) const = default;
};

/// The process could not be started; the message names the executable and why.
class SpawnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SpawnOptions {
  std::filesystem::path executable;            ///< absolute, relative with '/', or a name looked up in PATH
  std::vector<std::string> args;               ///< arguments after argv[0]
  std::map<std::string, std::string> env_set;  ///< added to / overriding the inherited environment
  std::vector<std::string> env_unset;          ///< removed from the inherited environment
  std::filesystem::path cwd;                   ///< empty: inherit
  /// stdout and stderr go here (0600, truncated, O_APPEND so that truncating
  /// it later — log rotation — makes the child write at its start); empty: /dev/null
  std::filesystem::path output_file;
  bool die_with_parent = true;  ///< PR_SET_PDEATHSIG(SIGKILL)
  /// Open fds of ours the child inherits under the same numbers (e.g. the
  /// write end of a pipe for Xvfb -displayfd). Every other fd but 0-2 is closed.
  std::vector<int> inherit_fds;
};

/// What stop() did.
struct StopReport {
  ExitStatus status;
  bool sent_sigterm = false;
  bool sent_sigkill = false;    ///< the grace ran out (for the child or a group member)
  bool stuck = false;           ///< still not reaped after the SIGKILL wait
  bool already_exited = false;  ///< the child had exited before stop() was called
  std::chrono::nanoseconds took{0};
};

class Subprocess {
 public:
  /// Starts the process in a new process group. Throws SpawnError when the
  /// executable is missing, not executable, or exec fails (synchronously,
  /// not as a child exiting 127).
  static Subprocess spawn(const SpawnOptions& options);

  Subprocess() = default;
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  /// Stops the group (short graces) if still running. Never throws; bounded.
  ~Subprocess();

  bool valid() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  pid_t pgid() const { return pid_; }
  /// Start time from /proc/<pid>/stat, for identifying the process later.
  std::uint64_t start_time() const { return start_time_; }
  /// A pidfd that becomes readable when the child exits (for poll()).
  int pidfd() const { return pidfd_; }
  const std::filesystem::path& executable() const { return executable_; }

  /// Non-blocking: the exit status if the child has exited (reaps it).
  std::optional<ExitStatus> try_wait();
  /// Waits at most `timeout` for the child to exit.
  std::optional<ExitStatus> wait_for(std::chrono::nanoseconds timeout);
  /// The status once known, without asking the kernel.
  const std::optional<ExitStatus>& exit_status() const { return status_; }
  bool running() { return !try_wait().has_value(); }

  /// Sends `sig` to every process of the group. False when nothing was
  /// signalled (group empty, or we no longer own it).
  bool signal_group(int sig);

  /// SIGTERM to the group → wait `term_grace` for the child and the rest of
  /// the group → SIGKILL to the group → wait `kill_wait`. Bounded; never throws.
  StopReport stop(std::chrono::milliseconds term_grace = std::chrono::seconds(3),
                  std::chrono::milliseconds kill_wait = std::chrono::seconds(2));

  /// Live (non-zombie) processes still in the child's group.
  std::vector<pid_t> group_members() const;

 private:
  bool wait_group_gone(std::chrono::steady_clock::time_point deadline);
  void reset() noexcept;

  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::uint64_t start_time_ = 0;
  std::optional<ExitStatus> status_;
  std::filesystem::path executable_;
};


}  // namespace livegui
