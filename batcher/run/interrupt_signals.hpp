#pragma once
// SIGINT/SIGTERM/SIGHUP as data: all three are blocked and read from a signalfd, so no
// work happens in a signal handler and the executor's poll() wakes up on
// them. The first one asks for a clean stop (entries and AUT groups stopped,
// partial reports written, exit 128 + the signal: 130, 143, 129), the second
// for an immediate kill.
// Children start with an empty signal mask (Subprocess resets it).

#include <csignal>

namespace livegui::batch {

class InterruptSignals {
 public:
  /// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (call it before any
  /// thread starts, so every thread inherits the mask). Throws
  /// std::system_error when the signalfd cannot be created.
  InterruptSignals();
  /// Restores the previous signal mask.
  ~InterruptSignals();
  InterruptSignals(const InterruptSignals&) = delete;
  InterruptSignals& operator=(const InterruptSignals&) = delete;

  /// Readable while a signal is pending.
  int fd() const { return fd_; }
  /// Reads pending signals without blocking; returns how many arrived in total.
  int drain();
  int count() const { return count_; }
  /// The first signal received (0 when none): the one the run answers to —
  /// its exit code (128 + it) and the reason it names. Signals pending at the
  /// same read have no order (signalfd(2) gives the lowest number first); a
  /// later one never replaces it.
  int first_signal() const { return first_; }
  /// The last signal received (0 when none).
  int last_signal() const { return last_; }

 private:
  int fd_ = -1;
  int count_ = 0;
  int first_ = 0;
  int last_ = 0;
  sigset_t previous_{};
};

}  // namespace livegui::batch
