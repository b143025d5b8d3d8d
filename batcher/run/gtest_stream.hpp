#pragma once
// GoogleTest's own event stream: with --gtest_stream_result_to=HOST:PORT a
// binary connects to HOST:PORT when it parses its flags and writes one line
// per event ("event=TestCaseStart&name=S", "event=TestStart&name=T",
// "event=TestEnd&passed=1&elapsed_time=0ms", …), unbuffered, so what it sent
// survives its crash.
//
// Why the batcher reads it (newcomer trial, issue 18): the markers on stdout
// ("[ RUN      ] S.T") are text any test can print — a fake line, or a child
// GoogleTest binary the test runs, naming a real test of the binary — and a
// crash after such a line blamed the wrong test. The stream is on argv, not
// in the environment, so a child started by a test does not inherit it (a
// death-test child, which re-runs the binary's argv, has GoogleTest suppress
// its events), and it is a socket a test does not write to by accident. The
// markers stay the record of each test's output; the stream says which of
// them are GoogleTest's own. Its cost is one loopback socket per process
// (no extra spawn: issue 13); without it (a binary that never parses its
// flags, a user's own --gtest_stream_result_to) the markers are read alone.

#include <chrono>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "harness/subprocess.hpp"

namespace livegui::batch {

/// One test starting or ending, as the stream says.
struct StreamEvent {
  enum class Kind { Start, End };
  Kind kind = Kind::Start;
  std::string name;     ///< "Suite.Name"
  bool passed = false;  ///< End only: GoogleTest's TestResult::Passed() (false for a skip too)
  /// End only: the test's TestPartResult texts, as GoogleTest's JSON report
  /// writes them ("file:line\nmessage"), joined by "\n"; "" = none. A skip's
  /// text is one too (the stream does not say which part is which).
  std::string failure;
};

/// What a binary's stream said.
struct GtestStream {
  bool connected = false;  ///< a TestProgramStart was received: the stream speaks for this process
  bool ended = false;      ///< TestProgramEnd was received
  std::vector<StreamEvent> events;
  /// Suites whose TestCaseEnd was received, in order: GoogleTest ran every
  /// test of each that this process's --gtest_filter selects (a suite runs
  /// as one block, shuffled or not), whether or not a listing names them.
  std::vector<std::string> ended_suites;
};

/// Reads the stream a line at a time, as it grows (the per-test timeout's
/// watch, test_watch.hpp) or from its file (parse_gtest_stream). A
/// TestPartResult inside a test adds its text to that test's End.
class GtestStreamParser {
 public:
  /// Takes one line, without its newline; returns the test start or end it
  /// completes, if any. Never throws.
  std::optional<StreamEvent> take_line(const std::string& line);
  /// A TestProgramStart was seen: the stream speaks for this process.
  bool connected() const { return connected_; }
  /// A TestProgramEnd was seen.
  bool ended() const { return ended_; }
  /// The suites whose TestCaseEnd was seen, in order (GtestStream::ended_suites).
  const std::vector<std::string>& ended_suites() const { return ended_suites_; }
  /// The suite a TestCaseStart opened and no TestCaseEnd closed yet; "" when
  /// none. Outside its tests, the binary is in its SetUpTestSuite or
  /// TearDownTestSuite (GoogleTest calls OnTestSuiteStart before the one and
  /// OnTestSuiteEnd after the other).
  const std::string& open_suite() const { return suite_; }

 private:
  std::string suite_, test_, failure_;
  std::vector<std::string> ended_suites_;
  bool connected_ = false, ended_ = false;
};

/// Parses the lines the sink kept (see GtestStreamSink). Never throws.
GtestStream parse_gtest_stream(std::istream& in);
/// Reads `file`; a missing or empty file is a stream that never connected.
GtestStream read_gtest_stream(const std::filesystem::path& file);

/// The binary aborted in GoogleTest's streaming listener after the stream's
/// program end: a second RUN_ALL_TESTS() sent on the closed connection
/// (GTEST_CHECK_ "can be called only when there is a connection", found in
/// the last 20 lines of `log`). Reads `log`; never throws.
bool stream_aborted_a_second_run(const GtestStream& stream, const ExitStatus& status, const std::filesystem::path& log);

/// The value of --gtest_stream_result_to the batcher passes for `port`.
std::string stream_flag(int port);

}  // namespace livegui::batch
