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
#include <string>
#include <vector>

namespace livegui::batch {

/// Full test names ("Suite.Name", "Inst/Suite.Name/0") from --gtest_list_tests
/// output, in order. Lines that are not part of the list are ignored.
std::vector<std::string> parse_test_list(const std::string& text);

enum class MarkerOutcome { Passed, Failed, Skipped, Disabled };

struct FinishedTest {
  std::string name;
  MarkerOutcome outcome = MarkerOutcome::Passed;
  std::chrono::milliseconds duration{0};
  std::string output;  ///< what the test printed between its markers (bounded tail)
};

/// The progress a binary's stdout shows, even when it died half-way.
struct GtestProgress {
  std::vector<FinishedTest> finished;
  std::optional<std::string> running;  ///< started and never finished
  std::string running_output;          ///< what the running test printed (bounded tail)
  bool started_tests = false;          ///< a "[ RUN      ]" was seen
  bool reached_teardown = false;       ///< "Global test environment tear-down" was seen
  bool completed = false;              ///< the final "[==========] … ran." line was seen
};

/// Parses the markers. `max_output_lines` bounds each captured output.
GtestProgress parse_gtest_progress(std::istream& in, std::size_t max_output_lines = 40);
GtestProgress parse_gtest_progress_file(const std::filesystem::path& log, std::size_t max_output_lines = 40);

struct JsonTestResult {
  enum class Result { Completed, Skipped, NotRun };
  Result result = Result::Completed;
  bool failed = false;
  std::string failure;  ///< failure messages, joined
  std::chrono::milliseconds duration{0};
  std::string screenshot;  ///< the test's "screenshot" property (RecordProperty), "" = none
};

/// The path in a `[livegui] failure screenshot: <path>` line of a test's
/// output (the harness prints it), "" when there is none.
std::string screenshot_in_output(const std::string& output);

/// Parses a GTEST_OUTPUT=json report into results by full test name.
/// std::nullopt when the file is missing or not a GoogleTest JSON report.
std::optional<std::map<std::string, JsonTestResult>> parse_gtest_json_file(const std::filesystem::path& file);
std::optional<std::map<std::string, JsonTestResult>> parse_gtest_json(const std::string& text);

/// True when `test` ("Suite.Name") matches a GoogleTest filter pattern list
/// ("A.*:B.c-A.skip"): '*' and '?' wildcards, ':' alternatives, '-' negatives.
bool matches_gtest_filter(const std::string& test, const std::string& filter);

/// True when `test` matches `pattern` as a whole ('*' and '?' wildcards, no
/// ':' alternatives or '-' negatives): for names that contain those
/// characters, such as pytest node ids ("t.py::test_a[1-2]").
bool matches_wildcard(const std::string& test, const std::string& pattern);

}  // namespace livegui::batch
