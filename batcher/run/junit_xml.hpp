#pragma once
// Reading a JUnit XML report, as pytest --junitxml, ctest --output-junit,
// Catch2 -r junit and most other runners write it: <testsuites> (or a single
// <testsuite>) holding <testcase classname="…" name="…" time="…"> elements,
// each with at most one <failure>, <error> or <skipped>. Parsed with pugixml;
// a file that is not well-formed XML (a runner that died while writing it)
// is no report at all.

#include <chrono>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace livegui::batch {

enum class JunitOutcome { Passed, Failed, Errored, Skipped };

struct JunitCase {
  std::string classname;
  std::string name;
  JunitOutcome outcome = JunitOutcome::Passed;
  std::string type;     ///< the type attribute of <failure>/<error>/<skipped> ("pytest.xfail", …)
  std::string message;  ///< the message attribute, else the element's text (bounded)
  std::string text;     ///< the element's text (a traceback, a stack trace; its last 4,000 bytes), "" = none
  /// A failing or erring case's own <system-out> then <system-err> (its last
  /// 4,000 bytes; pytest writes them with junit_logging); "" = none or passed.
  std::string output;
  std::chrono::milliseconds duration{0};
  std::string screenshot;  ///< <properties><property name="screenshot" value="…"/> (livegui_pytest), "" = none
  /// The property kAutUnhealthyProperty (livegui_pytest: the AUT was dead or degraded when the test failed), "" = none
  std::string aut_unhealthy;
  /// "classname.name"; just `name` when classname is empty or equal to it
  /// (ctest writes both the same).
  std::string full_name() const;
};

struct JunitReport {
  std::vector<JunitCase> cases;  ///< in document order
};

/// Why a file is no usable report: "missing", "not well-formed XML at offset
/// 812: Start-end tags mismatch", "root element is <html>, not <testsuites> or <testsuite>".
struct JunitReadError {
  std::string why;
  /// A report cut off (the runner died while writing it): the test cases it
  /// had written whole before the cut, in document order; what was known.
  std::vector<JunitCase> complete = {};
};

/// Parses report text. Never throws; texts in messages are cut at 4,000 bytes.
std::variant<JunitReport, JunitReadError> parse_junit_xml(const std::string& text);
/// Reads and parses `file` (missing → JunitReadError{"missing"}).
std::variant<JunitReport, JunitReadError> read_junit_xml(const std::filesystem::path& file);

}  // namespace livegui::batch
