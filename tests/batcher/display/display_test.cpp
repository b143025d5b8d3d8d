#include <sstream>

#include <gtest/gtest.h>

#include "batcher/display/display.hpp"
#include "batcher/display/entry_text.hpp"
#include "batcher/display/terminal.hpp"
#include "batcher/report/summary.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;

EntryResult passed(const std::string& name) {
  EntryResult e;
  e.id = "unit/" + name;
  e.tier = "unit";
  e.name = name;
  e.gtest = true;
  e.executable = "/b/" + name;
  e.reproduce = "/b/" + name;
  e.duration = 120ms;
  TestResult t;
  t.name = "S.a";
  e.tests = {t};
  return e;
}

EntryResult crashed() {
  EntryResult e = passed("test_crash");
  e.code = ResultCode::Crash;
  e.reason = "S.b: the test binary was killed by SIGSEGV during this test";
  TestResult t;
  t.name = "S.b";
  t.code = ResultCode::Crash;
  t.message = "the test binary was killed by SIGSEGV during this test";
  e.tests.push_back(t);
  AttemptRecord a1, a2;
  a1.number = 1;
  a1.log = "/r/logs/unit__test_crash.log";
  a2.number = 2;
  a2.filter = "*-S.a:S.b";
  a2.exit = "exit code 0";
  e.attempts = {a1, a2};
  e.output_tail = "[ RUN      ] S.b\nabout to crash";
  e.output_log = a1.log;
  return e;
}

