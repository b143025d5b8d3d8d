// The gtest layer end to end: run live_demo (livegui::init + LiveAppTest) as
// a subprocess and check what it prints, records and leaves behind.
#include <fstream>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/proc_info.hpp"
#include "common/text.hpp"
#include "harness/app_handle.hpp"
#include "harness/state_file.hpp"
#include "harness/subprocess.hpp"
#include "hookclient/hook_client.hpp"
#include "tests/harness/sample_app_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;
using ::testing::HasSubstr;

struct Run {
  ExitStatus status;
  std::string output;
};

Run run_demo(const TempDir& dir, std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  SpawnOptions opt;
  opt.executable = test_support::binary("tests/harness/live_demo");
  opt.args = std::move(args);
  opt.args.push_back("--gtest_shuffle=0");
  opt.env_set = {{"LIVEGUI_STATE_FILE", (dir / "state.json").string()}, {"LIVEGUI_LOG_DIR", (dir / "logs").string()}};
  for (auto& [k, v] : env) opt.env_set[k] = v;
  opt.env_unset = {"GTEST_SHUFFLE",      "GTEST_FILTER",      "GTEST_REPEAT",     "GTEST_OUTPUT",
                   "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", "LIVEGUI_AUT_SCOPE"};
  if (env.count("LIVEGUI_AUT_SCOPE")) std::erase(opt.env_unset, "LIVEGUI_AUT_SCOPE");
  opt.output_file = dir / "demo.log";
  auto child = Subprocess::spawn(opt);
  auto status = child.wait_for(90s);
  Run run{status.value_or(ExitStatus::exited(-1)), tail_file(dir / "demo.log", 400)};
  if (!status) child.stop(1s, 2s);
  return run;
}

nlohmann::json test_result(const nlohmann::json& report, const std::string& name) {
  for (const auto& suite : report["testsuites"])
    for (const auto& t : suite["testsuite"])
      if (t["name"] == name) return t;
  return nullptr;
}

TEST(GtestIntegration, ADeadAutIsRespawnedForTheNextTestAndSaysSo) {
  TempDir dir("gtest");
  auto run = run_demo(dir, {"--gtest_filter=LiveRespawn.*", "--gtest_output=json:" + (dir / "r.json").string()});
  EXPECT_EQ(run.status, ExitStatus::exited(0)) << run.output;
  std::smatch m;
  const std::regex line(
      "\\[livegui\\] AUT pid (\\d+) died during LiveRespawn\\.A_KillsTheAut \\(SIGABRT\\); respawned for "
      "LiveRespawn\\.B_PassesOnAFreshAut as pid (\\d+) in [0-9]+\\.[0-9]+ s");
  ASSERT_TRUE(std::regex_search(run.output, m, line)) << run.output;
  pid_t first = std::stoi(m[1]), second = std::stoi(m[2]);
  EXPECT_NE(first, second);

  auto state = read_state_file(dir / "state.json");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, AutStatus::Stopped);
  EXPECT_EQ(state->spawn_count, 2);
  ASSERT_TRUE(state->last_exit);
  EXPECT_EQ(state->last_exit->pid, first);
  EXPECT_EQ(state->last_exit->during_test, "LiveRespawn.A_KillsTheAut");
  EXPECT_EQ(state->last_exit->status, "killed by SIGABRT");
  EXPECT_THAT(state->last_respawn_reason, HasSubstr("died during LiveRespawn.A_KillsTheAut"));
  EXPECT_FALSE(state->current_test);

  std::ifstream in(dir / "r.json");
  auto report = nlohmann::json::parse(in);
  auto a = test_result(report, "A_KillsTheAut");
  auto b = test_result(report, "B_PassesOnAFreshAut");
  EXPECT_EQ(a.value("aut_pid", ""), std::to_string(first));
  EXPECT_EQ(a.value("aut_died", ""), "killed by SIGABRT");
  EXPECT_EQ(b.value("aut_pid", ""), std::to_string(second));
  EXPECT_EQ(b.value("aut_respawns", ""), "1");
  EXPECT_THAT(b.value("aut_respawn_reason", ""), HasSubstr("died during LiveRespawn.A_KillsTheAut"));

  auto left = test_support::leftover_processes({first, second});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(GtestIntegration, AFailureWhileDegradedCarriesTheDiagnostic) {
  TempDir dir("gtest");
  auto run = run_demo(dir, {"--gtest_filter=LiveDegraded.*", "--gtest_also_run_disabled_tests",
                            "--gtest_output=json:" + (dir / "r.json").string()});
  EXPECT_EQ(run.status, ExitStatus::exited(1)) << run.output;
  EXPECT_THAT(run.output,
              HasSubstr("[livegui] the AUT was not healthy when LiveDegraded.DISABLED_FailsWhileDegraded failed"));
  EXPECT_THAT(run.output, HasSubstr("assertion failed"));
  EXPECT_THAT(run.output, HasSubstr("[  FAILED  ] LiveDegraded.DISABLED_FailsWhileDegraded"));
  // The fact livegui-batch's retry reads: the AUT was broken when the test failed.
  std::ifstream in(dir / "r.json");
  auto report = nlohmann::json::parse(in);
  auto t = test_result(report, "DISABLED_FailsWhileDegraded");
  EXPECT_THAT(t.value("aut_unhealthy", ""), HasSubstr("subprocess degraded")) << t.dump(2);
  auto state = read_state_file(dir / "state.json");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, AutStatus::Degraded);  // how the binary left it
  ASSERT_TRUE(state->aut);
  auto left = test_support::leftover_processes({state->aut->pgid});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

