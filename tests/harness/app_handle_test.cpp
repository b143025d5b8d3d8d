// AppHandle policy with a fake launcher: when it starts, respawns, refuses,
// gives up, what it records and says. No processes, no HTTP.
#include "harness/app_handle.hpp"

#include <signal.h>
#include <unistd.h>

#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/proc_info.hpp"
#include "harness/state_file_lock.hpp"
#include "tests/harness/fake_launcher.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test_support::FakeLauncher;
using test_support::FakeWorld;
using test_support::TempDir;
using ::testing::HasSubstr;

class AppHandlePolicy : public ::testing::Test {
 protected:
  AppSpec spec(RespawnPolicy policy = RespawnPolicy::OnDeathAndDegraded) {
    AppSpec s;
    s.executable = livegui::test_support::binary("tests/support/fake_app");
    s.state_file = dir_ / "state" / "aut-state.json";
    s.log_dir = dir_ / "logs";
    s.respawn = policy;
    return s;
  }
  std::unique_ptr<AppHandle> handle(AppSpec s) {
    return std::make_unique<AppHandle>(std::move(s), std::make_unique<FakeLauncher>(world_));
  }
  std::unique_ptr<AppHandle> handle(RespawnPolicy policy = RespawnPolicy::OnDeathAndDegraded) {
    return handle(spec(policy));
  }
  StateFile state() {
    auto s = read_state_file(dir_ / "state" / "aut-state.json");
    if (!s) throw std::runtime_error("no state file");
    return *s;
  }

  TempDir dir_{"handle"};
  std::shared_ptr<FakeWorld> world_ = std::make_shared<FakeWorld>();
  const TestRef a_{"Suite", "A"};
  const TestRef b_{"Suite", "B"};
  const TestRef c_{"Other", "C"};
};

TEST_F(AppHandlePolicy, FirstEnsureReadyStartsAndRecordsIt) {
  auto h = handle();
  EXPECT_EQ(h->check().state, AutHealth::NotStarted);
  auto ev = h->ensure_ready(a_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Started);
  EXPECT_EQ(ev.reason, "never started");
  EXPECT_EQ(ev.pid, 1000);
  EXPECT_EQ(h->pid(), 1000);
  EXPECT_EQ(h->spawn_count(), 1);
  EXPECT_EQ(h->respawn_count(), 0);
  EXPECT_EQ(world_->calls, (std::vector<std::string>{"start 1"}));
  auto st = state();
  EXPECT_EQ(st.status, AutStatus::Healthy);
  ASSERT_TRUE(st.aut);
  EXPECT_EQ(st.aut->pid, 1000);
  EXPECT_EQ(st.aut->log_file, (dir_ / "logs" / "aut-1.log").string());
  EXPECT_EQ(st.spawn_count, 1);
  EXPECT_EQ(st.last_respawn_reason, "never started");
  ASSERT_TRUE(st.current_test);
  EXPECT_EQ(st.current_test->full(), "Suite.A");
  EXPECT_EQ(st.owner.pid, ::getpid());
}

TEST_F(AppHandlePolicy, AHealthyAutServesTheNextTest) {
  auto h = handle();
  h->ensure_ready(a_);
  h->test_finished(a_);
  auto ev = h->ensure_ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::AlreadyReady);
  EXPECT_EQ(ev.pid, 1000);
  EXPECT_EQ(world_->starts, 1);
  EXPECT_TRUE(h->check().healthy());
}

TEST_F(AppHandlePolicy, ADeathDuringATestIsAttributedAndRespawned) {
  auto h = handle();
  h->ensure_ready(a_);
  world_->kill(ExitStatus::killed(SIGABRT, true));
  auto died = h->test_finished(a_);
  ASSERT_TRUE(died);
  EXPECT_EQ(died->brief(), "SIGABRT");
  auto st = state();
  EXPECT_EQ(st.status, AutStatus::Dead);
  ASSERT_TRUE(st.last_exit);
  EXPECT_EQ(st.last_exit->pid, 1000);
  EXPECT_EQ(st.last_exit->during_test, "Suite.A");
  EXPECT_TRUE(st.last_exit->signaled);
  EXPECT_EQ(st.last_exit->signal, SIGABRT);
  EXPECT_FALSE(st.current_test);

  h->test_started(b_);  // the listener's OnTestStart comes first
  auto ev = h->ensure_ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_EQ(ev.old_pid, 1000);
  EXPECT_EQ(ev.pid, 1001);
  EXPECT_EQ(ev.reason, "AUT pid 1000 died during Suite.A (killed by SIGABRT (core dumped))");
  EXPECT_EQ(ev.replaced, AutHealth::Dead);
  EXPECT_EQ(ev.cause_detail, "SIGABRT");
  EXPECT_THAT(ev.summary(), ::testing::StartsWith("[livegui] AUT pid 1000 died during Suite.A (SIGABRT); "
                                                  "respawned for Suite.B as pid 1001 in "));
  EXPECT_THAT(ev.summary(), ::testing::EndsWith(" s"));
  EXPECT_EQ(ev.respawn_count, 1);
  EXPECT_EQ(h->respawn_count(), 1);
  ASSERT_TRUE(h->last_respawn());
  EXPECT_EQ(h->last_respawn()->reason, ev.reason);
  EXPECT_EQ(world_->calls, (std::vector<std::string>{"start 1", "stop signals", "start 2"}));
  st = state();
  EXPECT_EQ(st.status, AutStatus::Healthy);
  EXPECT_EQ(st.spawn_count, 2);
  EXPECT_EQ(st.aut->pid, 1001);
  EXPECT_EQ(st.aut->log_file, (dir_ / "logs" / "aut-2.log").string());
  EXPECT_EQ(st.last_respawn_reason, ev.reason);
  EXPECT_EQ(st.last_exit->during_test, "Suite.A");  // kept until the next death
  EXPECT_EQ(st.current_test->full(), "Suite.B");
}

