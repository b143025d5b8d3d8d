// UnitRun's resumes over real log and report files, without processes:
// output that is not the binary's own (a child GoogleTest binary a test
// runs, a fake start line) never becomes a result, and the crash-resume loop
// ends whatever the binary prints.
#include <algorithm>
#include <csignal>
#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "batcher/run/unit_run.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

Unit gtest_unit(const std::string& name) {
  Unit u;
  u.id = "t/" + name;
  u.tier = "t";
  u.name = name;
  u.gtest = true;
  u.entry.executable = "/bin/false";
  return u;
}

std::vector<std::string> names(const EntryResult& e) {
  std::vector<std::string> out;
  for (const auto& t : e.tests) out.push_back(t.name);
  return out;
}

const TestResult* find(const EntryResult& e, const std::string& name) {
  for (const auto& t : e.tests)
    if (t.name == name) return &t;
  return nullptr;
}

/// What a child GoogleTest binary run by a test prints (on the same stdout).
constexpr const char* kChildOutput =
    "Running main() from gtest_main.cc\n[==========] Running 2 tests from 1 test suite.\n"
    "[----------] Global test environment set-up.\n[----------] 2 tests from Child\n"
    "[ RUN      ] Child.A\n[       OK ] Child.A (0 ms)\n[ RUN      ] Child.B\n[       OK ] Child.B (0 ms)\n"
    "[----------] 2 tests from Child (0 ms total)\n\n[----------] Global test environment tear-down\n"
    "[==========] 2 tests from 1 test suite ran. (0 ms total)\n[  PASSED  ] 2 tests.\n";

