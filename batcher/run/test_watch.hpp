#pragma once
// Per-test timeout (`test_timeout`): follows a running test process's output
// as it grows and says which test runs now and since when: a GoogleTest
// binary's event stream (gtest_stream.hpp: TestStart / TestEnd, which a test
// cannot forge by printing), else its log ("[ RUN      ]" / "[       OK ]" /
// "[  FAILED  ]" / "[  SKIPPED ]" markers: a binary run without the stream,
// or one that never parsed its flags), or a pytest run's live event stream
// (docs/test-events.md: "start" / "end" events).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "batcher/run/gtest_stream.hpp"

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
  /// Follows `file`; for a GoogleTest log, also `gtest_stream` (the file the
  /// binary's GoogleTestStreamSink keeps; "" = the binary runs without one).
  explicit TestWatch(std::filesystem::path file, WatchedFile kind = WatchedFile::GtestLog,
                     std::filesystem::path gtest_stream = {})
      : kind_(kind) {
    log_.path = std::move(file);
    stream_.path = std::move(gtest_stream);
  }

  /// Reads what the stream and the log gained since the last call (bounded:
  /// at most 1 MiB of each per call) and updates the running test; `now`
  /// stamps a test seen starting. Never blocks on anything but the reads.
  void update(Clock::time_point now);
  /// Feeds log text directly (what update() does with the new bytes). While
  /// a test runs, only its own end marker ends it: another test's start line
  /// (a child GoogleTest binary's) neither replaces it nor restarts its clock.
  /// Ignored once the GoogleTest stream has connected.
  void feed(const std::string& text, Clock::time_point now);
  /// Feeds GoogleTest event-stream text directly (gtest_stream.hpp). Once it
  /// says TestProgramStart it alone says which test runs: only a TestEnd ends
  /// a test, whatever marker lines the test prints.
  void feed_gtest_stream(const std::string& text, Clock::time_point now);

  /// The test running now ("Suite.Name"), if any; of several running at
  /// once (an event stream of a parallel runner such as pytest-xdist), the
  /// one that started first.
  const std::optional<std::string>& running() const { return running_; }
  /// How long the running test has run at `now` (0 when none).
  std::chrono::nanoseconds running_for(Clock::time_point now) const;

 private:
  /// A file read as it grows.
  struct Followed {
    std::filesystem::path path;
    std::uint64_t offset = 0;
    std::string partial;  ///< an unfinished last line
    /// What the file gained (at most 1 MiB); sets `shrank` when it got shorter (capped).
    std::string read_new(bool& shrank);
    /// Appends `text` and calls `take` with each complete line.
    template <typename Take>
    void lines(const std::string& text, Take take);
  };
  void take_line(const std::string& line, Clock::time_point now);
  void take_stream_line(const std::string& line, Clock::time_point now);

  Followed log_;
  Followed stream_;
  WatchedFile kind_;
  GtestStreamParser stream_parser_;
  std::optional<std::string> running_;
  Clock::time_point since_{};
  /// An event stream's tests started and not ended, with when each was seen
  /// starting, in start order (a parallel runner runs several); running_ and
  /// since_ are the first of them, the one that has run longest.
  std::vector<std::pair<std::string, Clock::time_point>> open_;
  bool lost_bytes_ = false;  ///< the log was capped since the last start line: markers may be lost
};

/// The watch an attempt of `unit` needs for its test_timeout: its GoogleTest
/// log and, with `stream_open` (the sink for attempt.stream listens), its
/// GoogleTest event stream; or its pytest event stream; std::nullopt for
/// other entries.
std::optional<TestWatch> watch_for(const Unit& unit, const AttemptSpec& attempt, bool stream_open);

}  // namespace livegui::batch