TEST_F(AppHandlePolicy, ADeathSeenOnlyAtTheNextTestIsBlamedOnThePreviousOne) {
  auto h = handle();
  h->ensure_ready(a_);
  world_->kill(ExitStatus::exited(3));
  auto ev = h->ensure_ready(b_);  // no listener: nobody looked in between
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_EQ(ev.during_test, "Suite.A");
  EXPECT_EQ(ev.reason, "AUT pid 1000 died during Suite.A (exit code 3)");
  EXPECT_EQ(ev.replaced, AutHealth::Dead);
  EXPECT_EQ(ev.cause_detail, "exit code 3");
  EXPECT_THAT(ev.summary(), HasSubstr("(exit code 3); respawned for Suite.B"));
}

TEST_F(AppHandlePolicy, AStallThatBeganWhileNoTestUsedTheAutIsBlamedOnItsLastUserNotOnATestThatNeverTouchedIt) {
  // TSan run of PytestStallAtTheEndOfATest: test A hangs the app, which
  // draws one more frame after A ended; B never asks for the AUT; C finds the
  // stall. B was blamed (the newest test that ended after the last frame).
  AppSpec s = spec();
  s.heartbeat_threshold = 100ms;
  auto h = handle(std::move(s));
  h->test_started(a_);
  h->ensure_ready(a_);
  h->test_finished(a_);
  const auto a_ended = std::chrono::steady_clock::now();
  // Time passes between the tests' ends (what the frame's age is placed
  // against), not a wait for anything.
  std::this_thread::sleep_for(200ms);
  h->test_started(b_);  // no ensure_ready: B does not use the AUT
  h->test_finished(b_);
  std::this_thread::sleep_for(200ms);
  h->test_started(c_);
  {
    std::lock_guard lock(world_->mutex);
    // The last frame: 100 ms after A ended, before B ended.
    world_->health.last_frame_age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - (a_ended + 100ms))
                                           .count();
    world_->advance_frames = false;
  }
  auto ev = h->ensure_ready(c_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_THAT(ev.reason, HasSubstr("degraded during Suite.A")) << ev.reason;
}

TEST_F(AppHandlePolicy, ADegradedAutIsReplacedWithoutAGracefulRequest) {
  auto h = handle();
  h->ensure_ready(a_);
  world_->degrade({"assertion failed: x > 0 (frame 12)", "io pool shut down: cannot schedule new work"});
  auto c = h->check();
  EXPECT_EQ(c.state, AutHealth::Degraded);
  EXPECT_EQ(state().status, AutStatus::Degraded);
  EXPECT_EQ(state().degraded_reasons.size(), 2u);
  h->test_finished(a_);
  auto ev = h->ensure_ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_EQ(ev.reason,
            "AUT pid 1000 degraded during Suite.A: assertion failed: x > 0 (frame 12); io pool shut down: cannot "
            "schedule new work");
  EXPECT_EQ(ev.replaced, AutHealth::Degraded);
  EXPECT_EQ(ev.cause_detail, "assertion failed: x > 0 (frame 12); io pool shut down: cannot schedule new work")
      << "the cause without its kind: no \"degraded: \" prefix to cut off";
  EXPECT_THAT(ev.summary(), HasSubstr("AUT pid 1000 degraded during Suite.A (assertion failed: x > 0 (frame 12);"));
  EXPECT_EQ(world_->graceful_stops, 0);
  EXPECT_EQ(state().status, AutStatus::Healthy);
  EXPECT_TRUE(state().degraded_reasons.empty());
}

TEST_F(AppHandlePolicy, TheStateFileIsWrittenOncePerTest) {
  // Each write is a new file renamed over the old one: a new inode.
  auto inode = [&] {
    struct stat st {};
    if (::stat((dir_ / "state" / "aut-state.json").c_str(), &st) != 0) return ino_t{0};
    return st.st_ino;
  };
  auto h = handle();
  h->test_started(a_);
  h->ensure_ready(a_);
  h->test_finished(a_);
  for (const TestRef& t : {b_, c_}) {
    const ino_t before = inode();
    h->test_started(t);  // the listener's OnTestStart
    const ino_t at_start = inode();
    EXPECT_NE(at_start, before) << t.full() << ": its start is recorded";
    EXPECT_EQ(state().current_test->full(), t.full());
    h->ensure_ready(t);  // LiveAppTest::SetUp: a healthy AUT, nothing to record
    EXPECT_EQ(inode(), at_start) << t.full() << ": ensure_ready on a healthy AUT rewrote the state file";
    h->test_finished(t);
    EXPECT_EQ(inode(), at_start) << t.full() << ": the end of a test alone is not written";
  }
  h->stop();
  EXPECT_FALSE(state().current_test) << "the owner's stop clears it";
}

