// GoogleTest fidelity, end to end: a batch of small GoogleTest inputs of
// every kind (tests/e2e/fixtures) run by the real livegui-batch, its
// results.json and junit.xml compared with each binary's own
// --gtest_output=json counts and with ctest's verdict on the same binaries.
#include <sys/prctl.h>
#include <sys/resource.h>

#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/subprocess.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::string> kKinds = {
    "e2e_passing",    "e2e_crash_second", "e2e_same_name",     "e2e_suite_failure", "e2e_disabled",
    "e2e_empty",      "e2e_setup_crash",  "e2e_counted_main",  "e2e_no_run_all",    "e2e_accepting_main",
    "e2e_global_env", "e2e_atexit_crash", "e2e_no_run_all_77", "e2e_nested_abort",  "e2e_ghost"};

/// Tests GoogleTest's own JSON report says were skipped (GTEST_SKIP()).
int own_skipped(const json& report) {
  int n = 0;
  for (const auto& s : report["testsuites"])
    for (const auto& t : s["testsuite"]) n += t.value("result", "") == "SKIPPED";
  return n;
}

bool is_suite_level(const std::string& test) {
  return test.find("<suite set-up/tear-down>") != std::string::npos ||
         test.find("<global set-up/tear-down>") != std::string::npos;
}

/// What GoogleTest itself says about a binary, run alone.
struct OwnRun {
  int exit_code = -1;
  bool signaled = false;
  std::optional<json> report;  ///< its --gtest_output=json, when it wrote one
  int listed = 0;              ///< tests --gtest_list_tests names
};

