// GoogleTest fidelity, trial18's leftovers, end to end: a main() that calls
// RUN_ALL_TESTS() twice (its listing names every test twice; a crash in its
// second run), a binary whose console printer is gone, one that ignores the
// resume's --gtest_filter, --filter naming one entry beside a binary whose listing fails, a hang in
// SetUpTestSuite, junit.xml's counts and a failure among output without
// newlines. Each runs the real livegui-batch on a small fixture binary.
#include <sys/prctl.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

/// "Name RESULT" of each of an entry's results, in order.
std::vector<std::string> verdicts(const json& entry) {
  std::vector<std::string> out;
  for (const auto& t : entry["tests"])
    out.push_back(t["name"].get<std::string>() + " " + t["result"].get<std::string>());
  return out;
}

/// Verdicts of every entry of a results.json, in order.
std::vector<std::string> all_verdicts(const json& doc) {
  std::vector<std::string> out;
  for (const auto& e : doc["entries"])
    for (auto& v : verdicts(e)) out.push_back(std::move(v));
  return out;
}

class GtestLeftoversE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  BatchRun batch(std::vector<std::string> args) {
    args.insert(args.end(), {"--report-dir", (dir_ / "reports").string(), "--state-dir", (dir_ / "state").string()});
    return run_livegui_batch(args, dir_.path(), {}, 180s);
  }

  json results() { return json::parse(read_text(dir_ / "reports" / "results.json")); }

  /// The attributes of junit.xml's <testsuite name="...">.
  std::map<std::string, int> junit_counts(const std::string& suite) {
    std::string xml = read_text(dir_ / "reports" / "junit.xml");
    std::map<std::string, int> out;
    auto at = xml.find("<testsuite name=\"" + suite + "\"");
    if (at == std::string::npos) return out;
    std::string tag = xml.substr(at, xml.find('>', at) - at);
    static const std::regex kAttr(R"re((tests|failures|errors|skipped|disabled)="(\d+)")re");
    for (std::sregex_iterator it(tag.begin(), tag.end(), kAttr), end; it != end; ++it)
      out[(*it)[1]] = std::stoi((*it)[2]);
    return out;
  }

  TempDir dir_{"gtest-leftovers-e2e"};
};

TEST_F(GtestLeftoversE2E, AListingThatNamesEveryTestTwiceGivesEachTestOnceAndNoPhantomSkips) {
  // Unlisted (one spawn), its results are the run's.
  BatchRun whole = batch({exe("e2e_twice_pass")});
  EXPECT_EQ(whole.exit_code, 0) << whole.output;
  const std::vector<std::string> unlisted = all_verdicts(results());
  ASSERT_FALSE(unlisted.empty()) << whole.output;
  // Listed first (split by suite, --filter): the same results, none SKIPPED.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{exe("e2e_twice_pass"), "--split", "suite"},
        std::vector<std::string>{exe("e2e_twice_pass"), "--filter", "TwicePass"}}) {
    BatchRun r = batch(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(all_verdicts(results()), unlisted) << args[1] << "\n" << r.output;
  }
  // --list names each test once.
  BatchRun list = batch({exe("e2e_twice_pass"), "--list"});
  EXPECT_EQ(list.exit_code, 0) << list.output;
  std::size_t firsts = 0;
  for (auto at = list.output.find("TwicePass.First"); at != std::string::npos;
       at = list.output.find("TwicePass.First", at + 1))
    ++firsts;
  EXPECT_EQ(firsts, 1u) << list.output;
}

TEST_F(GtestLeftoversE2E, ACrashInTheSecondRunAllTestsIsThatTestsCrashNotACrashAtExit) {
  BatchRun r = batch({exe("e2e_twice_crash")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "CRASH") << e.dump(2);
  int crashes = 0;
  for (const auto& t : e["tests"]) {
    std::string message = t.value("message", "");
    EXPECT_EQ(message.find("at exit"), std::string::npos) << t.dump(2);
    EXPECT_FALSE(t.value("synthetic", false)) << t.dump(2);
    if (t["result"] != "CRASH") continue;
    ++crashes;
    EXPECT_EQ(t["name"], "TwiceCrash.Crashes") << t.dump(2);
    EXPECT_NE(message.find("killed by SIGSEGV during this test"), std::string::npos) << message;
    EXPECT_NE(message.find("crashing in the second run"), std::string::npos) << message;
  }
  EXPECT_EQ(crashes, 1) << e.dump(2);
}

TEST_F(GtestLeftoversE2E, ATestThatPassesInTheFirstRunAllTestsAndCrashesInTheSecondIsOneResult) {
  // GoogleTest counts 3 tests; the worst of a test's runs stands, so xfail
  // makes the crash an XFAIL, not an XPASS of its first run (h18e item 3).
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nexecutable = \"" << exe("e2e_twice_crash")
                      << "\"\nxfail = [\"TwiceCrash.Crashes\"]\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(verdicts(e),
            (std::vector<std::string>{"TwiceCrash.Before PASS", "TwiceCrash.Crashes XFAIL", "TwiceCrash.After PASS"}))
      << e.dump(2);
  EXPECT_EQ(e["result"], "XFAIL") << e.dump(2);
}