TEST_F(AppHandlePolicy, ADegradedAutsStopOverlapsItsSuccessorsStart) {
  auto h = handle();  // port 0: the app picks its own
  h->ensure_ready(a_);
  world_->degrade({"assertion failed"});
  h->test_finished(a_);
  world_->calls.clear();
  auto ev = h->ensure_ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_EQ(world_->calls, (std::vector<std::string>{"retire", "start 2", "finish_retired"}))
      << "the old AUT is asked to stop, the new one started, then the old one's stop completed";
  EXPECT_FALSE(world_->retired);
  EXPECT_EQ(state().status, AutStatus::Healthy);
}

TEST_F(AppHandlePolicy, AFixedPortOrADeadAutIsStoppedBeforeTheNextStart) {
  {
    AppSpec s = spec();
    s.port = 45678;  // the successor needs the same port: no overlap
    auto h = handle(s);
    h->ensure_ready(a_);
    world_->degrade({"assertion failed"});
    world_->calls.clear();
    h->ensure_ready(b_);
    EXPECT_EQ(world_->calls, (std::vector<std::string>{"stop signals", "start 2"}));
  }
  world_->calls.clear();
  auto h = handle();
  h->ensure_ready(a_);
  world_->kill(ExitStatus::killed(SIGSEGV));
  world_->calls.clear();
  h->ensure_ready(b_);
  EXPECT_EQ(world_->calls, (std::vector<std::string>{"stop signals", "start 2"}))
      << "a dead AUT has nothing to overlap";
}

TEST_F(AppHandlePolicy, AFailedStartAfterARetireStillCompletesTheOldStop) {
  auto h = handle();
  h->ensure_ready(a_);
  world_->degrade({"assertion failed"});
  world_->start_results.push_back(StartError(StartFailure::DiedStarting, "died starting"));
  world_->calls.clear();
  EXPECT_THROW(h->ensure_ready(b_), StartError);
  EXPECT_EQ(world_->calls, (std::vector<std::string>{"retire", "start 2", "finish_retired"}));
  EXPECT_FALSE(world_->retired);
}

TEST_F(AppHandlePolicy, AStaleHeartbeatIsDegradedEvenWhenTheAppSaysOk) {
  auto h = handle();
  h->ensure_ready(a_);
  {
    std::lock_guard lock(world_->mutex);
    world_->health.last_frame_age_ms = 5000;
    world_->advance_frames = false;
  }
  auto c = h->check();
  EXPECT_EQ(c.state, AutHealth::Degraded);
  ASSERT_EQ(c.reasons.size(), 1u);
  EXPECT_THAT(c.reasons[0], HasSubstr("heartbeat stalled: no frame for 5000 ms (last frame"));
  auto ev = h->ensure_ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_THAT(ev.reason, HasSubstr("degraded during Suite.A: heartbeat stalled"));
}

// Issue 12 item 3: the listener's note quotes what the app reported ("ok"),
// and keeps what we observed (the stalled heartbeat) apart from it.
TEST_F(AppHandlePolicy, DiagnosticOfAStaleAppThatSaysOkQuotesItsStatus) {
  auto h = handle();
  h->ensure_ready(a_);
  {
    std::lock_guard lock(world_->mutex);
    world_->health.last_frame_age_ms = 5000;
    world_->advance_frames = false;
  }
  auto diag = h->degraded_diagnostic();
  EXPECT_THAT(diag, HasSubstr("stopped advancing frames 5.0 s ago"));
  EXPECT_THAT(diag, HasSubstr("app reports: status \"ok\""));
  EXPECT_THAT(diag, HasSubstr("observed: heartbeat stalled: no frame for 5000 ms"));
  EXPECT_THAT(diag, ::testing::Not(HasSubstr("app reports: \"heartbeat stalled")));
}

TEST_F(AppHandlePolicy, AFrameThatDoesNotAdvanceBetweenChecksIsDegraded) {
  auto s = spec();
  s.heartbeat_threshold = 1ms;
  auto h = handle(s);
  h->ensure_ready(a_);
  {
    std::lock_guard lock(world_->mutex);
    world_->health.last_frame_age_ms = 0;  // the app claims a fresh frame...
    world_->advance_frames = false;        // ...but it never changes
  }
  EXPECT_TRUE(h->check().healthy());
  // Let more than the threshold pass (observable: the clock), then look again.
  for (auto t = std::chrono::steady_clock::now(); std::chrono::steady_clock::now() - t < 5ms;) {}
  auto c = h->check();
  EXPECT_EQ(c.state, AutHealth::Degraded);
  ASSERT_FALSE(c.reasons.empty());
  EXPECT_THAT(c.reasons[0], HasSubstr("did not advance"));
}

