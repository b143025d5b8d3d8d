#pragma once
// format = "pytest": one attempt of a pytest process, from its live event
// stream (batcher/run/test_events.hpp, written by the livegui_pytest plugin)
// and its JUnit report. Tests are named by pytest node id
// ("tests/test_x.py::TestC::test_a[1]"). When pytest dies or hangs inside a
// test, the stream names that test: it gets CRASH or TIMEOUT "during this
// test", and after a crash the rest of the file is resumed in a fresh pytest
// process that deselects every test already decided, by exact node id
// (LIVEGUI_DESELECT_FILE, read by the plugin; report_formats.hpp). A test
// that stops pytest itself (pytest.exit(), KeyboardInterrupt: the stream
// then has its start, no end, and "finish") is UNRESOLVED, the rest not run.

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "batcher/run/classify.hpp"
#include "batcher/run/junit_xml.hpp"
#include "batcher/run/test_events.hpp"

namespace livegui::batch {

struct PytestEvidence {
  std::string entry_name;
  TestEvents events;
  std::variant<JunitReport, JunitReadError> report = JunitReadError{"missing"};
  std::string report_file;
  ExitStatus status;
  StopCause stopped_for = StopCause::None;
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds test_timeout{0};  ///< for the per-test timeout message
  std::string interrupt_signal;
  int attempt = 1;
  /// pytest's --junit-prefix of the run ("" = none): the report's classnames
  /// start with it and a dot, which node ids do not.
  std::string junit_prefix;
  /// The beginning of the attempt's output (bounded): where pytest says why
  /// it stopped on a usage error (exit code 4) before running any test.
  std::string output_head;
  /// The node ids the attempt was limited to (--last-failed: the earlier
  /// failures, LIVEGUI_SELECT_FILE); empty = the whole command's selection.
  std::vector<std::string> selected;
  /// The last line of the attempt's output (JunitEvidence::output_last_line).
  std::string output_last_line;
};

/// pytest's own error line in `output` after a usage error (exit code 4):
/// its first "ERROR: …" line, or "ImportError while loading conftest '…'."
/// with the exception's line ("E   ModuleNotFoundError: …") after it; "" when none.
std::string pytest_usage_error_line(const std::string& output);

/// The key pytest's JUnit report gives a node id: "a/test_x.py::C::t[1]" → "a.test_x.C.t[1]".
std::string junit_key_of_node_id(const std::string& node_id);

/// Results by node id (messages from the JUnit report when it has them),
/// the running test blamed when pytest died or was stopped, and resume =
/// true after a crash in a test (the caller deselects the decided tests).
AttemptOutcome interpret_pytest_attempt(const PytestEvidence& evidence);

}  // namespace livegui::batch
