#pragma once
// The live test-event stream (docs/test-events.md): a runner appends one JSON
// object per line to LIVEGUI_EVENTS_FILE, flushed, when a test starts and
// when it ends. Unlike a report written at the end, the stream survives the
// runner's death: it says which tests finished and which one was running.

#include <chrono>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace livegui::batch {

/// A test's outcome as the stream states it ("passed", "failed", "error",
/// "skipped", "xfailed", "xpassed").
enum class EventOutcome { Passed, Failed, Errored, Skipped, XFailed, XPassed };

/// "passed" → Passed, …; std::nullopt for anything else.
std::optional<EventOutcome> event_outcome_from_string(const std::string& s);

/// A phase of a test in which it can fail: the stream's "phase" words.
enum class TestPhase { Collect, Setup, Call, Teardown };

/// "collect", "setup", "call", "teardown" → the phase; std::nullopt for anything else.
std::optional<TestPhase> test_phase_from_string(const std::string& s);

struct EndedTest {
  std::string test;  ///< the runner's test id (pytest: the node id)
  EventOutcome outcome = EventOutcome::Passed;
  std::string message;  ///< why it failed / was skipped; "" when none (bounded)
  std::string note;     ///< what the runner wants shown with the result ("fresh AUT: …"); bounded
  /// A failed test's AUT was dead or degraded when it failed (the
  /// diagnostic's first line; kAutUnhealthyProperty); "" = healthy or not known.
  std::string aut_unhealthy;
  std::chrono::milliseconds duration{0};
  /// The phases that failed, in order (the "phase" field: "setup",
  /// "call teardown", "collect" — a file that could not be collected, `test`
  /// its path); empty when not said, or when a word is none of these.
  std::vector<TestPhase> failed_in;
};

struct TestEvents {
  /// The runner's optional "collected" event: the tests it will run, in
  /// order; std::nullopt when it wrote none (then only the tests the stream
  /// names are known).
  std::optional<std::vector<std::string>> collected;
  std::vector<EndedTest> ended;        ///< in stream order
  /// Started and not ended; of several (a parallel runner: pytest-xdist's
  /// controller interleaves its workers' starts and ends), the one that
  /// started first — it has run longest, so a per-test timeout is its.
  std::optional<std::string> running;
  std::vector<std::string> also_running;  ///< the others started and not ended, in start order
  bool finished = false;               ///< the runner wrote its "finish" event
  std::size_t bad_lines = 0;           ///< lines that are not events (a torn last line, …)
};

/// Parses a stream. Never throws: lines that are not events are counted and skipped.
TestEvents parse_test_events(std::istream& in);
/// Reads `file`; a missing file is an empty stream.
TestEvents read_test_events(const std::filesystem::path& file);

}  // namespace livegui::batch