TEST_F(AppHandlePolicy, AnUnreachableHookIsDegraded) {
  auto h = handle();
  h->ensure_ready(a_);
  {
    std::lock_guard lock(world_->mutex);
    world_->unreachable = "connection refused";
  }
  auto c = h->check();
  EXPECT_EQ(c.state, AutHealth::Degraded);
  EXPECT_THAT(c.describe(), HasSubstr("hook server unreachable on port"));
  EXPECT_THAT(c.describe(), HasSubstr("connection refused"));
}

TEST_F(AppHandlePolicy, ADiagnosticFromAClientsSightingNamesTheStacksWithoutProbingOrCapturing) {
  // issue 15: a stalled app must fail the client's call within about the
  // threshold; a second probe and a synchronous debugger run added seconds.
  auto h = handle();
  h->ensure_ready(a_);
  const int probes = world_->probes;
  ClientSighting seen;
  seen.unreachable = "GET /health got no answer (timed out; waited up to 1.0 s)";
  std::string text = h->degraded_diagnostic(seen);
  EXPECT_THAT(text, HasSubstr("subprocess degraded: AUT pid 1000"));
  EXPECT_THAT(text, HasSubstr("GET /health got no answer (timed out; waited up to 1.0 s)"));
  EXPECT_THAT(text, HasSubstr("; stacks: " + (dir_ / "logs" / "stacks-1000.txt").string()));
  EXPECT_EQ(world_->probes, probes) << "the client's sighting is not probed again";
  EXPECT_TRUE(world_->captures.empty()) << "the capture is deferred";
  EXPECT_EQ(state().status, AutStatus::Degraded) << "recorded as degraded";
  // The named stacks are written before the AUT goes, even when nobody asked.
  h->stop();
  EXPECT_EQ(world_->captures, (std::vector<std::string>{"port -1 after 0 stops"}))
      << "once, before the stop, without asking the app that did not answer";
}

TEST_F(AppHandlePolicy, DeferredStacksAreCapturedOnceOnRequest) {
  auto h = handle();
  h->ensure_ready(a_);
  world_->degrade({"io pool shut down"});
  ClientSighting seen;
  seen.health = world_->health;
  EXPECT_THAT(h->degraded_diagnostic(seen), HasSubstr("io pool shut down"));
  EXPECT_TRUE(world_->captures.empty());
  h->capture_deferred_stacks();
  h->capture_deferred_stacks();
  EXPECT_EQ(world_->captures,
            (std::vector<std::string>{"port " + std::to_string(world_->current.port) + " after 0 stops"}))
      << "an app that answers is asked for its own stacks first";
}

TEST_F(AppHandlePolicy, PolicyNeverFailsFastWithTheDiagnostic) {
  auto h = handle(RespawnPolicy::Never);
  h->ensure_ready(a_);
  world_->kill(ExitStatus::killed(SIGSEGV));
  h->test_finished(a_);
  for (const TestRef& t : {b_, c_}) {
    try {
      h->ensure_ready(t);
      FAIL() << "expected AutUnavailable";
    } catch (const AutUnavailable& e) {
      EXPECT_THAT(e.what(), HasSubstr("AUT pid 1000 died during Suite.A (killed by SIGSEGV)"));
      EXPECT_THAT(e.what(), HasSubstr("respawn policy is 'never'"));
      EXPECT_THAT(e.what(), HasSubstr(t.full()));
    }
  }
  EXPECT_EQ(world_->starts, 1);
}

TEST_F(AppHandlePolicy, PolicyPerSuiteStartsFreshForANewSuite) {
  auto h = handle(RespawnPolicy::PerSuite);
  EXPECT_EQ(h->ensure_ready(a_).kind, ReadyEvent::Kind::Started);
  h->test_finished(a_);
  EXPECT_EQ(h->ensure_ready(b_).kind, ReadyEvent::Kind::AlreadyReady);
  h->test_finished(b_);
  auto ev = h->ensure_ready(c_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Fresh);
  EXPECT_EQ(ev.reason, "fresh AUT for suite Other (respawn policy per_suite)");
  EXPECT_EQ(world_->graceful_stops, 1);  // a healthy AUT is asked to leave
  EXPECT_EQ(h->respawn_count(), 0);      // planned, not a respawn
  // Death still respawns within a suite.
  h->test_finished(c_);
  world_->kill(ExitStatus::killed(SIGKILL));
  EXPECT_EQ(h->ensure_ready({"Other", "D"}).kind, ReadyEvent::Kind::Respawned);
}

TEST_F(AppHandlePolicy, PolicyPerTestStartsFreshEveryTime) {
  auto h = handle(RespawnPolicy::PerTest);
  EXPECT_EQ(h->ensure_ready(a_).kind, ReadyEvent::Kind::Started);
  h->test_finished(a_);
  auto ev = h->ensure_ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Fresh);
  EXPECT_EQ(ev.reason, "fresh AUT for Suite.B (respawn policy per_test)");
  h->test_finished(b_);
  EXPECT_EQ(h->ensure_ready(c_).kind, ReadyEvent::Kind::Fresh);
  EXPECT_EQ(world_->starts, 3);
  EXPECT_EQ(h->spawn_count(), 3);
}