TEST(BatcherDisplay, PlainPrintsOneLinePerEntryAndABlockAfterAFailure) {
  std::ostringstream out;
  DisplayOptions o;
  auto d = make_plain_display(out, o);
  d->entry_started({"unit/test_a", "unit", "test_a", 1, 1, 2});
  d->entry_finished(passed("test_a"), 1, 2);
  d->warning("[BATCH-WARN] unit: something");
  d->entry_finished(crashed(), 2, 2);
  d->finish();
  std::string s = out.str();
  EXPECT_EQ(s.find("[1/2] PASS       unit › test_a (1 test) 120 ms\n"), 0u) << s;
  EXPECT_NE(s.find("\n[BATCH-WARN] unit: something\n"), std::string::npos) << s;
  EXPECT_NE(s.find("[2/2] CRASH      unit › test_crash (2 tests) 120 ms — S.b: the test binary"), std::string::npos)
      << s;
  EXPECT_NE(s.find("━━ CRASH: unit › test_crash (2 tests) 120 ms ━━"), std::string::npos) << s;
  EXPECT_NE(s.find("      reproduce: /b/test_crash --gtest_filter=S.b\n"), std::string::npos) << s;
  EXPECT_NE(s.find("resumed in a fresh process (attempt 2, --gtest_filter=*-S.a:S.b): exit code 0"), std::string::npos)
      << s;
  EXPECT_NE(s.find("  output tail (/r/logs/unit__test_crash.log):\n  | [ RUN      ] S.b\n  | about to crash\n"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_EQ(s.find('\033'), std::string::npos) << "no colour unless asked";
}

// A pytest entry resumed after a death (the decided tests deselected), then
// retried whole: each process said in pytest's terms, never as a GoogleTest
// --gtest_filter (it was "resumed … (attempt 3, --gtest_filter=)").
TEST(BatcherDisplay, APytestEntrysResumesAndRetriesAreSaidInPytestTerms) {
  EntryResult e;
  e.id = "live/faults";
  e.tier = "live";
  e.name = "faults";
  e.gtest = false;
  e.code = ResultCode::Crash;
  e.reproduce = "python3 -m pytest t.py";
  TestResult crash;
  crash.name = "t.py::test_b";
  crash.code = ResultCode::Crash;
  crash.message = "the pytest process was killed by SIGSEGV during this test";
  e.tests = {crash};
  AttemptRecord a1, a2, a3;
  a1.number = 1;
  a1.exit = "killed by SIGSEGV";
  a2.number = 2;
  a2.filter = "--deselect t.py::test_a --deselect t.py::test_b";
  a2.exit = "exit code 0";
  a3.number = 3;
  a3.kind = AttemptKind::Retry;
  a3.retry = 1;
  a3.exit = "killed by SIGSEGV";
  e.attempts = {a1, a2, a3};
  std::string s = failure_block(e, false);
  EXPECT_NE(s.find("\n  resumed in a fresh process (attempt 2, --deselect t.py::test_a --deselect t.py::test_b): "
                   "exit code 0\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("\n  retry 1 of the whole entry, in a fresh process (attempt 3): killed by SIGSEGV\n"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("gtest_filter"), std::string::npos) << s;
  // A GoogleTest entry's retry of its failing test is a retry too.
  EntryResult g = crashed();
  g.attempts[1].kind = AttemptKind::Retry;
  g.attempts[1].retry = 1;
  g.attempts[1].filter = "S.b";
  EXPECT_NE(failure_block(g, false).find(" of the failed tests, " +
                                               std::string(g.uses_aut ? "on a fresh AUT" : "in a fresh process") +
                                               " (attempt 2, --gtest_filter=S.b): exit code 0\n"),
            std::string::npos)
      << failure_block(g, false);
}

TEST(BatcherDisplay, SmartOverwritesOneLineAndPrintsFailuresOnFreshLines) {
  std::ostringstream out;
  DisplayOptions o;
  o.kind = DisplayKind::Smart;
  o.width = 40;
  auto d = make_display(out, o);
  d->entry_started(
      {"live_gui/test_live_workflow_with_a_long_name", "live_gui", "test_live_workflow_with_a_long_name", 3, 12, 40});
  std::string first = out.str();
  EXPECT_EQ(first.find("\r[12/40] live_gui"), 0u) << first;
  EXPECT_NE(first.find("..."), std::string::npos) << "elided to the width: " << first;
  EXPECT_NE(first.find("\033[K"), std::string::npos);
  auto line = first.substr(1, first.find("\033[K") - 1);
  EXPECT_LE(display_width(line), 39u) << line;
  d->entry_finished(crashed(), 1, 40);
  d->finish();
  std::string s = out.str();
  auto block = s.find("━━ CRASH");
  ASSERT_NE(block, std::string::npos) << s;
  EXPECT_EQ(s.substr(s.rfind('\r', block), 4), "\r\033[K") << "the progress line is cleared before the block";
}

TEST(BatcherDisplay, QuietPrintsOnlyFailuresAndWarnings) {
  std::ostringstream out;
  DisplayOptions o;
  auto d = make_quiet_display(out, o);
  d->entry_finished(passed("test_a"), 1, 2);
  EXPECT_EQ(out.str(), "");
  d->warning("[BATCH-WARN] x");
  d->entry_finished(crashed(), 2, 2);
  EXPECT_NE(out.str().find("CRASH"), std::string::npos);
  EXPECT_NE(out.str().find("[BATCH-WARN] x"), std::string::npos);
}

TEST(BatcherDisplay, ColourOnlyWhenAsked) {
  EXPECT_EQ(paint("PASS", ResultCode::Pass, false), "PASS");
  EXPECT_EQ(paint("PASS", ResultCode::Pass, true), "\033[32mPASS\033[0m");
  EXPECT_EQ(elide_middle("abcdefghij", 7), "ab...ij");
  EXPECT_EQ(elide_middle("short", 7), "short");
  EXPECT_EQ(display_width("a › b"), 5u);
}

TEST(BatcherDisplay, SummaryCountsPerTierAndListsFailuresWithReproduction) {
  BatchResults r;
  TierResult unit;
  unit.name = "unit";
  unit.duration = 1s;
  TierResult live;
  live.name = "live_gui";
  live.duration = 2s;
  r.tiers = {unit, live};
  EntryResult a = passed("test_a");
  EntryResult c = crashed();
  c.tier = "live_gui";
  c.id = "live_gui/test_crash";
  DirtyStart ds;
  ds.kind = StateVerdictKind::Dead;
  c.dirty_start = ds;
  c.aut_respawns = 2;
  EntryResult x = passed("test_x");
  x.tier = "live_gui";
  x.tests[0].code = ResultCode::XFail;
  r.entries = {a, c, x};
  r.duration = 3s;
  SummaryOptions o;
  o.report_files = {"/r/junit.xml", "/r/results.json"};
  std::string s = summary_text(r, o);
  EXPECT_NE(s.find("Summary"), std::string::npos) << s;
  EXPECT_NE(s.find("  unit (1 entry)"), std::string::npos) << s;
  EXPECT_NE(s.find("  live_gui (2 entries)"), std::string::npos) << s;
  EXPECT_NE(s.find("  total (3 entries)"), std::string::npos) << s;
  EXPECT_NE(s.find("Failures (1):\n  CRASH      live_gui › test_crash S.b — the test binary was killed"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("/b/test_crash --gtest_filter=S.b"), std::string::npos) << s;
  EXPECT_NE(s.find("Dirty starts (1):\n  live_gui › test_crash: dead"), std::string::npos) << s;
  EXPECT_NE(s.find("Reports: /r/junit.xml /r/results.json"), std::string::npos) << s;
  EXPECT_NE(s.find("FAILED: 2 passed, 1 crashed, 1 expected failure, 1 dirty start in 3.00 s"), std::string::npos) << s;
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

TEST(BatcherDisplay, ControlBytesFromChildrenAreEscapedOnTheConsole) {
  EXPECT_EQ(console_safe("a\x1b[2Jb\x07\tc\r\nd\re\x7f\n"), "a\\x1b[2Jb\\x07\tc\r\nd\\x0de\\x7f\n");
  EntryResult r;
  r.tier = "t";
  r.name = "blob";
  r.gtest = true;
  r.code = ResultCode::Fail;
  TestResult t;
  t.name = "Blob.Dumps";
  t.code = ResultCode::Fail;
  t.message = "blob \x1b]0;title\x07 mismatch";
  r.tests.push_back(t);
  r.output_tail = "xx\x1b[31mred\n";
  std::string block = failure_block(r, false);
  EXPECT_EQ(block.find('\x1b'), std::string::npos) << block;
  EXPECT_EQ(block.find('\x07'), std::string::npos) << block;
  EXPECT_NE(block.find("\\x1b[31mred"), std::string::npos) << block;
}

}  // namespace
}  // namespace livegui::batch
