// livegui-aut's request handling (harness/supervisor/aut_supervisor.hpp) over
// an AppHandle with the fake launcher: what each request does and answers.
#include "harness/supervisor/aut_supervisor.hpp"

#include <csignal>

#include <gtest/gtest.h>

#include "tests/harness/fake_launcher.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using nlohmann::json;
using test_support::FakeLauncher;
using test_support::FakeWorld;
using test_support::TempDir;

class AutSupervisorTest : public ::testing::Test {
 protected:
  AutSupervisorTest() {
    AppSpec s;
    s.executable = livegui::test_support::binary("tests/support/fake_app");
    s.state_file = dir_ / "state" / "aut-state.json";
    s.log_dir = dir_ / "logs";
    s.token = "t0k";
    sup_ = std::make_unique<AutSupervisor>(std::make_unique<AppHandle>(s, std::make_unique<FakeLauncher>(world_)));
  }
  TempDir dir_{"supervisor"};
  std::shared_ptr<FakeWorld> world_ = std::make_shared<FakeWorld>();
  std::unique_ptr<AutSupervisor> sup_;
};

TEST(AutSupervisorIds, NodeIdsBecomeTestRefsThatSpellTheNodeIdAgain) {
  TestRef r = test_ref_from_id("tests/live/test_x.py::TestC::test_a[1]");
  EXPECT_EQ(r.suite, "tests/live/test_x.py");
  EXPECT_EQ(r.name, "TestC::test_a[1]");
  EXPECT_EQ(r.syntax, TestIdSyntax::NodeId);
  EXPECT_EQ(r.full(), "tests/live/test_x.py::TestC::test_a[1]");
  EXPECT_EQ(test_ref_from_id("plain").full(), "plain");
}

TEST_F(AutSupervisorTest, EnsureStartsThenRespawnsADeadAutSayingWhy) {
  json first = sup_->handle({{"cmd", "ensure"}, {"test", "t.py::a"}});
  ASSERT_TRUE(first["ok"]) << first;
  EXPECT_EQ(first["kind"], "started");
  EXPECT_EQ(first["token"], "t0k");
  EXPECT_EQ(first["heartbeat_threshold_ms"], 1000);
  EXPECT_GT(first["pid"].get<int>(), 0);
  json finished = sup_->handle({{"cmd", "test_finished"}, {"test", "t.py::a"}});
  ASSERT_TRUE(finished["ok"]) << finished;
  EXPECT_TRUE(finished["died"].is_null());

  world_->kill(ExitStatus::killed(SIGABRT, true));
  json again = sup_->handle({{"cmd", "ensure"}, {"test", "t.py::b"}});
  ASSERT_TRUE(again["ok"]) << again;
  EXPECT_EQ(again["kind"], "respawned");
  EXPECT_EQ(again["old_pid"], first["pid"]);
  EXPECT_NE(again["reason"].get<std::string>().find("SIGABRT"), std::string::npos) << again;
  EXPECT_NE(again["summary"].get<std::string>().find("respawned"), std::string::npos) << again;
}

TEST_F(AutSupervisorTest, CheckReportsDegradationAndTheDiagnosticHasIt) {
  ASSERT_TRUE(sup_->handle({{"cmd", "ensure"}, {"test", "t.py::a"}})["ok"]);
  world_->degrade({"io pool shut down: cannot schedule new futures after shutdown"});
  json c = sup_->handle({{"cmd", "check"}});
  ASSERT_TRUE(c["ok"]) << c;
  EXPECT_EQ(c["state"], "degraded");
  EXPECT_NE(c["describe"].get<std::string>().find("cannot schedule new futures"), std::string::npos) << c;
  json d = sup_->handle({{"cmd", "diagnostic"}});
  EXPECT_NE(d["text"].get<std::string>().find("subprocess degraded"), std::string::npos) << d;
}