TEST_F(AppHandlePolicy, ConsecutiveFailedStartsAreCappedThenFailFast) {
  auto h = handle();
  for (int i = 0; i < 5; ++i)
    world_->start_results.push_back(
        StartError(StartFailure::DiedStarting, "starting app (pid 9): exit code 1 #" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) {
    try {
      h->ensure_ready(a_);
      FAIL() << "expected StartError";
    } catch (const StartError& e) {
      EXPECT_THAT(e.what(), HasSubstr("#" + std::to_string(i)));
      if (i == 2) {
        EXPECT_THAT(e.what(), HasSubstr("3 failed starts in a row: giving up"));
      }
    }
  }
  EXPECT_EQ(state().status, AutStatus::Dead);
  for (const TestRef& t : {b_, c_}) {
    try {
      h->ensure_ready(t);
      FAIL() << "expected AutUnavailable";
    } catch (const AutUnavailable& e) {
      EXPECT_THAT(e.what(), HasSubstr("its last 3 starts failed in a row"));
      EXPECT_THAT(e.what(), HasSubstr("#2"));
      EXPECT_THAT(e.what(), HasSubstr(t.full()));
    }
  }
  EXPECT_EQ(world_->failed_starts, 3);  // no more attempts after the cap
  EXPECT_THROW(h->start(), AutUnavailable);
}

TEST_F(AppHandlePolicy, ASuccessfulStartResetsTheFailureCount) {
  auto h = handle();
  world_->start_results = {StartError(StartFailure::Timeout, "t1"), StartError(StartFailure::Timeout, "t2"),
                           std::nullopt, StartError(StartFailure::Timeout, "t3"),
                           StartError(StartFailure::Timeout, "t4")};
  EXPECT_THROW(h->ensure_ready(a_), StartError);
  EXPECT_THROW(h->ensure_ready(a_), StartError);
  auto ev = h->ensure_ready(a_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Started);
  EXPECT_EQ(ev.reason, "never started");
  world_->kill(ExitStatus::killed(SIGABRT));
  EXPECT_THROW(h->ensure_ready(b_), StartError);
  try {
    h->ensure_ready(b_);
  } catch (const StartError& e) {
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("giving up")));
  }
  EXPECT_EQ(h->ensure_ready(b_).kind, ReadyEvent::Kind::Started);  // third try after two failures works
  // The retry carries the reason of the respawn it completes.
  EXPECT_THAT(state().last_respawn_reason, HasSubstr("AUT pid 1000 died"));
}

TEST_F(AppHandlePolicy, StopRecordsHowTheAutWasLeft) {
  {
    auto h = handle();
    h->ensure_ready(a_);
    h->test_finished(a_);
    h->stop();
    EXPECT_EQ(world_->graceful_stops, 1);
    EXPECT_EQ(state().status, AutStatus::Stopped);
    EXPECT_EQ(h->pid(), 0);
    EXPECT_EQ(h->ensure_ready(b_).reason, "AUT was stopped");
    world_->kill(ExitStatus::killed(SIGSEGV));
  }  // the destructor stops it: dead stays dead
  auto st = state();
  EXPECT_EQ(st.status, AutStatus::Dead);
  EXPECT_EQ(st.last_exit->status, "killed by SIGSEGV");
  EXPECT_TRUE(st.owner_ended);
  EXPECT_EQ(world_->stops, 2);
}

TEST_F(AppHandlePolicy, AnOwnerWhoseAutNeverStartedRecordsItsEndWhenStopped) {
  // Issue 11 item 3's converse: a standalone owner (livegui-aut, a test
  // binary) whose AUT never came up ends cleanly; the next run must not take
  // its file for a run that vanished during the test it names.
  auto h = handle();
  world_->start_results.push_back(StartError(StartFailure::DiedStarting, "starting app (pid 9): exit code 1"));
  EXPECT_THROW(h->ensure_ready(a_), StartError);
  StateFile before = state();
  EXPECT_EQ(before.status, AutStatus::Dead);
  EXPECT_FALSE(before.owner_ended);
  ASSERT_TRUE(before.current_test.has_value());
  h->stop();
  StateFile after = state();
  EXPECT_TRUE(after.owner_ended);
  EXPECT_EQ(after.status, AutStatus::Dead) << "what happened stays recorded";
  EXPECT_FALSE(after.current_test.has_value());
  // Starting again is a new life: the mark goes.
  EXPECT_EQ(h->ensure_ready(b_).kind, ReadyEvent::Kind::Started);
  EXPECT_FALSE(state().owner_ended);
}

TEST_F(AppHandlePolicy, AnOwnerWhoseAutDiedRecordsItsEndWhenStoppedKeepingTheDeath) {
  {
    auto h = handle();
    h->ensure_ready(a_);
    world_->kill(ExitStatus::killed(SIGSEGV));
    EXPECT_EQ(h->check().state, AutHealth::Dead);
  }  // the destructor's stop(): nothing left to stop
  auto st = state();
  EXPECT_TRUE(st.owner_ended);
  EXPECT_EQ(st.status, AutStatus::Dead);
  ASSERT_TRUE(st.last_exit.has_value());
  EXPECT_EQ(st.last_exit->status, "killed by SIGSEGV");
  EXPECT_EQ(st.last_exit->during_test, a_.full());
}

TEST_F(AppHandlePolicy, AHandleThatNeverWroteItsFileCreatesNoneWhenStopped) {
  { auto h = handle(); }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state" / "aut-state.json"));
}

