// UnitRun over real log and report files, without processes: what an
// attempt's end means for the entry (issue 18's odd GoogleTest binaries).
#include "batcher/run/unit_run.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include <gtest/gtest.h>

#include <algorithm>

#include "batcher/run/log_cap.hpp"
#include "batcher/select/discovery.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const TestResult* find(const std::vector<TestResult>& rs, const std::string& name) {
  for (const auto& r : rs)
    if (r.name == name) return &r;
  return nullptr;
}

Unit gtest_unit(const std::string& name) {
  Unit u;
  u.id = "t/" + name;
  u.tier = "t";
  u.name = name;
  u.gtest = true;
  u.entry.executable = "/bin/false";
  return u;
}

constexpr const char* kTwoPassedAndTheClosingSummary =
    "Running main() from gtest_main.cc\n[==========] Running 2 tests from 1 test suite.\n"
    "[----------] Global test environment set-up.\n[----------] 2 tests from AtExit\n"
    "[ RUN      ] AtExit.A\n[       OK ] AtExit.A (0 ms)\n[ RUN      ] AtExit.B\n[       OK ] AtExit.B (0 ms)\n"
    "[----------] 2 tests from AtExit (0 ms total)\n\n[----------] Global test environment tear-down\n"
    "[==========] 2 tests from 1 test suite ran. (0 ms total)\n[  PASSED  ] 2 tests.\n";