class GtestFidelityE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  ExitStatus run_alone(const std::string& name, std::vector<std::string> args, const fs::path& output) {
    SpawnOptions opt;
    opt.executable = exe(name);
    opt.args = std::move(args);
    opt.output_file = output;
    opt.env_unset = {"GTEST_OUTPUT", "GTEST_FILTER", "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX"};
    Subprocess child = Subprocess::spawn(opt);
    auto status = child.wait_for(60s);
    if (!status) {
      child.stop(2s, 2s);
      ADD_FAILURE() << name << " did not finish within 60 s";
      return ExitStatus::killed(9);
    }
    return *status;
  }

  OwnRun own(const std::string& name) {
    OwnRun r;
    fs::path report = dir_ / ("own-" + name + ".json");
    ExitStatus st = run_alone(name, {"--gtest_output=json:" + report.string()}, dir_ / ("own-" + name + ".log"));
    r.exit_code = st.code;
    r.signaled = st.signaled;
    if (fs::exists(report)) {
      // GoogleTest 1.12 leaves out the comma before its "NonTestSuiteFailure"
      // suite (a global environment's failure) when other suites precede it.
      std::string text = read_text(report);
      const std::string broken = "\n    }    {\n";
      for (auto at = text.find(broken); at != std::string::npos; at = text.find(broken, at))
        text.replace(at, broken.size(), "\n    },\n    {\n");
      r.report = json::parse(text, nullptr, false);
      EXPECT_FALSE(r.report->is_discarded()) << name << "'s own report is not JSON";
    }
    run_alone(name, {"--gtest_list_tests"}, dir_ / ("list-" + name + ".txt"));
    std::istringstream list(read_text(dir_ / ("list-" + name + ".txt")));
    for (std::string line; std::getline(list, line);)
      if (line.rfind("  ", 0) == 0) ++r.listed;
    return r;
  }

  /// ctest's verdict per test name, from a CTestTestfile.cmake that adds each binary.
  std::map<std::string, bool> ctest_passes(const std::vector<std::string>& names) {
    fs::path cdir = dir_ / "ctest";
    fs::create_directories(cdir);
    {
      std::ofstream f(cdir / "CTestTestfile.cmake");
      for (const auto& n : names) f << "add_test(" << n << " \"" << exe(n) << "\")\n";
    }
    SpawnOptions opt;
    opt.executable = LIVEGUI_CTEST;
    opt.args = {"--test-dir", cdir.string(), "-j2", "--output-junit", (cdir / "ctest.xml").string()};
    opt.cwd = cdir;
    opt.output_file = cdir / "ctest-output.txt";
    Subprocess child = Subprocess::spawn(opt);
    if (!child.wait_for(120s)) {
      child.stop(2s, 2s);
      ADD_FAILURE() << "ctest did not finish within 120 s";
    }
    std::map<std::string, bool> out;
    std::string xml = read_text(cdir / "ctest.xml");
    static const std::regex kCase(R"re(<testcase name="([^"]+)"[^>]*status="([a-z]+)")re");
    for (std::sregex_iterator it(xml.begin(), xml.end(), kCase), end; it != end; ++it)
      out[(*it)[1]] = (*it)[2] == "run";
    EXPECT_EQ(out.size(), names.size()) << xml << read_text(cdir / "ctest-output.txt");
    return out;
  }

  /// The attributes of junit.xml's <testsuite name="...">.
  std::map<std::string, int> junit_counts(const std::string& xml, const std::string& suite) {
    std::map<std::string, int> out;
    auto at = xml.find("<testsuite name=\"" + suite + "\"");
    if (at == std::string::npos) return out;
    std::string tag = xml.substr(at, xml.find('>', at) - at);
    static const std::regex kAttr(R"re((tests|failures|errors|skipped|disabled)="(\d+)")re");
    for (std::sregex_iterator it(tag.begin(), tag.end(), kAttr), end; it != end; ++it)
      out[(*it)[1]] = std::stoi((*it)[2]);
    return out;
  }

  BatchRun batch(std::vector<std::string> args) {
    args.insert(args.end(), {"--report-dir", (dir_ / "reports").string(), "--state-dir", (dir_ / "state").string()});
    return run_livegui_batch(args, dir_.path());
  }

  json results() { return json::parse(read_text(dir_ / "reports" / "results.json")); }

  TempDir dir_{"gtest-fidelity-e2e"};
};

TEST_F(GtestFidelityE2E, EveryKindAgreesWithGoogleTestsOwnReportAndWithCtest) {
  std::vector<std::string> args = {"-j2"};
  for (const auto& k : kKinds) args.push_back(exe(k));
  BatchRun r = batch(args);
  ASSERT_EQ(r.exit_code, 1) << r.output;  // some inputs fail, as they do under ctest
  json doc = results();
  std::string xml = read_text(dir_ / "reports" / "junit.xml");
  std::string why;
  ASSERT_TRUE(xml_is_balanced(xml, &why)) << why;
  auto ctest = ctest_passes(kKinds);

  int agreeing_binaries = 0;
  for (const auto& k : kKinds) {
    SCOPED_TRACE(k);
    const int failures_before = ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
    const json* e = find_entry(doc, k);
    ASSERT_TRUE(e) << r.output;
    OwnRun g = own(k);
    // The verdict: livegui fails an entry exactly when ctest fails it.
    ASSERT_TRUE(ctest.count(k));
    EXPECT_EQ((*e)["is_failure"].get<bool>(), !ctest[k]) << (*e)["result"] << ": " << (*e)["reason"];
    EXPECT_EQ(ctest[k], !g.signaled && g.exit_code == 0);

    // GoogleTest's failures are FAIL, or XFAIL when the binary's own main()
    // accepted them (it exited 0); junit.xml writes either as a <failure>, so
    // its counts are GoogleTest's own.
    int tests = 0, fails = 0, skipped = 0, disabled = 0, suite_level = 0, suite_level_fails = 0;
    for (const auto& t : (*e)["tests"]) {
      if (t.value("synthetic", false)) continue;
      std::string res = t["result"];
      if (is_suite_level(t["name"])) {
        ++suite_level;
        suite_level_fails += res == "FAIL";
        continue;
      }
      ++tests;
      fails += res == "FAIL" || res == "XFAIL";
      if (t.value("disabled", false))
        ++disabled;
      else
        skipped += res == "SKIPPED";
    }
    if (g.report) {
      // Every test GoogleTest reported, with its counts.
      const json& rep = *g.report;
      EXPECT_EQ(tests, rep["tests"].get<int>());
      EXPECT_EQ(fails, rep["failures"].get<int>());
      EXPECT_EQ(disabled, rep["disabled"].get<int>());
      EXPECT_EQ(skipped, own_skipped(rep));
    } else if (k != "e2e_no_run_all" && k != "e2e_no_run_all_77") {
      // It crashed: GoogleTest wrote no report; every listed test has a result.
      EXPECT_EQ(tests, g.listed);
    }
    // junit.xml says the same as results.json, and counts as GoogleTest
    // does: a failure outside any test (suite set-up/tear-down, a global
    // environment) is in neither "tests" nor "failures" but is an error.
    auto jc = junit_counts(xml, "default." + k);
    // Results GoogleTest has no test for (the binary's own exit or death:
    // "<entry> (process)") are testcases of junit.xml too: beside tests, an
    // error outside any test, in neither "tests" nor "failures" (as a
    // suite-level failure); alone (no test ran), the binary's one test, as
    // under ctest.
    int synthetic = 0, synthetic_fails = 0, errors = 0;
    for (const auto& t : (*e)["tests"]) {
      std::string res = t["result"];
      synthetic += t.value("synthetic", false);
      synthetic_fails += t.value("synthetic", false) && res == "FAIL";
      errors += res == "CRASH" || res == "TIMEOUT" || res == "UNRESOLVED";
    }
    const bool alone = (*e)["tests"].size() == 1;
    const int process_beside = alone ? 0 : synthetic, process_beside_fails = alone ? 0 : synthetic_fails;
    EXPECT_EQ(jc["tests"], static_cast<int>((*e)["tests"].size()) - suite_level - process_beside) << xml;
    EXPECT_EQ(jc["failures"], fails + synthetic_fails - process_beside_fails);
    EXPECT_EQ(jc["errors"], errors + suite_level_fails + process_beside_fails);
    if (g.report) {
      EXPECT_EQ(jc["tests"], (*g.report)["tests"].get<int>()) << xml;
      EXPECT_EQ(jc["failures"], (*g.report)["failures"].get<int>()) << xml;
      EXPECT_EQ(jc["skipped"], own_skipped(*g.report)) << xml;
    }
    EXPECT_EQ(jc["disabled"], disabled);
    EXPECT_EQ(jc["skipped"], skipped);
    if (::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() == failures_before)
      ++agreeing_binaries;
  }
  EXPECT_EQ(agreeing_binaries, static_cast<int>(kKinds.size()));
}

TEST_F(GtestFidelityE2E, FailuresABinarysOwnMainAcceptsAreExpectedAndTheBatchPassesAsUnderCtest) {
  EXPECT_EQ(run_alone("e2e_accepting_main", {}, dir_ / "alone.log").code, 0);
  BatchRun r = batch({exe("e2e_accepting_main")});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "XFAIL") << e.dump(2);
  EXPECT_FALSE(e["is_failure"].get<bool>());
  EXPECT_EQ((*find_test(e, "Accepting.Passes"))["result"], "PASS");
  const json* failed = find_test(e, "Accepting.ShouldFail");
  ASSERT_TRUE(failed) << e.dump(2);
  EXPECT_EQ((*failed)["result"], "XFAIL");
  std::string message = (*failed)["message"];
  EXPECT_NE(message.find("exited with exit code 0 although GoogleTest reported this failure"), std::string::npos)
      << message;
  EXPECT_NE(message.find("main() expects this failure"), std::string::npos) << message;
  // The report says why, once: the console warning, the entry's warnings, the closing line.
  std::string warning =
      "e2e_accepting_main exited with exit code 0 although GoogleTest reported 1 failure: its own "
      "main() accepts it, so it counts as an expected failure (XFAIL), as under ctest";
  ASSERT_EQ(e["warnings"].size(), 1u) << e.dump(2);
  EXPECT_EQ(e["warnings"][0], warning);
  EXPECT_NE(r.output.find("[BATCH-WARN] default: " + warning + "."), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("PASSED: 1 passed, 1 expected failure"), std::string::npos) << r.output;
  std::string xml = read_text(dir_ / "reports" / "junit.xml");
  // junit.xml counts it as GoogleTest's own report does: a failure.
  EXPECT_NE(xml.find("<failure type=\"XFAIL\" message=\"expected failure: the test binary exited with exit code 0"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""), std::string::npos) << xml;
}