TEST_F(AppHandlePolicy, ADegradedAutIsRecordedAsDegradedWhenStopped) {
  auto h = handle();
  h->ensure_ready(a_);
  world_->degrade({"main loop stalled: no frame for 1350 ms (last frame 5312)"});
  h->stop();
  auto st = state();
  EXPECT_EQ(st.status, AutStatus::Degraded);
  EXPECT_EQ(st.degraded_reasons,
            (std::vector<std::string>{"main loop stalled: no frame for 1350 ms (last frame 5312)"}));
  EXPECT_EQ(world_->graceful_stops, 0);
}

TEST_F(AppHandlePolicy, DegradedDiagnosticNamesPidReasonsAndTest) {
  auto h = handle();
  h->ensure_ready(a_);
  EXPECT_EQ(h->degraded_diagnostic(), "");
  world_->degrade({"io pool shut down: cannot schedule new work"});
  auto diag = h->degraded_diagnostic();
  EXPECT_THAT(diag, HasSubstr("1000"));
  EXPECT_THAT(diag, HasSubstr("io pool shut down"));
  world_->kill(ExitStatus::killed(SIGABRT));
  diag = h->degraded_diagnostic();
  EXPECT_THAT(diag, HasSubstr("SIGABRT"));
}

TEST_F(AppHandlePolicy, HookNeedsARunningAut) {
  auto h = handle();
  EXPECT_THROW(h->hook(), AutUnavailable);
  h->ensure_ready(a_);
  auto client = h->hook();
  ASSERT_TRUE(client);
  EXPECT_EQ(client.get(), h->hook().get());  // cached per AUT
}

TEST_F(AppHandlePolicy, AttachesToALiveAutOfAnotherOwnerAndLeavesItRunning) {
  // Record "ourselves" as the AUT: a live process with the right identity.
  StateFile recorded;
  auto me = self_identity();
  recorded.status = AutStatus::Healthy;
  recorded.aut = AutRecord{me.pid, ::getpgrp(), me.start_time, "/abs/app", 41234, (dir_ / "aut-7.log").string(), ""};
  recorded.owner = me;
  recorded.owner_name = "livegui-batch";
  recorded.spawn_count = 7;
  write_state_file(dir_ / "state" / "aut-state.json", recorded);

  auto h = AppHandle::attach_or_start(spec(), std::make_unique<FakeLauncher>(world_));
  EXPECT_FALSE(h->owns_aut());
  EXPECT_EQ(h->pid(), me.pid);
  EXPECT_EQ(h->port(), 41234);
  EXPECT_EQ(world_->attaches, 1);
  auto ev = h->ensure_ready(a_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::AlreadyReady);
  EXPECT_EQ(state().current_test->full(), "Suite.A");
  EXPECT_EQ(state().owner_name, "livegui-batch");
  h->test_finished(a_);
  h->stop();
  EXPECT_EQ(world_->stops, 0);
  EXPECT_EQ(world_->releases, 1);
  EXPECT_EQ(state().status, AutStatus::Healthy);  // still the batcher's, still running
  EXPECT_FALSE(state().current_test);
}

TEST_F(AppHandlePolicy, AGuestWhoseRunnerWentAwayMidTestLeavesThatTestRecorded) {
  // livegui-aut under a pytest that was killed during Suite.A: its end of
  // input is not the test's end, so the record keeps naming the test (the
  // next run's warning says "during Suite.A", not "between tests").
  StateFile recorded;
  auto me = self_identity();
  recorded.status = AutStatus::Healthy;
  recorded.aut = AutRecord{me.pid, ::getpgrp(), me.start_time, "/abs/app", 41234, "", ""};
  recorded.owner = me;
  recorded.owner_name = "livegui-batch";
  recorded.spawn_count = 2;
  write_state_file(dir_ / "state" / "aut-state.json", recorded);
  auto h = AppHandle::attach_or_start(spec(), std::make_unique<FakeLauncher>(world_));
  ASSERT_FALSE(h->owns_aut());
  h->ensure_ready(a_);
  h->stop(AppHandle::StopFor::RunnerGone);
  EXPECT_EQ(world_->releases, 1);
  EXPECT_EQ(world_->stops, 0);
  ASSERT_TRUE(state().current_test);
  EXPECT_EQ(state().current_test->full(), "Suite.A");
}

TEST_F(AppHandlePolicy, AnOwnerWhoseRunnerWentAwayMidTestStopsItsAutAndKeepsTheTest) {
  auto h = handle();
  h->ensure_ready(a_);
  h->stop(AppHandle::StopFor::RunnerGone);
  EXPECT_EQ(world_->stops, 1);
  EXPECT_TRUE(state().owner_ended);
  ASSERT_TRUE(state().current_test);
  EXPECT_EQ(state().current_test->full(), "Suite.A");
  // A runner that ends its tests and says "stop" leaves no running test.
  h.reset();  // (alive, it would still hold the file: TwoOwnersOfOneStateFileNeverWriteOneRecord)
  auto done = handle();
  done->ensure_ready(a_);
  done->stop();
  EXPECT_FALSE(state().current_test);
}

