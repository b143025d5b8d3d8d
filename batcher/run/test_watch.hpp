#pragma once
// Per-test timeout (`test_timeout`): follows a running test process's output
// as it grows and says which test runs now and since when: a GoogleTest
// binary's log ("[ RUN      ]" / "[       OK ]" / "[  FAILED  ]" /
// "[  SKIPPED ]" markers), or a pytest run's live event stream
// (docs/test-events.md: "start" / "end" events).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace livegui::batch {

struct Unit;
struct AttemptSpec;

/// What the followed file is.
enum class WatchedFile {
  GtestLog,     ///< a GoogleTest binary's output
  EventStream,  ///< LIVEGUI_EVENTS_FILE: one JSON event per line
};

class TestWatch {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TestWatch(std::filesystem::path file, WatchedFile kind = WatchedFile::GtestLog)
      : log_(std::move(file)), kind_(kind) {}

  /// Reads what the log gained since the last call (bounded: at most 1 MiB
  /// per call) and updates the running test; `now` stamps a test seen starting.
  void update(Clock::time_point now);
  /// Feeds log text directly (what update() does with the new bytes). While
  /// a test runs, only its own end marker ends it: another test's start line
  /// (a child GoogleTest binary's) neither replaces it nor restarts its clock.
  void feed(const std::string& text, Clock::time_point now);

  /// The test running now ("Suite.Name"), if any.
  const std::optional<std::string>& running() const { return running_; }
  /// How long the running test has run at `now` (0 when none).
  std::chrono::nanoseconds running_for(Clock::time_point now) const;

 private:
  void take_line(const std::string& line, Clock::time_point now);

  std::filesystem::path log_;
  WatchedFile kind_;
  std::uint64_t offset_ = 0;
  std::string partial_;  ///< an unfinished last line
  std::optional<std::string> running_;
  Clock::time_point since_{};
  bool lost_bytes_ = false;  ///< the log was capped since the last start line: markers may be lost
};

/// The watch an attempt of `unit` needs for its test_timeout: its GoogleTest
/// log, or its pytest event stream; std::nullopt for other entries.
std::optional<TestWatch> watch_for(const Unit& unit, const AttemptSpec& attempt);

}  // namespace livegui::batch