constexpr const char* kTwoPassedReport = R"({"tests": 2, "failures": 0, "disabled": 0, "testsuites": [
    {"name": "AtExit", "testsuite": [{"name": "A", "status": "RUN", "result": "COMPLETED", "time": "0s"},
                                     {"name": "B", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})";

TEST(BatcherUnitRun, TheStreamAndPrematureExitMarkerGoToTheScratchDirectoryTheLogAndReportToTheLogs) {
  // Issue 13: what only the run reads while the entry runs is kept off the report disk.
  livegui::test_support::TempDir dir("unit-run-scratch");
  Unit u = gtest_unit("paths");
  RunContext ctx;
  ctx.log_dir = dir / "logs";
  ctx.scratch_dir = dir / "scratch";
  AttemptSpec a = UnitRun(u, ctx).next_attempt();
  EXPECT_EQ(a.stream, ctx.scratch_dir / "t__paths.gtest-stream");
  EXPECT_EQ(a.premature_exit_file, ctx.scratch_dir / "t__paths.premature-exit");
  EXPECT_EQ(a.spawn.env_set.at("TEST_PREMATURE_EXIT_FILE"), a.premature_exit_file.string());
  EXPECT_EQ(a.log, ctx.log_dir / "t__paths.log");
  EXPECT_EQ(a.json, ctx.log_dir / "t__paths.gtest.json");
  ctx.scratch_dir.clear();  // no tmpfs: beside the logs
  AttemptSpec b = UnitRun(u, ctx).next_attempt();
  EXPECT_EQ(b.stream, ctx.log_dir / "t__paths.gtest-stream");
  EXPECT_EQ(b.premature_exit_file, ctx.log_dir / "t__paths.premature-exit");
}

TEST(BatcherUnitRun, ACrashInAStaticDestructorAfterAllTestsIsOneCrashWithoutAResume) {
  // t24_atexit: every test passed, GoogleTest wrote its report and its
  // closing summary, then a static destructor raised SIGSEGV. Before: the
  // binary was listed (crashing again), resumed with every test excluded,
  // and the resume's crash was a second CRASH "before running any test".
  livegui::test_support::TempDir dir("unit-run-atexit");
  Unit u = gtest_unit("atexit");
  RunContext ctx;
  ctx.log_dir = dir.path();
  for (bool with_report : {true, false}) {
    UnitRun run(u, ctx);
    AttemptSpec a = run.next_attempt();
    std::ofstream(a.log) << kTwoPassedAndTheClosingSummary;
    fs::remove(a.json);
    if (with_report) std::ofstream(a.json) << kTwoPassedReport;
    int listed = 0;
    run.attempt_finished(ExitStatus::killed(SIGSEGV), StopCause::None, milliseconds(1), 1, "SIGINT", [&] {
      ++listed;
      throw std::runtime_error("listing its tests (--gtest_list_tests) failed: killed by SIGSEGV");
      return std::vector<std::string>{};
    });
    EXPECT_EQ(listed, 0) << "the run reached every test: nothing to name";
    EXPECT_FALSE(run.wants_another_attempt()) << "a fresh process would only die at exit again";
    EntryResult e = run.finish(milliseconds(2), 0);
    ASSERT_EQ(e.tests.size(), 3u) << (with_report ? "with" : "without") << " its report";
    EXPECT_EQ(find(e.tests, "AtExit.A")->code, ResultCode::Pass);
    EXPECT_EQ(find(e.tests, "AtExit.B")->code, ResultCode::Pass);
    const TestResult* crash = find(e.tests, "atexit (process)");
    ASSERT_TRUE(crash);
    EXPECT_EQ(crash->code, ResultCode::Crash);
    EXPECT_EQ(crash->message,
              "the test binary was killed by SIGSEGV at exit, after GoogleTest's closing summary (in a static "
              "destructor or an atexit handler)");
    EXPECT_EQ(e.code, ResultCode::Crash);
    EXPECT_EQ(e.attempts.size(), 1u);
    EXPECT_TRUE(e.warnings.empty()) << e.warnings.front();
  }
}

TEST(BatcherUnitRun, TheJsonReportPathIsOnTheCommandLineSoAChildBinaryDoesNotInheritIt) {
  // A test that starts a GoogleTest binary (its own, say) passes it the
  // environment, not argv: GTEST_OUTPUT would send the child's report where
  // this run's goes.
  livegui::test_support::TempDir dir("unit-run-output");
  Unit u = gtest_unit("selfexec");
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(u, ctx);
  AttemptSpec a = run.next_attempt();
  EXPECT_NE(std::find(a.spawn.args.begin(), a.spawn.args.end(), "--gtest_output=json:" + a.json.string()),
            a.spawn.args.end());
  EXPECT_EQ(a.spawn.env_set.count("GTEST_OUTPUT"), 0u);
  EXPECT_NE(std::find(a.spawn.env_unset.begin(), a.spawn.env_unset.end(), "GTEST_OUTPUT"), a.spawn.env_unset.end())
      << "nor the batcher's own";
}

TEST(BatcherUnitRun, AGoogleTestBinaryThatNeverRanATestAndExits77FailsAsUnderCtest) {
  // t03_norun with NORUN_RC=77: it links GoogleTest, never calls
  // RUN_ALL_TESTS(), exits 77. ctest fails it (no SKIP_RETURN_CODE); only a
  // `command` entry reads 77 as a skip (the automake convention).
  livegui::test_support::TempDir dir("unit-run-77");
  Unit u = gtest_unit("norun_rc77");
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(u, ctx);
  AttemptSpec a = run.next_attempt();
  std::ofstream(a.log) << "I am a gtest-linked program that never calls RUN_ALL_TESTS\n";
  run.attempt_finished(ExitStatus::exited(77), StopCause::None, milliseconds(1), 1);
  EntryResult e = run.finish(milliseconds(1), 0);
  ASSERT_EQ(e.tests.size(), 1u);
  EXPECT_EQ(e.code, ResultCode::Fail);
  EXPECT_EQ(e.tests[0].message,
            "no GoogleTest test ran (the program never called RUN_ALL_TESTS()); judged by its exit status: exit "
            "code 77 (a skip only for a `command` entry; ctest fails it too)");

  // Exit code 0 still passes (issue 18 item 2), 3 still fails.
  for (int code : {0, 3}) {
    UnitRun other(u, ctx);
    AttemptSpec b = other.next_attempt();
    std::ofstream(b.log) << "checked by hand\n";
    other.attempt_finished(ExitStatus::exited(code), StopCause::None, milliseconds(1), 1);
    EXPECT_EQ(other.finish(milliseconds(1), 0).code, code == 0 ? ResultCode::Pass : ResultCode::Fail) << code;
  }
}

TEST(BatcherUnitRun, OutputOverTheLogCapKeepsTheFailingTestsOutputAndTheEntrysTail) {
  // t25_medout at a small cap: a test prints more than the cap, then fails.
  // Its "[ RUN      ]" marker is in the dropped part, and by the end all the
  // output is in <log>.1 (the log was capped after the binary's last line).
  livegui::test_support::TempDir dir("unit-run-cap");
  Unit u = gtest_unit("flood");
  RunContext ctx;
  ctx.log_dir = dir.path();
  ctx.max_log_bytes = 4096;
  UnitRun run(u, ctx);
  AttemptSpec a = run.next_attempt();
  int fd = ::open(a.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  auto print = [&](const std::string& text) {
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  };
  auto cap = [&] {
    if (auto dropped = cap_log(a.log, ctx.max_log_bytes)) run.log_capped(dropped);
  };
  print(
      "[==========] Running 2 tests from 1 test suite.\n[----------] 2 tests from Flood\n"
      "[ RUN      ] Flood.Ok\n[       OK ] Flood.Ok (0 ms)\n[ RUN      ] Flood.Prints\n");
  for (int i = 0; i < 1200; ++i) {
    print("line " + std::to_string(i) + " of the flood\n");
    if (i % 400 == 399 && i < 1000) cap();
  }
  print(
      "t.cpp:5: Failure\nFailed\nafter flood\n[  FAILED  ] Flood.Prints (3 ms)\n"
      "[----------] 2 tests from Flood (3 ms total)\n\n[==========] 2 tests from 1 test suite ran. (3 ms total)\n"
      "[  PASSED  ] 1 test.\n[  FAILED  ] 1 test, listed below:\n[  FAILED  ] Flood.Prints\n\n 1 FAILED TEST\n");
  ::close(fd);
  cap();
  EXPECT_EQ(fs::file_size(a.log), 0u) << "as the newcomer saw it: everything is in .1";
  std::ofstream(a.json) << R"({"tests": 2, "failures": 1, "testsuites": [{"name": "Flood", "testsuite": [
      {"name": "Ok", "status": "RUN", "result": "COMPLETED", "time": "0s"},
      {"name": "Prints", "status": "RUN", "result": "COMPLETED", "time": "0.003s",
       "failures": [{"failure": "t.cpp:5\nFailed\nafter flood"}]}]}]})";
  run.attempt_finished(ExitStatus::exited(1), StopCause::None, milliseconds(3), 1);
  EntryResult e = run.finish(milliseconds(3), 0);
  EXPECT_EQ(e.code, ResultCode::Fail);
  const TestResult* prints = find(e.tests, "Flood.Prints");
  ASSERT_TRUE(prints);
  EXPECT_EQ(prints->code, ResultCode::Fail);
  // The test's own output: the newest lines it printed, up to its failure.
  EXPECT_NE(prints->output.find("line 1199 of the flood\nt.cpp:5: Failure\nFailed\nafter flood"), std::string::npos)
      << prints->output;
  // The entry's tail: the end of the run, not an empty log.
  EXPECT_NE(e.output_tail.find("[  FAILED  ] Flood.Prints (3 ms)"), std::string::npos) << e.output_tail;
  EXPECT_NE(e.output_tail.find(" 1 FAILED TEST"), std::string::npos) << e.output_tail;
  ASSERT_FALSE(e.warnings.empty());
  EXPECT_EQ(e.warnings[0].rfind("flood: its output was larger than the log cap (4 KiB): ", 0), 0u) << e.warnings[0];
}