TEST_F(AppHandlePolicy, AGuestAttachesOnlyToTheAutOfTheRunThatStartedIt) {
  // Issue 11 item 1: under livegui-batch (LIVEGUI_AUT_OWNER), a record whose
  // owner is another run is neither used nor stopped.
  StateFile recorded;
  auto me = self_identity();
  recorded.status = AutStatus::Healthy;
  recorded.aut = AutRecord{me.pid, ::getpgrp(), me.start_time, "/abs/app", 41234, "", ""};
  recorded.owner = me;
  recorded.owner_name = "livegui-batch";
  recorded.spawn_count = 3;
  write_state_file(dir_ / "state" / "aut-state.json", recorded);
  const std::string ours = std::to_string(me.pid) + ":" + std::to_string(me.start_time);
  const std::string another = std::to_string(me.pid) + ":" + std::to_string(me.start_time + 1);
  for (const std::string& owner : {another, ours}) {
    SCOPED_TRACE(owner == ours ? "our run's AUT" : "another run's AUT");
    ::setenv("LIVEGUI_AUT_OWNER", owner.c_str(), 1);
    int attaches = world_->attaches;
    auto h = AppHandle::attach_or_start(spec(), std::make_unique<FakeLauncher>(world_));
    ::unsetenv("LIVEGUI_AUT_OWNER");
    if (owner == ours) {
      EXPECT_EQ(world_->attaches, attaches + 1);
      EXPECT_EQ(h->pid(), me.pid);
    } else {
      EXPECT_EQ(world_->attaches, attaches) << "attached to another run's AUT";
      EXPECT_EQ(h->pid(), 0);
    }
    EXPECT_EQ(world_->stops, 0) << "another run's AUT must never be stopped";
  }
}