TEST_F(GtestFidelityE2E, AFailureInAGlobalEnvironmentIsNamedAndItsReproductionRunsIt) {
  BatchRun r = batch({exe("e2e_global_env")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "FAIL") << e.dump(2);
  EXPECT_EQ((*find_test(e, "Global.Works"))["result"], "PASS");
  const json* global = find_test(e, "<global set-up/tear-down>");
  ASSERT_TRUE(global) << e.dump(2);
  EXPECT_EQ((*global)["result"], "FAIL");
  std::string message = (*global)["message"];
  EXPECT_NE(message.find("could not be set up"), std::string::npos) << message;
  EXPECT_NE(message.find("could not be torn down"), std::string::npos) << message;
  // No process-level stand-in: the failure has its name.
  for (const auto& t : e["tests"]) EXPECT_FALSE(t.value("synthetic", false)) << t.dump();
  // The reproduction runs every test, so the environment is set up (a filter
  // that matches nothing would skip it); run it and see the failure again.
  EXPECT_NE(r.output.find(exe("e2e_global_env") + " '--gtest_filter=*'"), std::string::npos) << r.output;
  fs::path again = dir_ / "again.log";
  ExitStatus st = run_alone("e2e_global_env", {"--gtest_filter=*"}, again);
  EXPECT_EQ(st.code, 1);
  EXPECT_NE(read_text(again).find("could not be set up"), std::string::npos);
  std::string xml = read_text(dir_ / "reports" / "junit.xml");
  EXPECT_NE(xml.find("name=\"&lt;global set-up/tear-down&gt;\""), std::string::npos) << xml;
}

TEST_F(GtestFidelityE2E, ABinaryWhoseListingFailsIsRunAndJudgedByItsRun) {
  // Its main() returns 1 unless both tests ran: listing alone exits 1.
  EXPECT_EQ(run_alone("e2e_counted_main", {}, dir_ / "alone.log").code, 0);
  EXPECT_EQ(run_alone("e2e_counted_main", {"--gtest_list_tests"}, dir_ / "list.log").code, 1);
  // Quick form (no listing at all) and split = "suite" (a listing first, which fails).
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nname = \"counted\"\nexecutable = \"" +
                             exe("e2e_counted_main") + "\"\nsplit = \"suite\"\n";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{exe("e2e_counted_main")}, std::vector<std::string>{plan.string()}}) {
    BatchRun r = batch(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    json doc = results();
    ASSERT_EQ(doc["entries"].size(), 1u);
    const json& e = doc["entries"][0];
    EXPECT_EQ(e["result"], "PASS") << e.dump(2);
    ASSERT_EQ(e["tests"].size(), 2u) << e.dump(2);
    EXPECT_EQ(e["tests"][0]["name"], "Counted.One");
    EXPECT_EQ(e["tests"][1]["result"], "PASS");
  }
  // The suite-split run says why it ran as one unit.
  EXPECT_NE(read_text(dir_ / "reports" / "results.json").find("listing its tests (--gtest_list_tests) failed"),
            std::string::npos);
}

