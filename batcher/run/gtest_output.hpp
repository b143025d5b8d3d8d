#pragma once
// What a GoogleTest binary tells us: its test list (--gtest_list_tests), its
// progress markers on stdout ([ RUN      ] / [       OK ] / [  FAILED  ] /
// [  SKIPPED ]), and its GTEST_OUTPUT=json report. The markers survive a
// crash; the JSON only exists when the binary finished.

#include <chrono>
#include <filesystem>
#include <istream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "batcher/run/gtest_stream.hpp"

namespace livegui::batch {

/// Full test names ("Suite.Name", "Inst/Suite.Name/0") from --gtest_list_tests
/// output, in order. A listing printed more than once (a main() that calls
/// RUN_ALL_TESTS() twice: the same names in the same order again) is read
/// once; a name that repeats within one listing is two tests and kept twice
/// (fixtures of one name in different namespaces). Lines that are not part
/// of the list are ignored.
std::vector<std::string> parse_test_list(const std::string& text);

enum class MarkerOutcome { Passed, Failed, Skipped, Disabled };

struct FinishedTest {
  std::string name;
  MarkerOutcome outcome = MarkerOutcome::Passed;
  std::chrono::milliseconds duration{0};
  std::string output;  ///< what the test printed between its markers (bounded tail)
  /// Its failure texts as GoogleTest's event stream sent them
  /// (StreamEvent::failure); "" = none, or no stream.
  std::string failure;
};

/// The progress a binary's stdout shows, even when it died half-way.
struct GtestProgress {
  std::vector<FinishedTest> finished;
  std::optional<std::string> running;  ///< started and never finished
  std::string running_output;          ///< what the running test printed (bounded tail)
  bool started_tests = false;          ///< a "[ RUN      ]" was seen
  bool saw_banner = false;             ///< "[==========] Running N tests" was seen: RUN_ALL_TESTS() ran
  /// GoogleTest printed its flag help ("This program contains tests written
  /// using Google Test. …") before any banner: an argument with its flag
  /// prefix it does not know (a typo), or --help; it then runs no test.
  bool printed_help = false;
  int banners = 0;  ///< how many "[==========] Running N tests" lines (RUN_ALL_TESTS() calls, or a child binary's)
  /// N of the first "[==========] Running N tests from …" line: the tests
  /// the run selected; -1 when no banner was seen.
  long announced_tests = -1;
  /// The suite whose "[----------] N tests from S" opened and whose closing
  /// line did not come yet ("" = none): where a crash outside a test happened.
  std::string open_suite;
  /// Tests of open_suite that finished (0 with open_suite set = died in its set-up).
  std::size_t open_suite_finished = 0;
  /// Suites whose closing line ("[----------] N tests from S (T ms total)")
  /// followed their opening one, in order: every test of each that the
  /// process's filter selects ran. The stream's TestCaseEnd says it better
  /// (GtestStream::ended_suites); this is for a run without one.
  std::vector<std::string> closed_suites;
  /// Suites GoogleTest's closing summary lists as failed outside any test
  /// ("[  FAILED  ] W: SetUpTestSuite or TearDownTestSuite"), with what was
  /// printed in that suite outside its tests (bounded), in summary order.
  std::vector<std::pair<std::string, std::string>> failed_suites;
  bool reached_teardown = false;  ///< "Global test environment tear-down" was seen
  /// The last RUN_ALL_TESTS() call's "[==========] … ran." line was seen (a
  /// later call's banner opens a run again: a main() that calls it twice).
  bool completed = false;
  int runs_completed = 0;         ///< how many "[==========] … ran." lines: RUN_ALL_TESTS() calls that ended
  bool streamed = false;          ///< the binary's event stream decided which markers are its own
};

/// The tests a binary lists (--gtest_list_tests): with it, marker lines of
/// names it does not list are not its tests' markers but what its running
/// test printed (a child GoogleTest binary the test runs, or lines that only
/// look like markers), and GoogleTest's banner and closing lines printed
/// while one of its tests runs are that test's output too.
using TestListing = std::set<std::string>;

/// Parses the markers. `max_output_lines` bounds each captured output;
/// `listing` (nullptr: the binary was not listed) tells its own tests from
/// names only printed. `stream` (nullptr or not connected: none) is the
/// binary's own event stream (gtest_stream.hpp): then a marker is
/// GoogleTest's only when it is the stream's next event — a start line while
/// a test runs, or an end line the stream did not send, is that test's
/// output, whatever it names — and what the stream says that the markers do
/// not show (a log cut by the cap, a crash between the two) is taken from
/// it. Memory stays bounded whatever the input: a line
/// longer than kMaxKeptLineBytes keeps its head and its tail (where a marker
/// pushed right by output without a newline ends up), the middle is
/// replaced by "…[N bytes]…".
GtestProgress parse_gtest_progress(std::istream& in, std::size_t max_output_lines = 40,
                                   const TestListing* listing = nullptr, const GtestStream* stream = nullptr);

/// Bytes of one output line kept in memory (half head, half tail).
inline constexpr std::size_t kMaxKeptLineBytes = 8192;
GtestProgress parse_gtest_progress_file(const std::filesystem::path& log, std::size_t max_output_lines = 40,
                                        const TestListing* listing = nullptr, const GtestStream* stream = nullptr);
/// The markers of `streams` read one after the other (a rotated log, then the log).
GtestProgress parse_gtest_progress_streams(std::vector<std::istream*> streams, std::size_t max_output_lines = 40,
                                           const TestListing* listing = nullptr, const GtestStream* stream = nullptr);
/// The markers of `logs` read one after the other; missing files are left out.
GtestProgress parse_gtest_progress_files(const std::vector<std::filesystem::path>& logs,
                                         std::size_t max_output_lines = 40, const TestListing* listing = nullptr,
                                         const GtestStream* stream = nullptr);

struct JsonTestResult {
  std::string name;  ///< "Suite.Name"; for a suite-level result, the suite's name
  /// A failure GoogleTest reports outside any test: in SetUpTestSuite /
  /// TearDownTestSuite (name = the suite), or in a global environment (name = "").
  bool suite_level = false;
  enum class Result { Completed, Skipped, NotRun };
  Result result = Result::Completed;
  bool failed = false;
  std::string failure;  ///< failure messages, joined
  std::chrono::milliseconds duration{0};
  std::string screenshot;  ///< the test's "screenshot" property (RecordProperty), "" = none
  std::string aut_unhealthy;  ///< the test's kAutUnhealthyProperty, "" = none
};

/// The path in a `[livegui] failure screenshot: <path>` line of a test's
/// output (the harness prints it), "" when there is none.
std::string screenshot_in_output(const std::string& output);

/// The diagnostic's first line after the listener's kAutUnhealthyLine in a
/// test's output ("" when there is none): the AUT was broken when it failed.
std::string aut_unhealthy_in_output(const std::string& output);

/// A GTEST_OUTPUT=json report: every test in report order (a name may
/// repeat: GoogleTest runs two fixtures of one name in different namespaces),
/// and GoogleTest's own counts.
struct GtestJsonReport {
  std::vector<JsonTestResult> tests;
  int total = 0;     ///< "tests": GoogleTest's count (disabled included)
  int failures = 0;  ///< "failures"
  int disabled = 0;  ///< "disabled"
};

/// Parses a GTEST_OUTPUT=json report. std::nullopt when the file is missing
/// or not a GoogleTest JSON report.
std::optional<GtestJsonReport> parse_gtest_json_file(const std::filesystem::path& file);
std::optional<GtestJsonReport> parse_gtest_json(const std::string& text);

/// The first test `stream` (when connected) started that `listed` does not
/// name ("" when none): the listing is not all the binary runs (a main()
/// that registers tests only when it is not listing).
std::string first_unlisted_start(const GtestStream& stream, const std::vector<std::string>& listed);

/// True when `report` names a test `listing` does not list: it is not this
/// binary's report but a child GoogleTest binary's (a child inherits
/// GTEST_OUTPUT and writes its report where the binary's would be). Failures
/// outside any test (suite-level results) name no test and do not count,
/// and neither does a test the binary's own `stream` (when connected)
/// started: a main() may register tests only when it is not listing.
bool names_unlisted_tests(const GtestJsonReport& report, const TestListing& listing,
                          const GtestStream* stream = nullptr);

/// True when `test` ("Suite.Name") matches a GoogleTest filter pattern list
/// ("A.*:B.c-A.skip"): '*' and '?' wildcards, ':' alternatives, '-' negatives.
bool matches_gtest_filter(const std::string& test, const std::string& filter);

/// True when `test` matches `pattern` as a whole ('*' and '?' wildcards, no
/// ':' alternatives or '-' negatives): for names that contain those
/// characters, such as pytest node ids ("t.py::test_a[1-2]").
bool matches_wildcard(const std::string& test, const std::string& pattern);

}  // namespace livegui::batch