TEST_F(AppHandlePolicy, AGuestThatFindsTheAutDeadRespawnsAndTakesOwnership) {
  StateFile recorded;
  auto me = self_identity();
  recorded.status = AutStatus::Healthy;
  recorded.aut = AutRecord{me.pid, ::getpgrp(), me.start_time, "/abs/app", 41234, "", ""};
  recorded.owner = ProcessIdentity{me.pid, me.start_time};
  recorded.owner_name = "livegui-batch";
  recorded.spawn_count = 7;
  write_state_file(dir_ / "state" / "aut-state.json", recorded);
  auto h = AppHandle::attach_or_start(spec(), std::make_unique<FakeLauncher>(world_));
  ASSERT_FALSE(h->owns_aut());
  world_->kill(ExitStatus::killed(SIGABRT));
  auto ev = h->ensure_ready(a_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_TRUE(h->owns_aut());
  EXPECT_EQ(world_->stops, 1);  // the dead one's group is cleaned up
  auto st = state();
  EXPECT_EQ(st.spawn_count, 8);  // the lineage continues
  EXPECT_EQ(st.owner.pid, ::getpid());
  EXPECT_NE(st.owner_name, "livegui-batch");
  EXPECT_EQ(st.aut->pid, ev.pid);
}

TEST_F(AppHandlePolicy, AGuestSaysHowItsDeadAutEndedAsTheAutsParentRecordedIt) {
  // Issue 12 item 1: a session guest is not the AUT's parent, so it cannot
  // tell how the AUT ended; the batcher (the parent) records it in the state
  // file. The guest keeps that record, and its respawn at the next test names
  // the test and the signal.
  StateFile recorded;
  auto me = self_identity();
  recorded.status = AutStatus::Healthy;
  recorded.aut = AutRecord{me.pid, ::getpgrp(), me.start_time, "/abs/app", 41234, "", ""};
  recorded.owner = me;
  recorded.owner_name = "livegui-batch";
  recorded.spawn_count = 1;
  write_state_file(dir_ / "state" / "aut-state.json", recorded);
  auto h = AppHandle::attach_or_start(spec(), std::make_unique<FakeLauncher>(world_));
  ASSERT_FALSE(h->owns_aut());
  h->ensure_ready(a_);
  {
    std::lock_guard lock(world_->mutex);
    world_->exit = AutExit{ExitStatus::exited(0), /*status_known=*/false};
  }
  h->test_finished(a_);
  // The parent reaps it and records the status (blaming its own pseudo-test).
  StateFile parents = state();
  parents.last_exit = ExitRecord{me.pid, "killed by SIGSEGV", true, 0, SIGSEGV, "livegui-batch.entry"};
  parents.status = AutStatus::Dead;
  write_state_file(dir_ / "state" / "aut-state.json", parents);
  auto ev = h->ensure_ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_EQ(ev.during_test, "Suite.A");
  EXPECT_THAT(ev.reason, HasSubstr("AUT pid " + std::to_string(me.pid) + " died during Suite.A (killed by SIGSEGV)"));
  EXPECT_EQ(ev.cause, "SIGSEGV");
  // The record the guest leaves keeps both: the test and the signal.
  ASSERT_TRUE(state().last_exit);
  EXPECT_EQ(state().last_exit->status, "killed by SIGSEGV");
  EXPECT_EQ(state().last_exit->during_test, "Suite.A");
  h->stop();
}

TEST_F(AppHandlePolicy, AStaleRecordIsNotAttachedTo) {
  StateFile recorded;
  auto me = self_identity();
  recorded.status = AutStatus::Healthy;
  // Our pid with another start time: the recorded AUT is gone and the pid reused.
  recorded.aut = AutRecord{me.pid, ::getpgrp(), me.start_time + 1, "/abs/app", 41234, "", ""};
  recorded.owner = me;
  recorded.spawn_count = 2;
  write_state_file(dir_ / "state" / "aut-state.json", recorded);
  auto h = AppHandle::attach_or_start(spec(), std::make_unique<FakeLauncher>(world_));
  EXPECT_EQ(world_->attaches, 0);
  EXPECT_EQ(h->pid(), 0);
  auto ev = h->ensure_ready(a_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Started);
  EXPECT_THAT(ev.reason, HasSubstr("is gone"));
  EXPECT_EQ(h->spawn_count(), 3);
  EXPECT_TRUE(h->owns_aut());
}

TEST_F(AppHandlePolicy, ACorruptStateFileMeansStartingOurOwn) {
  std::filesystem::create_directories(dir_ / "state");
  {
    std::ofstream out(dir_ / "state" / "aut-state.json");
    out << "{\"schema_version\": 1, \"status\": ";
  }
  ::chmod((dir_ / "state" / "aut-state.json").c_str(), 0600);
  auto h = AppHandle::attach_or_start(spec(), std::make_unique<FakeLauncher>(world_));
  auto ev = h->ensure_ready(a_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Started);
  EXPECT_THAT(ev.reason, HasSubstr("state file was unusable"));
  EXPECT_EQ(state().status, AutStatus::Healthy);  // rewritten, valid again
}

TEST_F(AppHandlePolicy, TwoOwnersOfOneStateFileNeverWriteOneRecord) {
  // Trial13b N1: two standalone owners (two pytest sessions by hand) shared
  // aut-state.json, each writing over the other's live record. The first
  // holds the file (its lock); the others record in files of their own.
  const fs::path shared = dir_ / "state" / "aut-state.json";
  auto first = handle();
  first->ensure_ready(a_);
  EXPECT_EQ(first->state_file(), shared);
  auto other_world = std::make_shared<FakeWorld>();
  auto second = std::make_unique<AppHandle>(spec(), std::make_unique<FakeLauncher>(other_world));
  second->ensure_ready(b_);
  auto third = std::make_unique<AppHandle>(spec(), std::make_unique<FakeLauncher>(std::make_shared<FakeWorld>()));
  third->ensure_ready(c_);
  const fs::path mine = dir_ / "state" / run_state_file_name(self_identity());
  const fs::path mine2 = dir_ / "state" / run_state_file_name(self_identity(), "-2");
  EXPECT_EQ(second->state_file(), mine);
  EXPECT_EQ(third->state_file(), mine2);
  EXPECT_EQ(state().current_test->full(), "Suite.A");  // the first's, untouched
  auto seconds = read_state_file(mine);
  ASSERT_TRUE(seconds && seconds->current_test);
  EXPECT_EQ(seconds->current_test->full(), "Suite.B");
  // Each file's lock is held while its owner lives.
  for (const auto& f : {shared, mine, mine2}) {
    const int fd = try_lock_file(lock_file_for(f));
    EXPECT_LT(fd, 0) << f;
    if (fd >= 0) ::close(fd);
  }
  // A clean end removes an own file and its lock; the shared record stays, stopped.
  second.reset();
  third.reset();
  EXPECT_FALSE(fs::exists(mine));
  EXPECT_FALSE(fs::exists(lock_file_for(mine)));
  EXPECT_FALSE(fs::exists(mine2));
  first->test_finished(a_);
  first.reset();
  EXPECT_EQ(state().status, AutStatus::Stopped);
  EXPECT_FALSE(fs::exists(lock_file_for(shared)));
}

TEST_F(AppHandlePolicy, ALiveOwnerThatTakesNoLockKeepsItsRecord) {
  // A record of a live owner that holds no lock (an older livegui, a tool
  // writing the file by hand) is not written over either.
  StateFile recorded;
  auto parent = read_proc_stat(::getppid());
  ASSERT_TRUE(parent);
  recorded.status = AutStatus::Healthy;
  recorded.owner = ProcessIdentity{::getppid(), parent->start_time};
  recorded.owner_name = parent->comm;
  write_state_file(dir_ / "state" / "aut-state.json", recorded);
  auto h = handle();
  h->ensure_ready(a_);
  EXPECT_EQ(h->state_file(), dir_ / "state" / run_state_file_name(self_identity()));
  EXPECT_EQ(state().owner, recorded.owner);
  EXPECT_FALSE(state().current_test);
}

TEST_F(AppHandlePolicy, IsSafeToUseFromSeveralThreads) {
  auto h = handle();
  h->ensure_ready(a_);
  std::vector<std::thread> threads;
  std::atomic<int> healthy{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (h->check().healthy()) ++healthy;
        (void)h->pid();
        (void)h->hook();
      }
    });
  for (int i = 0; i < 20; ++i) h->ensure_ready({"Suite", "T" + std::to_string(i)});
  for (auto& t : threads) t.join();
  EXPECT_EQ(healthy, 800);
}

}  // namespace
}  // namespace livegui
