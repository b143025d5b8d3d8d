#include "harness/readiness.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

TEST(ReadyLine, ParsesTheProtocolLine) {
  auto r = parse_ready_line("LIVEGUI_HOOK_READY port=40123 pid=4121 protocol=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->port, 40123);
  EXPECT_EQ(r->pid, 4121);
  EXPECT_EQ(r->protocol, 1);
  r = parse_ready_line("LIVEGUI_HOOK_READY future=x port=80 extra");  // unknown keys ignored
  ASSERT_TRUE(r);
  EXPECT_EQ(r->port, 80);
}

TEST(ReadyLine, RejectsOtherLines) {
  EXPECT_FALSE(parse_ready_line(""));
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READY"));
  EXPECT_FALSE(parse_ready_line(" LIVEGUI_HOOK_READY port=1"));
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READYport=1"));
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READY port=0"));
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READY port=70000"));
  EXPECT_FALSE(parse_ready_line("LIVEGUI_HOOK_READY port=12ab"));
  EXPECT_FALSE(parse_ready_line("log: LIVEGUI_HOOK_READY port=1"));
}

class Readiness : public ::testing::Test {
 protected:
  ReadyResult run(std::vector<std::string> args, std::chrono::milliseconds timeout = 10s) {
    SpawnOptions opt;
    opt.executable = test_support::binary("tests/support/fake_app");
    opt.args = std::move(args);
    opt.output_file = dir_ / "out.log";
    child_ = Subprocess::spawn(opt);
    AppSpec spec;
    spec.ready_timeout = timeout;
    return wait_until_ready(child_, spec, dir_ / "out.log", {});
  }
  void TearDown() override {
    pid_t pgid = child_.pgid();
    child_.stop(std::chrono::milliseconds(200), std::chrono::seconds(2));
    auto left = test_support::leftover_processes({pgid});
    EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
  }
  TempDir dir_{"ready"};
  Subprocess child_;
};

TEST_F(Readiness, FindsTheLineAmongOtherOutput) {
  auto r = run({"--print", "starting up", "--delay-ms", "30", "--print",
                "LIVEGUI_HOOK_READY port=4242 pid=1 protocol=1", "--print", "after"});
  EXPECT_EQ(r.outcome, ReadyOutcome::Ready);
  EXPECT_EQ(r.port, 4242);
  EXPECT_LT(r.took, 5s);
}

TEST_F(Readiness, AChildExitingFirstIsReportedAtOnce) {
  auto r = run({"--print", "cannot start", "--delay-ms", "20", "--exit", "7"}, 30s);
  EXPECT_EQ(r.outcome, ReadyOutcome::Exited);
  EXPECT_LT(r.took, 5s);
  ASSERT_TRUE(child_.exit_status());
  EXPECT_EQ(*child_.exit_status(), ExitStatus::exited(7));
}

TEST_F(Readiness, SilenceTimesOut) {
  auto r = run({"--print", "LIVEGUI_HOOK_READ port=1"}, 150ms);
  EXPECT_EQ(r.outcome, ReadyOutcome::TimedOut);
  EXPECT_GE(r.took, 150ms);
  EXPECT_LT(r.took, 5s);
}

}  // namespace
}  // namespace livegui