TEST_F(GtestLeftoversE2E, AResumedMainThatChecksItsOwnCountOfTestsIsAWarningNotAFailure) {
  // Its main() returns 1 when fewer than its 3 tests ran, as after any
  // resume: the resume's exit code 1 is the entry's warning, not a
  // "(process)" FAIL; the crash, expected, is its only failure (h18e item 4).
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nexecutable = \"" << exe("e2e_counted_resume")
                      << "\"\nxfail = [\"Counted.Crashes\"]\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(verdicts(e), (std::vector<std::string>{"Counted.One PASS", "Counted.Crashes XFAIL", "Counted.Three PASS"}))
      << e.dump(2);
  EXPECT_EQ(e["result"], "XFAIL") << e.dump(2);
  const std::string warnings = e["warnings"].dump();
  EXPECT_NE(warnings.find("a resume that ran part of its tests"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("exited with exit code 1 although no test failed"), std::string::npos) << warnings;
}

TEST_F(GtestLeftoversE2E, AFailureTheConsoleNeverShowedKeepsItsMessageFromTheEventStream) {
  BatchRun r = batch({exe("e2e_silent_fail")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(verdicts(e), (std::vector<std::string>{"Silent.Fails FAIL", "Silent.Crashes CRASH", "Silent.After PASS"}))
      << e.dump(2);
  const json* failed = find_test(e, "Silent.Fails");
  ASSERT_TRUE(failed) << e.dump(2);
  std::string message = (*failed)["message"];
  EXPECT_NE(message.find("the silenced failure text"), std::string::npos) << message;
  EXPECT_NE(message.find("e2e_silent_fail.cpp:9"), std::string::npos) << message;
}

TEST_F(GtestLeftoversE2E, ABinaryThatIgnoresTheResumesFilterKeepsOneResultPerTestAndIsNoted) {
  BatchRun r = batch({exe("e2e_ignores_filter")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(verdicts(e),
            (std::vector<std::string>{"Ignoring.First PASS", "Ignoring.CrashesOnce CRASH", "Ignoring.Third PASS"}))
      << e.dump(2);
  EXPECT_NE(e["warnings"].dump().find("ignored the resume's --gtest_filter"), std::string::npos) << e.dump(2);
}

TEST_F(GtestLeftoversE2E, AFilterNamingOneEntryNeverRunsOrFailsABinaryWhoseListingFails) {
  BatchRun r = batch({exe("e2e_passing"), exe("e2e_counted_main"), "--filter", "e2e_passing"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json* passing = find_entry(doc, "e2e_passing");
  ASSERT_TRUE(passing) << r.output;
  EXPECT_EQ((*passing)["result"], "PASS");
  const json* counted = find_entry(doc, "e2e_counted_main");
  ASSERT_TRUE(counted) << "an entry whose tests cannot be known is reported, not dropped: " << r.output;
  EXPECT_EQ((*counted)["result"], "SKIPPED") << counted->dump(2);
  std::string why = (*counted)["reason"];
  EXPECT_NE(why.find("listing its tests failed"), std::string::npos) << why;
  EXPECT_NE(why.find("names other entries"), std::string::npos) << why;
  EXPECT_TRUE((*counted)["attempts"].empty()) << counted->dump(2);
}

TEST_F(GtestLeftoversE2E, AHangInSetUpTestSuiteNamesThatSuitesSetUp) {
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\ntimeout = \"3s\"\n\n[[tiers.entries]]\nexecutable = \""
                      << exe("e2e_setup_hang") << "\"\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "TIMEOUT") << e.dump(2);
  EXPECT_EQ(e.dump().find("outside any test"), std::string::npos) << e.dump(2);
  const json* first = find_test(e, "W.First");
  ASSERT_TRUE(first) << e.dump(2);
  EXPECT_EQ((*first)["result"], "TIMEOUT") << e.dump(2);
  EXPECT_NE((*first)["message"].get<std::string>().find("in suite set-up (W::SetUpTestSuite)"), std::string::npos)
      << first->dump(2);
  EXPECT_EQ((*find_test(e, "V.A"))["result"], "PASS");
}

TEST_F(GtestLeftoversE2E, TestTimeoutBoundsASuitesSetUpAndTheRestIsResumed) {
  // Trial12a: test_timeout did not cover SetUpTestSuite: a suite set-up that
  // never returns ran to the entry's timeout, and the suites after it never ran.
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\ntimeout = \"120s\"\ntest_timeout = \"2s\"\n\n"
                      << "[[tiers.entries]]\nexecutable = \"" << exe("e2e_setup_hang") << "\"\n";
  auto t0 = std::chrono::steady_clock::now();
  BatchRun r = batch({plan.string()});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_LT(took, 60s) << "the suite's set-up ran to the entry's timeout";
  json doc = results();
  const json& e = doc["entries"][0];
  for (const char* name : {"W.First", "W.Second"}) {
    const json* t = find_test(e, name);
    ASSERT_TRUE(t) << name << e.dump(2);
    EXPECT_EQ((*t)["result"], "TIMEOUT") << t->dump(2);
    EXPECT_EQ((*t)["message"].get<std::string>().rfind(
                  "timed out: its suite set-up (W::SetUpTestSuite) ran longer than test_timeout (2.00 s)", 0),
              0u)
        << t->dump(2);
  }
  EXPECT_EQ((*find_test(e, "V.A"))["result"], "PASS");
  const json* after = find_test(e, "X.After");
  ASSERT_TRUE(after) << e.dump(2);
  EXPECT_EQ((*after)["result"], "PASS") << "resumed after the stopped set-up: " << e.dump(2);
  ASSERT_GE(e["attempts"].size(), 2u) << e.dump(2);
  EXPECT_EQ(e["attempts"][0]["stopped_for"], "test_timeout");
}

TEST_F(GtestLeftoversE2E, JunitCountsAreGoogleTestsOwnWithoutTheProcessResult) {
  BatchRun r = batch({exe("e2e_atexit_crash")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  // GoogleTest's own report: 2 tests, 0 failures; the crash at exit is an error of the suite.
  auto c = junit_counts("default.e2e_atexit_crash");
  EXPECT_EQ(c["tests"], 2) << read_text(dir_ / "reports" / "junit.xml");
  EXPECT_EQ(c["failures"], 0);
  EXPECT_EQ(c["errors"], 1);
}

TEST_F(GtestLeftoversE2E, AFailureAmongOutputWithoutNewlinesIsItsTextAlone) {
  BatchRun r = batch({exe("e2e_glued")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  const json* failed = find_test(e, "Glued.Fails");
  ASSERT_TRUE(failed) << e.dump(2);
  EXPECT_EQ((*failed)["result"], "FAIL");
  std::string message = (*failed)["message"];
  EXPECT_NE(message.find("the failure text"), std::string::npos) << message;
  EXPECT_EQ(message.find("partial words"), std::string::npos) << message;
  EXPECT_EQ(message.find("trailing words"), std::string::npos) << message;
}

TEST_F(GtestLeftoversE2E, ATestRegisteredOnlyWhenNotListingRunsUnderEverySelection) {
  // Dynamic.Fails exists only when the binary is not listing; the listing
  // names Static.* alone. Whole, split by suite or filtered ("s$": Static.Passes
  // and Dynamic.Fails, not Static.Two), its failure must show, as under ctest.
  const std::string bin = exe("e2e_registers_when_run");
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"--split", "suite"},
        std::vector<std::string>{"--filter", "s$"}}) {
    std::vector<std::string> args{bin};
    args.insert(args.end(), extra.begin(), extra.end());
    BatchRun r = batch(args);
    const std::string how = extra.empty() ? std::string("whole") : extra[0];
    EXPECT_EQ(r.exit_code, 1) << how << "\n" << r.output;
    json doc = results();
    const std::vector<std::string> got = all_verdicts(doc);
    EXPECT_NE(std::find(got.begin(), got.end(), "Dynamic.Fails FAIL"), got.end()) << how << ": " << doc.dump(2);
    EXPECT_NE(std::find(got.begin(), got.end(), "Static.Passes PASS"), got.end()) << how << ": " << doc.dump(2);
    const bool two_selected = extra.empty() || extra[0] != "--filter";
    EXPECT_EQ(std::find(got.begin(), got.end(), "Static.Two PASS") != got.end(), two_selected)
        << how << ": " << doc.dump(2);
    EXPECT_EQ(got.size(), two_selected ? 3u : 2u) << how << ": " << doc.dump(2);
  }
}

TEST_F(GtestLeftoversE2E, AFilterThatMatchesOnlyTestsNoListingNamesRunsThemAndATypoIsStillAUsageError) {
  // Trialm: --filter 'Dynamic' matches no test a listing names (Dynamic.Fails
  // is registered only when not listing): "no entry matches", exit 2, and
  // the failing test never ran. When no listing names a match, the binaries
  // are asked by their run; one whose run selects none is SKIPPED, and when
  // none selects any, the filter matches nothing: exit 2 as before.
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nexecutable = \""
                      << exe("e2e_registers_when_run") << "\"\n\n[[tiers.entries]]\nexecutable = \""
                      << exe("e2e_passing") << "\"\n";
  BatchRun r = batch({plan.string(), "--filter", "Dynamic"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  EXPECT_EQ(all_verdicts(doc), std::vector<std::string>{"Dynamic.Fails FAIL"}) << doc.dump(2);
  ASSERT_EQ(doc["entries"].size(), 2u) << doc.dump(2);
  EXPECT_EQ(doc["entries"][1]["result"], "SKIPPED") << doc["entries"][1].dump(2);
  EXPECT_NE(doc["entries"][1]["reason"].get<std::string>().find("no test of it matches"), std::string::npos)
      << doc["entries"][1]["reason"];
  EXPECT_NE(doc["entries"][0]["warnings"].dump().find("its main() may register tests only when it is not listing"),
            std::string::npos)
      << doc["entries"][0]["warnings"];

  BatchRun typo = batch({plan.string(), "--filter", "Dynamik"});
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_NE(typo.output.find("no entry matches --filter Dynamik"), std::string::npos) << typo.output;
}

TEST_F(GtestLeftoversE2E, ACrashAmongTestsRegisteredOnlyWhenNotListingResumesTheRest) {
  // Trialm: after Dynamic.Crashes aborted, the batcher listed the binary to
  // learn what the run never reached; the listing names Static.* alone, so
  // nothing was left to resume and Dynamic.After1/After2 vanished from every
  // report (20,000 such tests: 4,999). A listing that lacks a test the run
  // started is not trusted: the resume leaves out the decided tests and runs
  // the rest, as GoogleTest's own --gtest_filter=-… would.
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nexecutable = \""
                      << exe("e2e_registers_when_run") << "\"\nenv = { E2E_DYNAMIC_CRASH = \"1\" }\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  std::vector<std::string> got = all_verdicts(doc);
  std::sort(got.begin(), got.end());
  const std::vector<std::string> want{"Dynamic.After1 PASS", "Dynamic.After2 PASS", "Dynamic.Crashes CRASH",
                                      "Dynamic.Fails FAIL",  "Static.Passes PASS",  "Static.Two PASS"};
  EXPECT_EQ(got, want) << r.output << doc.dump(2);
  EXPECT_NE(doc.dump().find("does not name Dynamic.Fails, which this run started"), std::string::npos)
      << "the entry says why its listing was not used:\n"
      << doc.dump(2);
}

TEST_F(GtestLeftoversE2E, ACrashAfter15000Of20000TestsResumesTheRestWithinTheArgumentLimit) {
  // 20 suites: the 15 decided suites are left out whole ("Suite00.*"). One
  // suite of 20,000: none is whole, so the 5,000 left are named in bounded
  // chunks, then one process runs what no listing named. Either way no
  // argument is over the limit and nothing is UNRESOLVED ("Argument list
  // too long" and 5,000 UNRESOLVED before).
  for (const bool one_suite : {false, true}) {
    const std::string how = one_suite ? "one suite of 20,000" : "20 suites of 1,000";
    const std::string failing = one_suite ? "Suite00.Test03500" : "Suite03.Test0500";
    fs::path plan = dir_ / "plan.toml";
    std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nexecutable = \"" << exe("e2e_twenty_thousand")
                        << "\"\nenv = { E2E_ONE_SUITE = \"" << (one_suite ? "1" : "0") << "\" }\n";
    const auto start = std::chrono::steady_clock::now();
    BatchRun r = batch({plan.string()});
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.exit_code, 1) << how << "\n" << r.output.substr(0, 4000);
    EXPECT_LT(took, 120s) << how;
    json doc = results();
    ASSERT_EQ(doc["entries"].size(), 1u) << how;
    const json& e = doc["entries"][0];
    std::map<std::string, int> counts;
    std::string crashed;
    for (const auto& t : e["tests"]) {
      ++counts[t["result"].get<std::string>()];
      if (t["result"] == "CRASH") crashed = t["name"];
    }
    EXPECT_EQ(counts["PASS"], 19998) << how;
    EXPECT_EQ(counts["FAIL"], 1) << how;
    EXPECT_EQ(counts["CRASH"], 1) << how;
    EXPECT_EQ(counts["UNRESOLVED"], 0) << how << ": " << e["reason"];
    EXPECT_EQ(e["tests"].size(), 20000u) << how;
    const json* failed = find_test(e, failing);
    ASSERT_TRUE(failed) << how;
    EXPECT_EQ((*failed)["result"], "FAIL") << how;
    EXPECT_LE(e["attempts"].size(), 4u) << how << ": " << e["attempts"].dump(2).substr(0, 4000);
    if (one_suite)
      EXPECT_GE(e["attempts"].size(), 3u) << "a chunk, then the rest: " << e["attempts"].dump(2).substr(0, 4000);
    for (const auto& a : e["attempts"])
      EXPECT_LE(a.value("filter", "").size(), 100000u) << how << ": attempt " << a["number"];
    EXPECT_NE(crashed, "") << how;
  }
}

TEST_F(GtestLeftoversE2E, ACrashAfter15000TestsNoListingNamesResumesPastTheSuitesTheRunFinished) {
  // Trialm: 20,000 tests registered only when the binary is not listing, a
  // crash at the 15,000th. No listing names the rest, and the 15,000 decided
  // names are ~255 KB: the resume stopped ("not listed, so the rest cannot
  // be named") and 4,999 tests were never run or counted. The 15 suites the
  // run finished (GoogleTest's stream said TestCaseEnd) are left out whole.
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nexecutable = \"" << exe("e2e_twenty_thousand")
                      << "\"\nenv = { E2E_ONE_SUITE = \"0\", E2E_HIDE_WHEN_LISTING = \"1\" }\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output.substr(0, 4000);
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u);
  const json& e = doc["entries"][0];
  std::map<std::string, int> counts;
  for (const auto& t : e["tests"]) ++counts[t["result"].get<std::string>()];
  EXPECT_EQ(counts["PASS"], 19998) << e["reason"] << "\n" << e["attempts"].dump(2).substr(0, 4000);
  EXPECT_EQ(counts["FAIL"], 1);
  EXPECT_EQ(counts["CRASH"], 1);
  EXPECT_EQ(e["tests"].size(), 20000u);
  ASSERT_GE(e["attempts"].size(), 2u);
  const std::string resume = e["attempts"][1].value("filter", "");
  EXPECT_EQ(resume.rfind("*-Suite00.*:Suite01.*:", 0), 0u) << resume.substr(0, 200);
  for (const auto& a : e["attempts"]) EXPECT_LE(a.value("filter", "").size(), 100000u) << a["number"];
}

TEST_F(GtestLeftoversE2E, ACrashNoResumeCanGetPastSaysHowManyTestsNeverRan) {
  // One suite of 20,000 registered only when not listing, a crash at the
  // 15,000th: no suite is finished, the decided names do not fit in one
  // argument and no listing names the rest, so the resume stops. The
  // tests it could not name are still counted from GoogleTest's banner.
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nexecutable = \"" << exe("e2e_twenty_thousand")
                      << "\"\nenv = { E2E_ONE_SUITE = \"1\", E2E_HIDE_WHEN_LISTING = \"1\" }\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output.substr(0, 4000);
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u);
  const std::string warnings = doc["entries"][0]["warnings"].dump();
  EXPECT_NE(warnings.find("stopped resuming the binary"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("GoogleTest announced 20000 tests and 15000 were decided, so 5000 never ran"),
            std::string::npos)
      << warnings;
  EXPECT_NE(r.output.find("5000 never ran"), std::string::npos) << "the console says it too";
}

}  // namespace
}  // namespace livegui::test_support