Unit listed_unit(std::vector<std::string> tests) {
  Unit u;
  u.id = "t/stopped";
  u.name = "stopped";
  u.gtest = true;
  u.listed = true;
  u.tests = std::move(tests);
  u.entry.executable = "/bin/false";
  u.entry.test_timeout = milliseconds(2000);
  return u;
}

// A test stopped at its timeout ran until it was stopped: its duration is the
// attempt's time less the tests that finished before it, never 0.
TEST(BatcherUnitRun, ATimedOutTestHasTheTimeItRanUntilStopped) {
  livegui::test_support::TempDir dir("unit-run-timeout");
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(listed_unit({"A.Fast", "A.Hangs", "A.After"}), ctx);
  AttemptSpec a = run.next_attempt();
  std::ofstream(a.log) << "[==========] Running 3 tests from 1 test suite.\n[ RUN      ] A.Fast\n"
                          "[       OK ] A.Fast (100 ms)\n[ RUN      ] A.Hangs\nhanging\n";
  run.attempt_finished(ExitStatus::killed(SIGTERM), StopCause::TestTimeout, milliseconds(2500), 1);
  ASSERT_TRUE(run.wants_another_attempt());
  AttemptSpec b = run.next_attempt();
  std::ofstream(b.log) << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] A.After\n"
                          "[       OK ] A.After (5 ms)\n[==========] 1 test from 1 test suite ran. (5 ms total)\n";
  run.attempt_finished(ExitStatus::exited(0), StopCause::None, milliseconds(20), 2);
  EntryResult e = run.finish(milliseconds(2520), 0);
  const TestResult* hang = find(e.tests, "A.Hangs");
  ASSERT_NE(hang, nullptr);
  EXPECT_EQ(hang->code, ResultCode::Timeout);
  EXPECT_EQ(hang->duration, milliseconds(2400));
  EXPECT_EQ(find(e.tests, "A.Fast")->duration, milliseconds(100));
  EXPECT_EQ(find(e.tests, "A.After")->duration, milliseconds(5));
}