TEST_F(GtestFidelityE2E, AFilterOnABinaryWhoseListingFailsIsPassedToItsRunAsItsGtestFilter) {
  // Issue 18 leftover 1: --filter lists every binary; this one's listing
  // exits 1, and the filter used to select nothing of it ("no entry matches").
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nname = \"counted\"\nexecutable = \"" +
                             exe("e2e_counted_main") + "\"\nsplit = \"suite\"\n";
  for (const std::vector<std::string>& args : {std::vector<std::string>{exe("e2e_counted_main"), "--filter", "Counted"},
                                               std::vector<std::string>{plan.string(), "--filter", "Counted"}}) {
    BatchRun r = batch(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    json doc = results();
    ASSERT_EQ(doc["entries"].size(), 1u) << r.output;
    const json& e = doc["entries"][0];
    EXPECT_EQ(e["result"], "PASS") << e.dump(2);
    ASSERT_EQ(e["tests"].size(), 2u) << e.dump(2);
    EXPECT_EQ(e["attempts"][0]["filter"], "*Counted*") << e.dump(2);
    EXPECT_NE(e["warnings"].dump().find("with --gtest_filter=*Counted*"), std::string::npos) << e.dump(2);
  }
  // One test of two: exactly that one runs, judged by the run (its main()
  // exits 1 when not both ran, as it does under ctest with that filter).
  BatchRun one = batch({exe("e2e_counted_main"), "--filter", "Counted\\.One$"});
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u) << one.output;
  const json& e = doc["entries"][0];
  ASSERT_NE(find_test(e, "Counted.One"), nullptr) << e.dump(2);
  EXPECT_EQ((*find_test(e, "Counted.One"))["result"], "PASS") << e.dump(2);
  EXPECT_EQ(find_test(e, "Counted.Two"), nullptr) << e.dump(2);
  EXPECT_EQ(run_alone("e2e_counted_main", {"--gtest_filter=Counted.One"}, dir_ / "one.log").code, 1);
  EXPECT_EQ(one.exit_code, 1) << one.output;
  // A pattern no --gtest_filter can say: reported SKIPPED with why, not dropped.
  BatchRun alt = batch({exe("e2e_counted_main"), "--filter", "One|Two"});
  EXPECT_EQ(alt.exit_code, 0) << alt.output;
  doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u) << alt.output;
  EXPECT_EQ(doc["entries"][0]["result"], "SKIPPED") << doc.dump(2);
  std::string why = doc["entries"][0]["reason"];
  EXPECT_NE(why.find("cannot be passed to it as a --gtest_filter"), std::string::npos) << why;
  EXPECT_NE(alt.output.find("cannot be passed to it as a --gtest_filter"), std::string::npos) << alt.output;
}

TEST_F(GtestFidelityE2E, AProgramThatNeverCallsRunAllTestsIsJudgedByItsExitCode) {
  BatchRun r = batch({exe("e2e_no_run_all")});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "PASS");
  ASSERT_EQ(e["tests"].size(), 1u);
  EXPECT_NE(e["tests"][0]["message"].get<std::string>().find("no GoogleTest test ran"), std::string::npos);
  EXPECT_NE(e["reason"].get<std::string>().find("RUN_ALL_TESTS"), std::string::npos);
}

TEST_F(GtestFidelityE2E, UnderSplitSuiteABinaryWhoseListingNamesNoTestStillGetsItsVerdict) {
  // A listing that names no test (no tests, or a main() without
  // RUN_ALL_TESTS) leaves no suite to split by: the binary runs as one unit
  // and its run judges it, as under split = "binary" — it never vanishes.
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nname = \"empty\"\nexecutable = \"" +
                             exe("e2e_empty") +
                             "\"\nsplit = \"suite\"\n\n[[tiers.entries]]\nname = \"norun\"\n"
                             "executable = \"" +
                             exe("e2e_no_run_all") + "\"\nsplit = \"suite\"\n";
  BatchRun r = batch({plan.string()});
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 2u) << r.output;
  EXPECT_EQ(doc["entries"][0]["name"], "empty");
  EXPECT_EQ(doc["entries"][1]["name"], "norun");
  EXPECT_EQ(doc["entries"][1]["result"], "PASS") << doc["entries"][1].dump(2);
  // The same verdicts as without the split.
  BatchRun whole = batch({exe("e2e_empty"), exe("e2e_no_run_all")});
  json plain = results();
  ASSERT_EQ(plain["entries"].size(), 2u) << whole.output;
  EXPECT_EQ(doc["entries"][0]["result"], plain["entries"][0]["result"]);
  EXPECT_EQ(r.exit_code, whole.exit_code) << r.output;
}

