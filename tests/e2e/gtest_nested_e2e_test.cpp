// GoogleTest output that is not the binary's own, end to end: a test that
// runs another GoogleTest binary (its markers on the same stdout, its report
// where the binary's goes) and then aborts or never ends, and a test that
// prints a fake start line and crashes. The real livegui-batch must blame
// the real test, name none of the printed ones, and resume at most as usual.
#include <sys/prctl.h>

#include <chrono>
#include <fstream>

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

/// The names of an entry's results, in order.
std::vector<std::string> names(const json& entry) {
  std::vector<std::string> out;
  for (const auto& t : entry["tests"]) out.push_back(t["name"]);
  return out;
}

class GtestNestedOutputE2E : public ::testing::Test {
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

  TempDir dir_{"gtest-nested-e2e"};
};

TEST_F(GtestNestedOutputE2E, ATestThatRunsAChildBinaryThenAbortsIsTheCrashAndTheChildsTestsAreNoResults) {
  BatchRun r = batch({exe("e2e_nested_abort")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "CRASH") << e.dump(2);
  EXPECT_EQ(names(e), (std::vector<std::string>{"Nested.Before", "Nested.RunsAChildThenAborts", "Nested.After"}))
      << e.dump(2);
  EXPECT_EQ((*find_test(e, "Nested.Before"))["result"], "PASS");
  EXPECT_EQ((*find_test(e, "Nested.After"))["result"], "PASS");
  const json& crash = *find_test(e, "Nested.RunsAChildThenAborts");
  EXPECT_EQ(crash["result"], "CRASH");
  std::string message = crash["message"];
  // (" (core dumped)" after the signal when cores are on.)
  EXPECT_EQ(message.rfind("the test binary was killed by SIGABRT", 0), 0u) << message;
  EXPECT_EQ(message.substr(0, message.find('\n')).find(" during this test"),
            message.find('\n') - std::string(" during this test").size())
      << message;
  // The child's lines are the crashed test's output.
  EXPECT_NE(message.find("[ RUN      ] Passing.One"), std::string::npos) << message;
  EXPECT_NE(message.find("the child passed; now aborting"), std::string::npos) << message;
  // Resumed once, without the decided tests.
  ASSERT_EQ(e["attempts"].size(), 2u) << e.dump(2);
  EXPECT_EQ(e["attempts"][1]["filter"], "*-Nested.Before:Nested.RunsAChildThenAborts");
  EXPECT_TRUE(e["warnings"].empty()) << e["warnings"].dump();
  std::string xml = read_text(dir_ / "reports" / "junit.xml");
  for (const char* child_test : {"name=\"One\"", "name=\"Two\"", "name=\"Three\""})
    EXPECT_EQ(xml.find(child_test), std::string::npos) << child_test << " in " << xml;
}

TEST_F(GtestNestedOutputE2E, AFakeStartLineBeforeACrashNamesNoGhostAndBlamesTheRealTest) {
  BatchRun r = batch({exe("e2e_ghost")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(names(e), (std::vector<std::string>{"Haunted.Before", "Haunted.PrintsAGhostAndCrashes", "Haunted.After"}))
      << e.dump(2);
  const json& crash = *find_test(e, "Haunted.PrintsAGhostAndCrashes");
  EXPECT_EQ(crash["result"], "CRASH");
  std::string message = crash["message"];
  EXPECT_EQ(message.rfind("the test binary was killed by SIGSEGV", 0), 0u) << message;
  const std::string end = " during this test\n[ RUN      ] Ghost.Test";
  EXPECT_EQ(message.substr(message.size() - std::min(message.size(), end.size())), end) << message;
  EXPECT_EQ((*find_test(e, "Haunted.After"))["result"], "PASS");
  EXPECT_EQ(e["attempts"].size(), 2u) << e.dump(2);
  EXPECT_EQ(read_text(dir_ / "reports" / "results.json").find("\"Ghost.Test\""), std::string::npos);
  EXPECT_EQ(read_text(dir_ / "reports" / "junit.xml").find("name=\"Test\""), std::string::npos);
}

TEST_F(GtestNestedOutputE2E, AChildBinarysStartLinesDoNotRestartTheTestTimeout) {
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\n\n[[tiers.entries]]\nname = \"busy\"\nexecutable = \"" +
                             exe("e2e_nested_hang") + "\"\ntimeout = \"120s\"\ntest_timeout = \"3s\"\n";
  auto t0 = std::chrono::steady_clock::now();
  BatchRun r = batch({plan.string()});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_LT(took, 30s) << "the child's start lines restarted the test's clock";
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(names(e), (std::vector<std::string>{"Busy.RunsChildrenForever", "Busy.After"})) << e.dump(2);
  const json& hang = *find_test(e, "Busy.RunsChildrenForever");
  EXPECT_EQ(hang["result"], "TIMEOUT");
  std::string message = hang["message"];
  EXPECT_EQ(message.rfind("timed out: this test ran longer than test_timeout (3.00 s) and the binary was stopped", 0),
            0u)
      << message;
  EXPECT_LT(hang["duration_s"].get<double>(), 30.0) << hang.dump(2);
  EXPECT_EQ((*find_test(e, "Busy.After"))["result"], "PASS");
  ASSERT_EQ(e["attempts"].size(), 2u) << e.dump(2);
  EXPECT_EQ(e["attempts"][0]["stopped_for"], "test_timeout");
}

TEST_F(GtestNestedOutputE2E, AFakeStartLineNamingARealTestBlamesTheTestThatCrashedAndKeepsItsOutput) {
  BatchRun r = batch({exe("e2e_impostor")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(names(e),
            (std::vector<std::string>{"Impostor.Before", "Impostor.PrintsARealNameAndCrashes", "Impostor.Real"}))
      << e.dump(2);
  const json* crash = find_test(e, "Impostor.PrintsARealNameAndCrashes");
  ASSERT_TRUE(crash) << e.dump(2);
  EXPECT_EQ((*crash)["result"], "CRASH") << e.dump(2);
  std::string message = (*crash)["message"];
  EXPECT_EQ(message.rfind("the test binary was killed by SIGSEGV during this test", 0), 0u) << message;
  // All it printed, the fake line and what came after it included.
  EXPECT_NE(message.find("before the fake line\n[ RUN      ] Impostor.Real\nafter the fake line"), std::string::npos)
      << message;
  const json* real = find_test(e, "Impostor.Real");
  ASSERT_TRUE(real) << e.dump(2);
  EXPECT_EQ((*real)["result"], "PASS") << e.dump(2);
  EXPECT_EQ(e["attempts"].size(), 2u) << e.dump(2);
}

TEST_F(GtestNestedOutputE2E, ItsOwnBinaryRunAgainAsAChildNamesNoResultAndTheParentsTestIsBlamed) {
  BatchRun r = batch({exe("e2e_self_exec")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(names(e), (std::vector<std::string>{"SelfExec.Before", "SelfExec.RunsItselfThenAborts", "SelfExec.Listed"}))
      << e.dump(2);
  const json* crash = find_test(e, "SelfExec.RunsItselfThenAborts");
  ASSERT_TRUE(crash) << e.dump(2);
  EXPECT_EQ((*crash)["result"], "CRASH") << e.dump(2);
  std::string message = (*crash)["message"];
  EXPECT_EQ(message.rfind("the test binary was killed by SIGABRT", 0), 0u) << message;
  EXPECT_NE(message.find("the child passed; now aborting"), std::string::npos) << message;
  // SelfExec.Listed is the binary's own run of it (the resume), not the child's.
  const json* listed = find_test(e, "SelfExec.Listed");
  ASSERT_TRUE(listed) << e.dump(2);
  EXPECT_EQ((*listed)["result"], "PASS");
  EXPECT_EQ((*listed)["attempt"], 2) << e.dump(2);
}

TEST_F(GtestNestedOutputE2E, TheTwinOfATestThatCrashedIsNotRunAndSaysAFilterCannotTellThemApart) {
  BatchRun r = batch({exe("e2e_twin_crash")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(names(e), (std::vector<std::string>{"Twin.Same", "Twin.Same", "Twin.After"})) << e.dump(2);
  ASSERT_EQ(e["tests"].size(), 3u) << e.dump(2);
  EXPECT_EQ(e["tests"][0]["result"], "CRASH") << e.dump(2);
  // Not SKIPPED ("exited without running it"): the resume could not ask for it.
  EXPECT_EQ(e["tests"][1]["result"], "UNRESOLVED") << e.dump(2);
  std::string why = e["tests"][1].value("message", "");
  EXPECT_NE(why.find("cannot tell"), std::string::npos) << why;
  EXPECT_EQ(e["tests"][2]["result"], "PASS") << e.dump(2);
}

TEST_F(GtestNestedOutputE2E, AMainThatRunsAllTestsTwicePassesAsUnderCtestWithoutTheEventStream) {
  BatchRun r = batch({exe("e2e_run_twice"), "--verbose"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "PASS") << e.dump(2);
  for (const auto& t : e["tests"]) EXPECT_EQ(t["result"], "PASS") << e.dump(2);
  std::string warnings = e["warnings"].dump();
  EXPECT_NE(warnings.find("more than once"), std::string::npos) << warnings;
  // The second process is what it was: the binary again without the stream,
  // not a resume after a death (issue 18 leftover 3).
  ASSERT_EQ(e["attempts"].size(), 2u) << e.dump(2);
  EXPECT_EQ(e["attempts"][0]["kind"], "first");
  EXPECT_EQ(e["attempts"][1]["kind"], "without-stream");
  std::string reason = e["reason"];
  EXPECT_EQ(reason.find("resumed"), std::string::npos) << reason;
  EXPECT_NE(reason.find("run again without GoogleTest's event stream"), std::string::npos) << reason;
  EXPECT_EQ(r.output.find("died"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("resuming"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("running it again without the stream"), std::string::npos) << r.output;
  std::string xml = read_text(dir_ / "reports" / "junit.xml");
  EXPECT_EQ(xml.find("livegui.resumes"), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"livegui.attempt_kinds\" value=\"first,without-stream\""), std::string::npos) << xml;
  std::string html = read_text(dir_ / "reports" / "report.html");
  EXPECT_NE(html.find("run again without GoogleTest&#39;s event stream"), std::string::npos);
}

TEST_F(GtestNestedOutputE2E, ATestThatPrintsItsOwnEndLineAndHangsIsStoppedByTestTimeout) {
  // Issue 18 leftover 2: the per-test clock follows GoogleTest's event
  // stream, so a printed "[       OK ]" for itself does not stop it.
  fs::path plan = dir_ / "plan.toml";
  std::ofstream(plan) << "[[tiers]]\nname = \"t\"\ntimeout = \"120s\"\ntest_timeout = \"2s\"\n\n"
                      << "[[tiers.entries]]\nexecutable = \"" << exe("e2e_fake_ok") << "\"\n";
  auto t0 = std::chrono::steady_clock::now();
  BatchRun r = batch({plan.string()});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 20s) << r.output;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json& e = doc["entries"][0];
  EXPECT_EQ(names(e), (std::vector<std::string>{"FakeEnd.Before", "FakeEnd.PrintsItsOwnOkThenHangs", "FakeEnd.After"}))
      << e.dump(2);
  const json* hung = find_test(e, "FakeEnd.PrintsItsOwnOkThenHangs");
  ASSERT_TRUE(hung) << e.dump(2);
  EXPECT_EQ((*hung)["result"], "TIMEOUT") << e.dump(2);
  EXPECT_NE((*hung)["message"].get<std::string>().find("test_timeout"), std::string::npos) << hung->dump(2);
  EXPECT_EQ((*find_test(e, "FakeEnd.After"))["result"], "PASS") << e.dump(2);
  ASSERT_EQ(e["attempts"].size(), 2u) << e.dump(2);
  EXPECT_EQ(e["attempts"][0]["stopped_for"], "test_timeout") << e.dump(2);
  EXPECT_EQ(e["attempts"][1]["kind"], "resume");
}

}  // namespace
}  // namespace livegui::test_support