TEST_F(AutSupervisorTest, ADiagnosticOfWhatTheClientSawAnswersAtOnceAndTheNextRequestHasTheStacks) {
  json ready = sup_->handle({{"cmd", "ensure"}, {"test", "t.py::a"}});
  ASSERT_TRUE(ready["ok"]) << ready;
  world_->unreachable = "timed out";
  const int probes = world_->probes;
  json d = sup_->handle({{"cmd", "diagnostic"}, {"seen", {{"unreachable", "GET /health got no answer (timed out)"}}}});
  ASSERT_TRUE(d["ok"]) << d;
  const std::string text = d["text"];
  EXPECT_NE(text.find("GET /health got no answer (timed out)"), std::string::npos) << text;
  EXPECT_NE(text.find("; stacks: "), std::string::npos) << text;
  EXPECT_EQ(world_->probes, probes) << "no second probe of the app";
  // The capture runs in the background; the next request waits for it.
  json c = sup_->handle({{"cmd", "log_tail"}});
  ASSERT_TRUE(c["ok"]) << c;
  EXPECT_EQ(world_->captures.size(), 1u);
  json again = sup_->handle({{"cmd", "ensure"}, {"test", "t.py::b"}});
  ASSERT_TRUE(again["ok"]) << again;
  EXPECT_EQ(again["kind"], "respawned") << again;
  EXPECT_EQ(world_->captures.size(), 1u) << "once per stalled AUT";
}

TEST_F(AutSupervisorTest, ADiagnosticOfAHealthReadingJudgesIt) {
  ASSERT_TRUE(sup_->handle({{"cmd", "ensure"}, {"test", "t.py::a"}})["ok"]);
  json health = {{"protocol_version", 1},           {"app", "x"}, {"status", "degraded"},
                 {"pid", world_->current.pid},      {"frame", 7}, {"last_frame_age_ms", 12},
                 {"reasons", {"io pool shut down"}}};
  json d = sup_->handle({{"cmd", "diagnostic"}, {"seen", {{"health", health}}}});
  ASSERT_TRUE(d["ok"]) << d;
  EXPECT_NE(d["text"].get<std::string>().find("io pool shut down"), std::string::npos) << d;
  json bad = sup_->handle({{"cmd", "diagnostic"}, {"seen", {{"health", {{"frame", "x"}}}}}});
  ASSERT_TRUE(bad["ok"]) << bad;
}

TEST_F(AutSupervisorTest, BadRequestsAreRepliesNotExceptions) {
  EXPECT_FALSE(sup_->handle(json::array())["ok"]);
  EXPECT_FALSE(sup_->handle({{"cmd", 7}})["ok"]);
  json unknown = sup_->handle({{"cmd", "dance"}});
  EXPECT_FALSE(unknown["ok"]);
  EXPECT_NE(unknown["error"].get<std::string>().find("unknown cmd \"dance\""), std::string::npos);
  EXPECT_FALSE(sup_->handle({{"cmd", "ensure"}})["ok"]);
  EXPECT_FALSE(sup_->finished());
}

TEST_F(AutSupervisorTest, NeverPolicyRefusalIsMarkedUnavailable) {
  AppSpec s;
  s.executable = livegui::test_support::binary("tests/support/fake_app");
  s.state_file = dir_ / "state2" / "aut-state.json";
  s.respawn = RespawnPolicy::Never;
  AutSupervisor never(std::make_unique<AppHandle>(s, std::make_unique<FakeLauncher>(world_)));
  ASSERT_TRUE(never.handle({{"cmd", "ensure"}, {"test", "t.py::a"}})["ok"]);
  world_->kill(ExitStatus::exited(3));
  json r = never.handle({{"cmd", "ensure"}, {"test", "t.py::b"}});
  EXPECT_FALSE(r["ok"]) << r;
  EXPECT_TRUE(r.value("unavailable", false)) << r;
}

TEST_F(AutSupervisorTest, StopEndsTheSession) {
  ASSERT_TRUE(sup_->handle({{"cmd", "ensure"}, {"test", "t.py::a"}})["ok"]);
  json r = sup_->handle({{"cmd", "stop"}});
  EXPECT_TRUE(r["ok"]) << r;
  EXPECT_TRUE(sup_->finished());
  EXPECT_GE(world_->stops, 1) << "the AUT was stopped";
}

}  // namespace
}  // namespace livegui