TEST_F(GtestFidelityE2E, TwoTestsOfOneNameKeepOneResultEachInOrder) {
  BatchRun r = batch({exe("e2e_same_name")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  ASSERT_EQ(e["tests"].size(), 2u) << e.dump(2);
  EXPECT_EQ(e["tests"][0]["name"], "Mixed.Same");
  EXPECT_EQ(e["tests"][0]["result"], "PASS");
  EXPECT_EQ(e["tests"][1]["name"], "Mixed.Same");
  EXPECT_EQ(e["tests"][1]["result"], "FAIL");
  EXPECT_NE(e["tests"][1]["message"].get<std::string>().find("same test fixture"), std::string::npos);
}

TEST_F(GtestFidelityE2E, ASuiteLevelFailureIsNamedAndItsReproductionRunsItsSuite) {
  BatchRun r = batch({exe("e2e_suite_failure")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  const json* t = find_test(e, "Prepared.<suite set-up/tear-down>");
  ASSERT_TRUE(t) << e.dump(2);
  EXPECT_EQ((*t)["result"], "FAIL");
  EXPECT_NE((*t)["message"].get<std::string>().find("could not be prepared"), std::string::npos);
  // GoogleTest (1.12) skips the tests of a suite whose SetUpTestSuite failed.
  EXPECT_EQ((*find_test(e, "Prepared.Uses"))["result"], "SKIPPED");
  EXPECT_EQ((*find_test(e, "Unrelated.Fine"))["result"], "PASS");
  // Its reproduction names a filter that matches the suite, not "Prepared." (nothing).
  EXPECT_NE(r.output.find("--gtest_filter=Prepared.*"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("--gtest_filter=Prepared. "), std::string::npos) << r.output;
  std::string xml = read_text(dir_ / "reports" / "junit.xml");
  EXPECT_NE(xml.find("name=\"&lt;suite set-up/tear-down&gt;\""), std::string::npos) << xml;
}

TEST_F(GtestFidelityE2E, DisabledTestsAreCountedAsDisabledAndFailuresCarryTheirOwnOutput) {
  BatchRun r = batch({exe("e2e_disabled"), exe("e2e_empty")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  std::string xml = read_text(dir_ / "reports" / "junit.xml");
  auto c = junit_counts(xml, "default.e2e_disabled");
  EXPECT_EQ(c["tests"], 6);
  EXPECT_EQ(c["failures"], 1);
  EXPECT_EQ(c["skipped"], 1);
  EXPECT_EQ(c["disabled"], 3);
  auto empty = junit_counts(xml, "default.e2e_empty");
  EXPECT_EQ(empty["tests"], 0) << xml;
  // The console's table and closing line, report.html and the entry's reason
  // count them as GoogleTest does too: 1 skipped, 3 disabled (not 4 skipped).
  EXPECT_NE(r.output.find("FAILED: 1 passed, 1 failed, 1 skipped, 3 disabled in "), std::string::npos) << r.output;
  std::smatch row;
  ASSERT_TRUE(std::regex_search(r.output, row, std::regex(R"(\n  default \(2 entries\)((\s+\d+){9}))"))) << r.output;
  EXPECT_EQ(std::regex_replace(row[1].str(), std::regex(R"(\s+)"), " "), " 1 1 0 0 0 1 3 0 0") << r.output;
  EXPECT_NE(r.output.find("  skip  disabled  xfail"), std::string::npos) << r.output;
  std::string html = read_text(dir_ / "reports" / "report.html");
  EXPECT_NE(html.find("1 passed, 1 failed, 1 skipped, 3 disabled in "), std::string::npos);
  EXPECT_NE(html.find("<th>skip</th><th>disabled</th>"), std::string::npos);
  json doc = results();
  const json* disabled_entry = find_entry(doc, "e2e_disabled");
  ASSERT_TRUE(disabled_entry);
  std::string reason = (*disabled_entry)["reason"];
  const std::string tally = " (1 PASS, 1 FAIL, 1 SKIPPED, 3 disabled)";
  EXPECT_EQ(reason.rfind("Mixed.Fails: ", 0), 0u) << reason;
  EXPECT_EQ(reason.substr(reason.size() - std::min(reason.size(), tally.size())), tally) << reason;
  // The failing test's <system-out> is its own output, not the binary's closing summary.
  auto fails = xml.find("name=\"Fails\"");
  ASSERT_NE(fails, std::string::npos) << xml;
  auto end = xml.find("</testcase>", fails);
  std::string testcase = xml.substr(fails, end - fails);
  EXPECT_NE(testcase.find("<system-out>output of Mixed.Fails"), std::string::npos) << testcase;
  EXPECT_EQ(testcase.find("[==========]"), std::string::npos) << testcase;
  EXPECT_EQ(testcase.find("passing output"), std::string::npos) << testcase;
}

TEST_F(GtestFidelityE2E, RepeatAndForeignOutputFlagsAreRefusedSayingWhereAndWhy) {
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nname = \"repeat\"\nexecutable = \"" +
                             exe("e2e_passing") +
                             "\"\nargs = [\"--gtest_repeat=3\"]\n\n[[tiers.entries]]\nname = \"xml\"\nexecutable = \"" +
                             exe("e2e_passing") +
                             "\"\nargs = [\"--gtest_output=xml:own.xml\"]\n\n"
                             "[[tiers.entries]]\nname = \"plain\"\nexecutable = \"" +
                             exe("e2e_passing") + "\"\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json* repeat = find_entry(doc, "repeat");
  const json* xml = find_entry(doc, "xml");
  const json* plain = find_entry(doc, "plain");
  ASSERT_TRUE(repeat && xml && plain);
  EXPECT_EQ((*repeat)["result"], "UNRESOLVED");
  EXPECT_NE((*repeat)["reason"].get<std::string>().find("plan.toml:"), std::string::npos) << (*repeat)["reason"];
  EXPECT_NE((*repeat)["reason"].get<std::string>().find("args[0]: --gtest_repeat=3 is not supported"), std::string::npos);
  EXPECT_EQ((*xml)["result"], "UNRESOLVED");
  EXPECT_NE((*xml)["reason"].get<std::string>().find("--gtest_output=xml:own.xml is not supported"), std::string::npos);
  EXPECT_EQ((*plain)["result"], "PASS");  // the batch goes on
}

TEST_F(GtestFidelityE2E, AFlagTheBinarysGoogleTestDoesNotKnowIsSaidNotPassedWithZeroTests) {
  // Trial12c: --gtest_filtr=… made GoogleTest print its help and run
  // nothing; the entry passed "(0 tests)", "never called RUN_ALL_TESTS()".
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nname = \"typo\"\nexecutable = \""
                      << exe("e2e_passing") << "\"\nargs = [\"--gtest_filtr=Passing.*\"]\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json* e = find_entry(doc, "typo");
  ASSERT_TRUE(e) << r.output;
  EXPECT_EQ((*e)["result"], "UNRESOLVED") << e->dump(2);
  std::string said = e->dump();
  EXPECT_NE(said.find("GoogleTest printed its flag help instead of running any test"), std::string::npos) << said;
  EXPECT_NE(said.find("--gtest_filtr=Passing.*"), std::string::npos) << said;
  EXPECT_EQ(said.find("never called RUN_ALL_TESTS"), std::string::npos) << said;
}

TEST_F(GtestFidelityE2E, FlagsThatDefeatTheBatchersReadingAreRefusedByTheRunAndByDryRun) {
  // The newcomer's inputs (issue 18): each entry is UNRESOLVED saying where
  // and why, --dry-run says the same, the batch goes on. The batcher's own
  // GTEST_COLOR / GTEST_BRIEF are overridden, not inherited.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"brief", "args = [\"--gtest_brief=1\"]"},
      {"color", "args = [\"--gtest_color=yes\"]"},
      {"list", "args = [\"--gtest_list_tests\"]"},
      {"flagfile", "args = [\"--gtest_flagfile=" + (dir_ / "flags.txt").string() + "\"]"},
      {"color_env", "env = { GTEST_COLOR = \"yes\" }"},
      {"output_env", "env = { GTEST_OUTPUT = \"xml:" + (dir_ / "own.xml").string() + "\" }"},
      {"brief_env", "env = { GTEST_BRIEF = \"1\" }"}};
  std::ofstream(dir_ / "flags.txt") << "--gtest_repeat=2\n";
  fs::path plan = dir_ / "plan.toml";
  {
    std::ofstream f(plan);
    f << "[[tiers]]\nname = \"t\"\n";
    for (const auto& [name, line] : refused)
      f << "\n[[tiers.entries]]\nname = \"" << name << "\"\nexecutable = \"" << exe("e2e_passing") << "\"\n"
        << line << "\n";
    f << "\n[[tiers.entries]]\nname = \"plain\"\nexecutable = \"" << exe("e2e_passing") << "\"\n";
  }
  const std::map<std::string, std::string> says = {
      // Each names the place and field the value was written (plan line, column).
      {"brief", ":7:9: tiers[0].entries[0].args[0]: --gtest_brief=1 is not supported: "},
      {"color", ":12:9: tiers[0].entries[1].args[0]: --gtest_color=yes is not supported: "},
      {"list", ":17:9: tiers[0].entries[2].args[0]: --gtest_list_tests is not supported: "},
      {"flagfile",
       ":22:9: tiers[0].entries[3].args[0]: --gtest_flagfile=" + (dir_ / "flags.txt").string() + " is not supported: "},
      {"color_env", ":27:23: tiers[0].entries[4].env.GTEST_COLOR: GTEST_COLOR=yes is not supported: "},
      {"output_env", ":32:24: tiers[0].entries[5].env.GTEST_OUTPUT: GTEST_OUTPUT=xml:" +
                         (dir_ / "own.xml").string() + " is not supported: "},
      {"brief_env", ":37:23: tiers[0].entries[6].env.GTEST_BRIEF: GTEST_BRIEF=1 is not supported: "}};

  BatchRun dry = batch({plan.string(), "--dry-run"});
  for (const auto& [name, text] : says)
    EXPECT_NE(dry.output.find(name + "  UNRESOLVED: " + plan.string() + ":"), std::string::npos) << name << dry.output;
  for (const auto& [name, text] : says) EXPECT_NE(dry.output.find(text), std::string::npos) << text << dry.output;

  BatchRun r = run_livegui_batch(
      {plan.string(), "--report-dir", (dir_ / "reports").string(), "--state-dir", (dir_ / "state").string()},
      dir_.path(), {{"GTEST_COLOR", "yes"}, {"GTEST_BRIEF", "1"}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  for (const auto& [name, text] : says) {
    const json* e = find_entry(doc, name);
    ASSERT_TRUE(e) << name;
    EXPECT_EQ((*e)["result"], "UNRESOLVED") << name;
    std::string reason = (*e)["reason"];
    EXPECT_EQ(reason.rfind(plan.string() + ":", 0), 0u) << reason;
    EXPECT_NE(reason.find(text), std::string::npos) << reason;
  }
  EXPECT_FALSE(fs::exists(dir_ / "own.xml"));
  const json* plain = find_entry(doc, "plain");
  ASSERT_TRUE(plain);
  EXPECT_EQ((*plain)["result"], "PASS") << "the batch goes on, its markers read despite the inherited variables";
  fs::path log_file = (*plain)["attempts"][0]["log"].get<std::string>();
  if (log_file.is_relative()) log_file = dir_ / "reports" / log_file;
  std::string log = read_text(log_file);
  EXPECT_NE(log.find("[       OK ] "), std::string::npos) << log;
  EXPECT_EQ(log.find('\x1b'), std::string::npos) << log;
}

TEST_F(GtestFidelityE2E, ACrashInAStaticDestructorAfterEveryTestPassedIsOneCrashWithoutAResume) {
  BatchRun r = batch({exe("e2e_atexit_crash")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "CRASH");
  EXPECT_EQ(e["attempts"].size(), 1u) << "no resume that runs nothing and crashes again: " << e.dump(2);
  ASSERT_EQ(e["tests"].size(), 3u) << e.dump(2);
  EXPECT_EQ((*find_test(e, "AtExit.First"))["result"], "PASS");
  EXPECT_EQ((*find_test(e, "AtExit.Second"))["result"], "PASS");
  const json* crash = find_test(e, "e2e_atexit_crash (process)");
  ASSERT_TRUE(crash) << e.dump(2);
  EXPECT_EQ((*crash)["result"], "CRASH");
  EXPECT_EQ((*crash)["message"],
            "the test binary was killed by SIGSEGV at exit, after GoogleTest's closing summary (in a static "
            "destructor or an atexit handler)");
  EXPECT_TRUE(e["warnings"].empty()) << e["warnings"].dump() << ": it is not listed (the listing would crash too)";
}

TEST_F(GtestFidelityE2E, ACrashInSuiteSetUpBlamesThatSuiteAndTheResumeRunsEveryOtherSuite) {
  BatchRun r = batch({exe("e2e_setup_crash")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "CRASH");
  auto result = [&](const std::string& name) {
    const json* t = find_test(e, name);
    return t ? (*t)["result"].get<std::string>() : std::string("<missing>");
  };
  EXPECT_EQ(result("V.A"), "PASS");
  EXPECT_EQ(result("W.First"), "CRASH");
  EXPECT_EQ(result("W.Second"), "CRASH");
  EXPECT_EQ(result("X.After"), "PASS");
  EXPECT_NE((*find_test(e, "W.First"))["message"].get<std::string>().find("in suite set-up"), std::string::npos);
  ASSERT_EQ(e["attempts"].size(), 2u) << e.dump(2);
  // Suites all of whose tests are decided are left out whole (resume_filter.hpp).
  EXPECT_EQ(e["attempts"][1]["filter"], "*-V.*:W.*");
}

TEST_F(GtestFidelityE2E, OutputWithoutEndKeepsTheBatcherSmallTheLogCappedAndTheConsoleClean) {
  // 200 MiB on one line, with an ESC byte in it.
  BatchRun r = batch({exe("e2e_oneline")});
  EXPECT_EQ(r.exit_code, 1) << r.output.substr(0, 4000);
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  // The largest child waited for (livegui-batch, or the fixture: ~a few MiB).
  EXPECT_LT(usage.ru_maxrss, 120 * 1024) << "peak RSS " << usage.ru_maxrss << " KiB";
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ((*find_test(e, "Blob.Dumps"))["result"], "FAIL");
  EXPECT_EQ((*find_test(e, "Blob.Next"))["result"], "PASS");
  bool noted = false;
  for (const auto& w : e["warnings"])
    noted = noted || w.get<std::string>().find("larger than the log cap") != std::string::npos;
  EXPECT_TRUE(noted) << e.dump(2).substr(0, 4000);
  // What cap_log promises (log_cap.hpp), whatever the machine's load: <log>.1
  // holds at most twice the cap (the kept part and what the child wrote
  // during the copy) plus the kept markers (at most 8 MiB); the log, capped
  // at the binary's end too, at most the cap. Of the 200 MiB written.
  constexpr std::uintmax_t kCap = 64ull << 20;
  std::uintmax_t logs = 0;
  for (const auto& f : fs::directory_iterator(dir_ / "reports" / "logs")) {
    if (!f.is_regular_file()) continue;
    logs += f.file_size();
    std::string name = f.path().filename().string();
    if (name.size() > 6 && name.substr(name.size() - 6) == ".log.1") {
      EXPECT_LE(f.file_size(), 2 * kCap + (8ull << 20) + 4096) << name;
    } else if (name.size() > 4 && name.substr(name.size() - 4) == ".log") {
      EXPECT_LE(f.file_size(), kCap) << name;
    }
  }
  EXPECT_LE(logs, 3 * kCap + (9ull << 20));
  // The entry's output tail is the end of the run (GoogleTest's closing
  // summary), even when all of it is in <log>.1. It came out empty under
  // load when the binary wrote its last lines while a cap was copying: they
  // were lost with the truncation (BatcherLogCap.WhatTheWriterWroteUntilItWasPausedIsKeptToTheLastByte).
  std::string tail = e.value("output_tail", std::string());
  EXPECT_NE(tail.find("[  FAILED  ] Blob.Dumps"), std::string::npos) << e.dump(2).substr(0, 4000);
  EXPECT_EQ(r.output.find('\x1b'), std::string::npos);
}

TEST_F(GtestFidelityE2E, EntryNamesThatMapToOneFileNameKeepTheirOwnLogs) {
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nname = \"smoke (fast)\"\n"
                         "command = [\"/bin/sh\", \"-c\", \"echo output of the paren entry; mkdir -p "
                         "$LIVEGUI_ARTIFACT_DIR && echo paren > $LIVEGUI_ARTIFACT_DIR/which.txt; exit 1\"]\n\n"
                         "[[tiers.entries]]\nname = \"smoke [fast]\"\n"
                         "command = [\"/bin/sh\", \"-c\", \"echo output of the bracket entry; mkdir -p "
                         "$LIVEGUI_ARTIFACT_DIR && echo bracket > $LIVEGUI_ARTIFACT_DIR/which.txt\"]\n";
  BatchRun r = batch({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json* paren = find_entry(doc, "smoke (fast)");
  const json* bracket = find_entry(doc, "smoke [fast]");
  ASSERT_TRUE(paren && bracket);
  EXPECT_EQ((*paren)["result"], "FAIL");
  EXPECT_EQ((*bracket)["result"], "PASS");
  std::string paren_log = (*paren)["attempts"][0]["log"];
  std::string bracket_log = (*bracket)["attempts"][0]["log"];
  EXPECT_NE(paren_log, bracket_log);
  EXPECT_EQ(read_text(paren_log), "output of the paren entry\n");
  EXPECT_EQ(read_text(bracket_log), "output of the bracket entry\n");
  // Each has its own artifact directory.
  std::multiset<std::string> artifacts;
  for (const auto& d : fs::directory_iterator(dir_ / "reports" / "artifacts"))
    if (fs::exists(d.path() / "which.txt")) artifacts.insert(read_text(d.path() / "which.txt"));
  EXPECT_EQ(artifacts, (std::multiset<std::string>{"bracket\n", "paren\n"}));
  // junit.xml: two suites, the failing one with its own output only.
  std::string xml = read_text(dir_ / "reports" / "junit.xml");
  auto paren_suite = xml.find("<testsuite name=\"t.smoke (fast)\"");
  auto bracket_suite = xml.find("<testsuite name=\"t.smoke [fast]\"");
  ASSERT_NE(paren_suite, std::string::npos) << xml;
  ASSERT_NE(bracket_suite, std::string::npos) << xml;
  std::string paren_xml = xml.substr(paren_suite, xml.find("</testsuite>", paren_suite) - paren_suite);
  EXPECT_NE(paren_xml.find("<failure"), std::string::npos) << paren_xml;
  EXPECT_NE(paren_xml.find("output of the paren entry"), std::string::npos) << paren_xml;
  EXPECT_EQ(paren_xml.find("bracket"), std::string::npos) << paren_xml;
  // report.html: each entry names its own log, the failure shows its own output.
  std::string html = read_text(dir_ / "reports" / "report.html");
  EXPECT_NE(html.find(paren_log), std::string::npos);
  EXPECT_NE(html.find(bracket_log), std::string::npos);
  EXPECT_NE(html.find("output of the paren entry"), std::string::npos);
}

}  // namespace
}  // namespace livegui::test_support