// Trial 16: under respawn "never", a test given no AUT because the one kept is
// degraded failed with "live_app_test.cpp:23: Failed" as its first line, the
// only line a report's summary shows. The first line now says why.
TEST(GtestIntegration, ATestGivenNoAutSaysWhyOnItsFailuresFirstLine) {
  TempDir dir("gtest");
  const auto spec_file = dir / "aut.toml";
  {
    std::ofstream out(spec_file);
    out << "executable = \"" << test_support::binary("sample_app/sample_app").string() << "\"\n"
        << "args = [\"--headless\", \"--enable-faults\"]\n"
        << "respawn = \"never\"\n"
        << "term_grace = \"1s\"\n";
  }
  auto run = run_demo(dir,
                      {"--gtest_filter=LiveKeptDegraded.*", "--gtest_also_run_disabled_tests",
                       "--gtest_output=json:" + (dir / "r.json").string()},
                      {{"LIVEGUI_AUT_SPEC", spec_file.string()}});
  EXPECT_EQ(run.status, ExitStatus::exited(1)) << run.output;
  std::ifstream in(dir / "r.json");
  auto report = nlohmann::json::parse(in);
  EXPECT_TRUE(test_result(report, "DISABLED_A_LeavesTheAutDegraded")["failures"].is_null()) << run.output;
  auto b = test_result(report, "DISABLED_B_GetsNoAut");
  ASSERT_TRUE(b["failures"].is_array() && !b["failures"].empty()) << b.dump(2);
  // gtest's failure text is "<file>:<line>\n<message>"; reports show the message's first line.
  std::string failure = b["failures"][0]["failure"].get<std::string>();
  std::string message = failure.substr(failure.find('\n') + 1);
  std::string first_line = message.substr(0, message.find('\n'));
  EXPECT_THAT(first_line, HasSubstr("[livegui] no healthy AUT for LiveKeptDegraded.DISABLED_B_GetsNoAut: AUT pid "))
      << failure;
  EXPECT_THAT(first_line, HasSubstr("degraded during LiveKeptDegraded.DISABLED_A_LeavesTheAutDegraded")) << failure;
  EXPECT_THAT(first_line, HasSubstr("assertion failed")) << failure;
  EXPECT_THAT(first_line, HasSubstr("the respawn policy is 'never'")) << failure;
  auto state = read_state_file(dir / "state.json");
  ASSERT_TRUE(state);
  ASSERT_TRUE(state->aut);
  auto left = test_support::leftover_processes({state->aut->pgid});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(GtestIntegration, ASpecFileWithAnAutHeaderRunsTheTests) {
  // A test binary run alone with LIVEGUI_AUT_SPEC naming the pytest
  // plugin's spec file ([aut] ...) aborted in init() ("aut: is not a known field").
  TempDir dir("gtest");
  const auto spec_file = dir / "aut.toml";
  std::ofstream(spec_file) << "[aut]\nexecutable = \"" << test_support::binary("sample_app/sample_app").string()
                           << "\"\nargs = [\"--headless\"]\nterm_grace = \"1s\"\n";
  auto run = run_demo(dir, {"--gtest_filter=LiveRespawn.B_PassesOnAFreshAut"}, {{"LIVEGUI_AUT_SPEC", spec_file.string()}});
  EXPECT_EQ(run.status, ExitStatus::exited(0)) << run.output;
  auto state = read_state_file(dir / "state.json");
  ASSERT_TRUE(state && state->aut) << run.output;
  EXPECT_EQ(state->aut->executable, test_support::binary("sample_app/sample_app").string());
  auto left = test_support::leftover_processes({state->aut->pgid});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(GtestIntegration, SessionScopeAttachesToTheRecordedAut) {
  TempDir dir("gtest");
  auto spec = test_support::sample_app_spec(dir);
  spec.state_file = dir / "state.json";
  AppHandle owner(spec);  // plays livegui-batch
  owner.ensure_ready({"Batch", "Entry"});
  owner.test_finished({"Batch", "Entry"});
  pid_t pid = owner.pid();

  auto run = run_demo(dir, {"--gtest_filter=LiveRespawn.B_PassesOnAFreshAut"}, {{"LIVEGUI_AUT_SCOPE", "session"}});
  EXPECT_EQ(run.status, ExitStatus::exited(0)) << run.output;
  EXPECT_THAT(run.output, ::testing::Not(HasSubstr("respawned")));
  // The test ran on the owner's AUT, which is still there and still the owner's.
  EXPECT_TRUE(owner.check().healthy());
  EXPECT_EQ(owner.pid(), pid);
  EXPECT_EQ(owner.hook()->value("counter"), 1);
  auto state = read_state_file(dir / "state.json");
  EXPECT_EQ(state->owner.pid, ::getpid());
  EXPECT_EQ(state->status, AutStatus::Healthy);
  pid_t pgid = owner.pgid();
  owner.stop();
  auto left = test_support::leftover_processes({pgid});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(GtestIntegration, SessionGuestThatKillsTheAutRespawnsAndTakesOwnership) {
  TempDir dir("gtest");
  auto spec = test_support::sample_app_spec(dir);
  spec.state_file = dir / "state.json";
  AppHandle owner(spec);
  owner.ensure_ready({"Batch", "Entry"});
  owner.test_finished({"Batch", "Entry"});
  pid_t old = owner.pgid();

  auto run = run_demo(dir, {"--gtest_filter=LiveRespawn.*"}, {{"LIVEGUI_AUT_SCOPE", "session"}});
  EXPECT_EQ(run.status, ExitStatus::exited(0)) << run.output;
  EXPECT_THAT(run.output, HasSubstr("[livegui] AUT pid " + std::to_string(old) +
                                    " died during LiveRespawn.A_KillsTheAut (exited); respawned for"));
  auto state = read_state_file(dir / "state.json");
  ASSERT_TRUE(state);
  EXPECT_NE(state->owner.pid, ::getpid());       // the test binary took over...
  EXPECT_EQ(state->status, AutStatus::Stopped);  // ...and stopped its AUT when done
  EXPECT_EQ(state->spawn_count, 2);
  ASSERT_TRUE(state->aut);
  auto left = test_support::leftover_processes({old, state->aut->pgid});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

}  // namespace
}  // namespace livegui