/// The child's report, written where the parent's goes (a child told so by
/// its own environment: the batcher itself passes --gtest_output, not inherited).
constexpr const char* kChildReport = R"({"tests": 2, "failures": 0, "disabled": 0, "testsuites": [
    {"name": "Child", "testsuite": [{"name": "A", "status": "RUN", "result": "COMPLETED", "time": "0s"},
                                    {"name": "B", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})";

/// Attempt 1 of a binary whose Outer.RunsChild runs a child binary, then aborts.
std::string nested_then_abort() {
  return std::string(
             "Running main() from gtest_main.cc\n[==========] Running 3 tests from 1 test suite.\n"
             "[----------] 3 tests from Outer\n[ RUN      ] Outer.Before\n[       OK ] Outer.Before (0 ms)\n"
             "[ RUN      ] Outer.RunsChild\n") +
         kChildOutput + "the child passed; now aborting\n";
}

constexpr const char* kAfterPassed =
    "[==========] Running 1 test from 1 test suite.\n[ RUN      ] Outer.After\n[       OK ] Outer.After (0 ms)\n"
    "[==========] 1 test from 1 test suite ran. (0 ms total)\n[  PASSED  ] 1 test.\n";
constexpr const char* kAfterReport = R"({"tests": 1, "failures": 0, "disabled": 0, "testsuites": [
    {"name": "Outer", "testsuite": [{"name": "After", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})";

TEST(BatcherUnitRunResume, AChildBinarysMarkersAndReportAreTheRunningTestsOutputAndItIsTheCrash) {
  livegui::test_support::TempDir dir("unit-run-nested");
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(gtest_unit("nested"), ctx);
  AttemptSpec a = run.next_attempt();
  std::ofstream(a.log) << nested_then_abort();
  std::ofstream(a.json) << kChildReport;
  run.attempt_finished(ExitStatus::killed(SIGABRT), StopCause::None, milliseconds(5), 1, "SIGINT", [] {
    return std::vector<std::string>{"Outer.Before", "Outer.RunsChild", "Outer.After"};
  });
  ASSERT_TRUE(run.wants_another_attempt());
  AttemptSpec b = run.next_attempt();
  EXPECT_EQ(b.filter, "*-Outer.Before:Outer.RunsChild");
  std::ofstream(b.log) << kAfterPassed;
  std::ofstream(b.json) << kAfterReport;
  run.attempt_finished(ExitStatus::exited(0), StopCause::None, milliseconds(1), 2);
  EXPECT_FALSE(run.wants_another_attempt());
  EntryResult e = run.finish(milliseconds(6), 0);
  EXPECT_EQ(names(e), (std::vector<std::string>{"Outer.Before", "Outer.RunsChild", "Outer.After"}));
  EXPECT_EQ(find(e, "Outer.Before")->code, ResultCode::Pass);
  EXPECT_EQ(find(e, "Outer.After")->code, ResultCode::Pass);
  const TestResult* crash = find(e, "Outer.RunsChild");
  EXPECT_EQ(crash->code, ResultCode::Crash);
  EXPECT_EQ(crash->message.substr(0, crash->message.find('\n')),
            "the test binary was killed by SIGABRT during this test");
  EXPECT_NE(crash->message.find("[ RUN      ] Child.A"), std::string::npos) << crash->message;
  EXPECT_NE(crash->message.find("the child passed; now aborting"), std::string::npos) << crash->message;
  EXPECT_EQ(e.code, ResultCode::Crash);
  EXPECT_EQ(e.attempts.size(), 2u);
  EXPECT_TRUE(e.warnings.empty()) << e.warnings.front();
}

TEST(BatcherUnitRunResume, AFakeStartLineBeforeACrashBlamesTheRealTestAndNamesNoGhost) {
  livegui::test_support::TempDir dir("unit-run-ghost");
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(gtest_unit("ghost"), ctx);
  AttemptSpec a = run.next_attempt();
  std::ofstream(a.log) << "[==========] Running 3 tests from 1 test suite.\n[ RUN      ] Outer.Before\n"
                          "[       OK ] Outer.Before (0 ms)\n[ RUN      ] Outer.RunsChild\n[ RUN      ] Ghost.Test\n";
  run.attempt_finished(ExitStatus::killed(SIGSEGV), StopCause::None, milliseconds(5), 1, "SIGINT", [] {
    return std::vector<std::string>{"Outer.Before", "Outer.RunsChild", "Outer.After"};
  });
  ASSERT_TRUE(run.wants_another_attempt());
  AttemptSpec b = run.next_attempt();
  EXPECT_EQ(b.filter, "*-Outer.Before:Outer.RunsChild");
  std::ofstream(b.log) << kAfterPassed;
  std::ofstream(b.json) << kAfterReport;
  run.attempt_finished(ExitStatus::exited(0), StopCause::None, milliseconds(1), 2);
  EntryResult e = run.finish(milliseconds(6), 0);
  EXPECT_EQ(names(e), (std::vector<std::string>{"Outer.Before", "Outer.RunsChild", "Outer.After"}));
  EXPECT_EQ(find(e, "Outer.RunsChild")->code, ResultCode::Crash);
  EXPECT_EQ(find(e, "Outer.RunsChild")->message,
            "the test binary was killed by SIGSEGV during this test\n[ RUN      ] Ghost.Test");
  EXPECT_EQ(find(e, "Ghost.Test"), nullptr);
}

TEST(BatcherUnitRunResume, AResumeThatDecidesATestAgainEndsTheLoopAndTheEntrySaysWhy) {
  // The listing fails, so the child's markers speak alone; every resume
  // prints them again. Before: 2,463 resumes in two minutes.
  livegui::test_support::TempDir dir("unit-run-loop");
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(gtest_unit("nested"), ctx);
  int attempts = 0;
  do {
    AttemptSpec a = run.next_attempt();
    std::ofstream(a.log) << nested_then_abort();
    std::ofstream(a.json) << kChildReport;
    run.attempt_finished(ExitStatus::killed(SIGABRT), StopCause::None, milliseconds(5), 1, "SIGINT",
                         []() -> std::vector<std::string> { throw std::runtime_error("listing failed: exit code 1"); });
  } while (run.wants_another_attempt() && ++attempts < 10);
  EntryResult e = run.finish(milliseconds(6), 0);
  EXPECT_EQ(e.attempts.size(), 2u);
  ASSERT_EQ(e.warnings.size(), 3u) << e.warnings.front();
  // The tests the resume did not ask for keep their first result, once (trial18 finding 3).
  EXPECT_EQ(e.warnings[0],
            "nested ignored the resume's --gtest_filter: it ran again 2 tests an earlier attempt had decided "
            "(Child.A, Child.B); each keeps its first result");
  EXPECT_EQ(e.warnings[1],
            "nested: stopped resuming the binary: attempt 2 decided Child.A again, which an earlier attempt had "
            "decided (the binary ignored the resume's filter)");
  EXPECT_EQ(std::count_if(e.tests.begin(), e.tests.end(), [](const TestResult& t) { return t.name == "Child.A"; }), 1);
}

TEST(BatcherUnitRunResume, TheResumesOfABinaryThatAlwaysCrashesInANewTestEndAtTheCap) {
  livegui::test_support::TempDir dir("unit-run-cap");
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(gtest_unit("endless"), ctx);
  int n = 0;
  do {
    AttemptSpec a = run.next_attempt();
    std::ofstream(a.log) << "[==========] Running 1000 tests from 1 test suite.\n[ RUN      ] E.t" << n << "\n";
    fs::remove(a.json);
    run.attempt_finished(ExitStatus::killed(SIGSEGV), StopCause::None, milliseconds(1), 1, "SIGINT",
                         []() -> std::vector<std::string> { throw std::runtime_error("listing failed: exit code 1"); });
  } while (run.wants_another_attempt() && ++n < 1000);
  EntryResult e = run.finish(milliseconds(6), 0);
  EXPECT_EQ(e.attempts.size(), kMaxAttempts);
  EXPECT_EQ(e.tests.size(), kMaxAttempts);
  EXPECT_EQ(e.tests.back().name, "E.t199");
  ASSERT_FALSE(e.warnings.empty());
  EXPECT_EQ(e.warnings[0], "endless: stopped resuming the binary: it ran 200 attempts, the most an entry runs");
}

}  // namespace
}  // namespace livegui::batch