// The same for the entry's timeout and for a crash inside a test.
TEST(BatcherUnitRun, ATestStoppedByTheEntryTimeoutOrKilledHasTheTimeItRan) {
  livegui::test_support::TempDir dir("unit-run-crash");
  RunContext ctx;
  ctx.log_dir = dir.path();
  {
    UnitRun run(listed_unit({"A.Hangs"}), ctx);
    AttemptSpec a = run.next_attempt();
    std::ofstream(a.log) << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] A.Hangs\n";
    run.attempt_finished(ExitStatus::killed(SIGTERM), StopCause::Timeout, milliseconds(3000), 1);
    EntryResult e = run.finish(milliseconds(3000), 0);
    ASSERT_EQ(e.tests.size(), 1u);
    EXPECT_EQ(e.tests[0].code, ResultCode::Timeout);
    EXPECT_EQ(e.tests[0].duration, milliseconds(3000));
  }
  {
    UnitRun run(listed_unit({"A.Crashes"}), ctx);
    AttemptSpec a = run.next_attempt();
    std::ofstream(a.log) << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] A.Crashes\n";
    run.attempt_finished(ExitStatus::killed(SIGSEGV), StopCause::None, milliseconds(40), 1);
    EntryResult e = run.finish(milliseconds(40), 0);
    ASSERT_EQ(e.tests.size(), 1u);
    EXPECT_EQ(e.tests[0].code, ResultCode::Crash);
    EXPECT_EQ(e.tests[0].duration, milliseconds(40));
  }
}

// Of a hang both the AUT's and the test binary's stacks are captured: the
// timed-out test names every file (not only the first).
TEST(BatcherUnitRun, EveryStacksFileOfAHangIsNamedOnTheTimedOutTest) {
  livegui::test_support::TempDir dir("unit-run-stacks");
  RunContext ctx;
  ctx.log_dir = dir / "logs";
  UnitRun run(listed_unit({"A.Hangs"}), ctx);
  AttemptSpec a = run.next_attempt();
  std::filesystem::create_directories(ctx.log_dir);
  std::ofstream(a.log) << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] A.Hangs\n";
  run.attempt_finished(ExitStatus::killed(SIGTERM), StopCause::TestTimeout, milliseconds(2100), 1);
  run.attach_stacks(
      {dir / "artifacts" / "t__stopped" / "stacks-20.txt", {}, dir / "artifacts" / "t__stopped" / "stacks-10.txt"});
  EntryResult e = run.finish(milliseconds(2100), 0);
  ASSERT_EQ(e.tests.size(), 1u);
  EXPECT_EQ(e.tests[0].stacks, "artifacts/t__stopped/stacks-20.txt");
  EXPECT_EQ(e.tests[0].other_stacks, (std::vector<std::string>{"artifacts/t__stopped/stacks-10.txt"}));
}

// SIGINT while a retry runs: the binary is stopped, and the listing that
// would name the tests it never reached is cut short by the same interrupt.
// That is an interruption, not a listing failure: no "listing … failed …
// ran as one unit" warning (a listing that really fails still warns).
TEST(BatcherUnitRun, AnInterruptedListingIsNotAListingFailure) {
  livegui::test_support::TempDir dir("unit-run-listing-interrupted");
  RunContext ctx;
  ctx.log_dir = dir.path();
  Unit u = gtest_unit("retried");
  u.attempt_offset = 1;
  u.gtest_filter = "S.Hangs";
  u.tests = {"S.Hangs"};
  auto run_once = [&](const UnitRun::TestLister& lister) {
    UnitRun run(u, ctx);
    AttemptSpec a = run.next_attempt();
    std::ofstream(a.log) << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] S.Hangs\nhanging\n";
    run.attempt_finished(ExitStatus::killed(SIGTERM), StopCause::Interrupt, milliseconds(10), 1, "SIGINT", lister);
    EXPECT_FALSE(run.wants_another_attempt());
    return run.finish(milliseconds(10), 0);
  };
  int listed = 0;
  EntryResult e = run_once([&]() -> std::vector<std::string> {
    ++listed;
    throw DiscoveryInterrupted("interrupted while listing the tests of /bin/false");
  });
  EXPECT_EQ(listed, 1);
  EXPECT_TRUE(e.warnings.empty()) << e.warnings.front();
  ASSERT_EQ(e.tests.size(), 1u);
  EXPECT_EQ(e.tests[0].name, "S.Hangs");
  EXPECT_EQ(e.tests[0].code, ResultCode::Unresolved);
  EXPECT_EQ(e.tests[0].message,
            "interrupted by SIGINT during this test: stopped before it ended, its result is unknown\nhanging");

  EntryResult failed = run_once([]() -> std::vector<std::string> {
    throw std::runtime_error("listing its tests (--gtest_list_tests) failed: killed by SIGSEGV");
  });
  ASSERT_EQ(failed.warnings.size(), 1u);
  EXPECT_EQ(failed.warnings[0],
            "retried: listing its tests (--gtest_list_tests) failed, so the tests it never reached are not named; it "
            "ran as one unit: listing its tests (--gtest_list_tests) failed: killed by SIGSEGV");
}

// Each process record says what it was: the entry's first run, a resume of
// the rest after a crash, or a retry (and a resume inside a retry).
TEST(BatcherUnitRun, EachAttemptRecordSaysWhetherItIsAFirstRunAResumeOrARetry) {
  livegui::test_support::TempDir dir("unit-run-kinds");
  RunContext ctx;
  ctx.log_dir = dir.path();
  for (int retry : {0, 2}) {
    Unit u = listed_unit({"A.Crashes", "A.After"});
    u.retry = retry;
    UnitRun run(u, ctx);
    AttemptSpec a = run.next_attempt();
    std::ofstream(a.log) << "[==========] Running 2 tests from 1 test suite.\n[ RUN      ] A.Crashes\n";
    run.attempt_finished(ExitStatus::killed(SIGSEGV), StopCause::None, milliseconds(5), 1);
    ASSERT_TRUE(run.wants_another_attempt());
    AttemptSpec b = run.next_attempt();
    std::ofstream(b.log) << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] A.After\n"
                            "[       OK ] A.After (5 ms)\n[==========] 1 test from 1 test suite ran. (5 ms total)\n";
    run.attempt_finished(ExitStatus::exited(0), StopCause::None, milliseconds(20), 2);
    EntryResult e = run.finish(milliseconds(25), 0);
    ASSERT_EQ(e.attempts.size(), 2u);
    EXPECT_EQ(e.attempts[0].kind, retry ? AttemptKind::Retry : AttemptKind::First);
    EXPECT_EQ(e.attempts[0].retry, retry);
    EXPECT_EQ(e.attempts[1].kind, AttemptKind::Resume);
    EXPECT_EQ(e.attempts[1].retry, retry);
    EXPECT_EQ(e.reason,
              "A.Crashes: the test binary was killed by SIGSEGV during this test (1 PASS, 1 CRASH; resumed "
              "1x after the binary died)");
  }
}

}  // namespace
}  // namespace livegui::batch
