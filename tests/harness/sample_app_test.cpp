// AppHandle against the real sample_app (headless): start, check, every
// fault, respawn, stop — each test ends with no process of the AUT's group
// (grandchildren included) left behind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/proc_info.hpp"
#include "harness/app_handle.hpp"
#include "harness/state_file.hpp"
#include "hookclient/hook_client.hpp"
#include "tests/harness/sample_app_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using test_support::eventually;
using test_support::sample_app_spec;
using test_support::TempDir;
using ::testing::HasSubstr;

class SampleApp : public ::testing::Test {
 protected:
  void TearDown() override {
    handle_.reset();
    auto left = test_support::leftover_processes(groups_);
    EXPECT_TRUE(left.empty()) << "left behind: " << test_support::describe_pids(left);
  }

  AppHandle& make(AppSpec spec) {
    handle_ = std::make_unique<AppHandle>(std::move(spec));
    return *handle_;
  }
  /// ensure_ready and remember the AUT's group for the leak check.
  ReadyEvent ready(const TestRef& test) {
    auto ev = handle_->ensure_ready(test);
    groups_.push_back(handle_->pgid());
    return ev;
  }
  void expect_group_gone(pid_t pgid) {
    EXPECT_TRUE(eventually([&] { return processes_in_group(pgid).empty(); }, 5s))
        << "group " << pgid << " still has " << test_support::describe_pids(processes_in_group(pgid));
  }
  StateFile state() { return *read_state_file(dir_ / "aut-state.json"); }

  TempDir dir_{"sample"};
  std::unique_ptr<AppHandle> handle_;
  std::vector<pid_t> groups_;
  const TestRef a_{"Faults", "A"};
  const TestRef b_{"Faults", "B"};
};

TEST_F(SampleApp, StartsChecksAndStopsGracefully) {
  auto& h = make(sample_app_spec(dir_));
  auto ev = ready(a_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Started);
  EXPECT_GT(h.port(), 0);
  EXPECT_EQ(read_proc_stat(h.pid())->pgid, h.pid());  // leads its own group
  EXPECT_LT(h.last_time_to_ready(), 10s);
  auto c = h.check();
  EXPECT_TRUE(c.healthy()) << c.describe();
  ASSERT_TRUE(c.health);
  EXPECT_EQ(c.health->pid, h.pid());
  EXPECT_EQ(h.hook()->value("project"), "untitled");
  auto st = state();
  EXPECT_EQ(st.status, AutStatus::Healthy);
  EXPECT_EQ(st.aut->port, h.port());
  EXPECT_TRUE(inspect_state(st).aut_is_ours());
  EXPECT_THAT(h.log_tail(), HasSubstr("LIVEGUI_HOOK_READY port=" + std::to_string(h.port())));

  auto report = h.stop();
  EXPECT_FALSE(report.sent_sigterm);  // POST /shutdown did it
  EXPECT_FALSE(report.sent_sigkill);
  EXPECT_EQ(report.status, ExitStatus::exited(0));
  EXPECT_EQ(state().status, AutStatus::Stopped);
  EXPECT_FALSE(inspect_state(state()).aut_alive);
}

TEST_F(SampleApp, AssertFaultIsDegradedThenRespawned) {
  auto& h = make(sample_app_spec(dir_));
  ready(a_);
  pid_t old = h.pid();
  h.hook()->inject_fault("assert");
  CheckResult c;
  ASSERT_TRUE(eventually([&] { return (c = h.check()).state == AutHealth::Degraded; }, 5s)) << c.describe();
  EXPECT_THAT(c.describe(), HasSubstr("assertion failed"));
  EXPECT_EQ(state().status, AutStatus::Degraded);
  auto diag = h.degraded_diagnostic();
  EXPECT_THAT(diag, HasSubstr(std::to_string(old)));
  EXPECT_THAT(diag, HasSubstr("assertion failed"));
  h.test_finished(a_);
  auto ev = ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_THAT(ev.reason, HasSubstr("AUT pid " + std::to_string(old) + " degraded during Faults.A: "));
  EXPECT_THAT(ev.reason, HasSubstr("assertion failed"));
  EXPECT_NE(h.pid(), old);
  expect_group_gone(old);
  EXPECT_TRUE(h.check().healthy());
}

struct DeathCase {
  const char* kind;
  const char* status;  // ExitStatus::describe() prefix
  const char* brief;
};

void PrintTo(const DeathCase& c, std::ostream* os) { *os << c.kind; }

class SampleAppDeath : public SampleApp, public ::testing::WithParamInterface<DeathCase> {};

TEST_P(SampleAppDeath, IsAttributedToTheTestAndRespawned) {
  auto& h = make(sample_app_spec(dir_));
  ready(a_);
  pid_t old = h.pid();
  test_support::inject_fatal(*h.hook(), GetParam().kind);
  auto exit = h.wait_for_exit(10s);
  ASSERT_TRUE(exit);
  EXPECT_THAT(exit->describe(), ::testing::StartsWith(GetParam().status));
  auto died = h.test_finished(a_);
  ASSERT_TRUE(died);
  auto st = state();
  EXPECT_EQ(st.status, AutStatus::Dead);
  EXPECT_EQ(st.last_exit->pid, old);
  EXPECT_EQ(st.last_exit->during_test, "Faults.A");
  EXPECT_EQ(h.check().state, AutHealth::Dead);

  auto ev = ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_THAT(ev.reason, HasSubstr("AUT pid " + std::to_string(old) + " died during Faults.A (" + GetParam().status));
  EXPECT_THAT(ev.summary(), HasSubstr(std::string("died during Faults.A (") + GetParam().brief +
                                      "); respawned for Faults.B as pid " + std::to_string(h.pid())));
  EXPECT_EQ(h.respawn_count(), 1);
  EXPECT_EQ(state().spawn_count, 2);
  expect_group_gone(old);
  EXPECT_TRUE(h.check().healthy());
}

INSTANTIATE_TEST_SUITE_P(Faults, SampleAppDeath,
                         ::testing::Values(DeathCase{"crash", "killed by SIGABRT", "SIGABRT"},
                                           DeathCase{"segv", "killed by SIGSEGV", "SIGSEGV"},
                                           DeathCase{"exit", "exit code 3", "exit code 3"}),
                         [](const auto& info) { return std::string(info.param.kind); });

TEST_F(SampleApp, HangIsDegradedByTheHeartbeatAndKilled) {
  auto& h = make(sample_app_spec(dir_));
  ready(a_);
  pid_t old = h.pid();
  h.hook()->inject_fault("hang");
  CheckResult c;
  ASSERT_TRUE(eventually([&] { return (c = h.check()).state == AutHealth::Degraded; }, 5s)) << c.describe();
  EXPECT_THAT(c.describe(), ::testing::AnyOf(HasSubstr("heartbeat stalled"), HasSubstr("main loop stalled")));
  auto ev = ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_THAT(ev.reason, HasSubstr("degraded during Faults.A"));
  expect_group_gone(old);
  // The hung app never acts on SIGTERM: the respawn paid the grace, boundedly.
  EXPECT_LT(ev.took, 10s);
}

TEST_F(SampleApp, SlowStartIsWaitedFor) {
  auto& h = make(sample_app_spec(dir_, {"--slow-start", "300"}));
  ready(a_);
  EXPECT_GE(h.last_time_to_ready(), 300ms);
  EXPECT_TRUE(h.check().healthy());
}

TEST_F(SampleApp, NotReadyInTimeIsAnErrorAndNothingIsLeft) {
  auto spec = sample_app_spec(dir_, {"--slow-start", "5000"});
  spec.ready_timeout = 200ms;
  auto& h = make(spec);
  auto t0 = std::chrono::steady_clock::now();
  try {
    h.ensure_ready(a_);
    FAIL() << "expected StartError";
  } catch (const StartError& e) {
    EXPECT_EQ(e.kind(), StartFailure::Timeout);
    EXPECT_THAT(e.what(), HasSubstr("not ready after 200 ms"));
    EXPECT_THAT(e.what(), HasSubstr("sample_app (pid "));
    EXPECT_THAT(e.what(), HasSubstr("LIVEGUI_HOOK_READY"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  auto st = state();
  groups_.push_back(st.aut ? st.aut->pgid : 0);
  EXPECT_EQ(st.status, AutStatus::Dead);
}

TEST_F(SampleApp, FailStartIsReportedAtOnceThenCapped) {
  auto spec = sample_app_spec(dir_, {"--fail-start"});
  spec.ready_timeout = 30s;
  spec.max_consecutive_failed_starts = 2;
  auto& h = make(spec);
  auto t0 = std::chrono::steady_clock::now();
  try {
    h.ensure_ready(a_);
    FAIL() << "expected StartError";
  } catch (const StartError& e) {
    EXPECT_EQ(e.kind(), StartFailure::DiedStarting);
    ASSERT_TRUE(e.exit());
    EXPECT_EQ(e.exit()->status, ExitStatus::exited(1));
    EXPECT_THAT(e.what(), HasSubstr("exited during startup with exit code 1"));
    EXPECT_THAT(e.what(), HasSubstr("last lines of"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);  // not the 30 s ready timeout
  EXPECT_THROW(h.ensure_ready(a_), StartError);
  t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(h.ensure_ready(b_), AutUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(state().spawn_count, 2);
}

TEST_F(SampleApp, IgnoredSigtermEndsInSigkillAfterTheGrace) {
  auto spec = sample_app_spec(dir_, {"--ignore-sigterm"});
  spec.shutdown_request = false;
  spec.term_grace = 300ms;
  auto& h = make(spec);
  ready(a_);
  auto report = h.stop();
  EXPECT_TRUE(report.sent_sigterm);
  EXPECT_TRUE(report.sent_sigkill);
  EXPECT_FALSE(report.stuck);
  EXPECT_EQ(report.status, ExitStatus::killed(SIGKILL));
  EXPECT_GE(report.took, 300ms);
  EXPECT_LT(report.took, 5s);
}

TEST_F(SampleApp, IgnoredSigtermStillLeavesOnShutdownRequest) {
  auto& h = make(sample_app_spec(dir_, {"--ignore-sigterm"}));
  ready(a_);
  auto report = h.stop();
  EXPECT_FALSE(report.sent_sigkill);
  EXPECT_EQ(report.status, ExitStatus::exited(0));
}

TEST_F(SampleApp, GrandchildrenDieWithTheGroup) {
  auto& h = make(sample_app_spec(dir_, {"--spawn-grandchild"}));
  ready(a_);
  pid_t pgid = h.pgid();
  std::int64_t grandchild = 0;
  ASSERT_TRUE(eventually([&] { return (grandchild = h.hook()->state().value("grandchild_pid", 0)) != 0; }, 5s));
  EXPECT_EQ(read_proc_stat(static_cast<pid_t>(grandchild))->pgid, pgid);
  h.stop();
  expect_group_gone(pgid);
  EXPECT_FALSE(read_proc_stat(static_cast<pid_t>(grandchild)).has_value() &&
               read_proc_stat(static_cast<pid_t>(grandchild))->state != 'Z');
}

TEST_F(SampleApp, RespawnAfterACrashTakesTheGrandchildToo) {
  auto& h = make(sample_app_spec(dir_));
  ready(a_);
  pid_t old = h.pgid();
  h.hook()->inject_fault("spawn-grandchild");
  ASSERT_TRUE(eventually([&] { return h.hook()->state().value("grandchild_pid", 0) != 0; }, 5s));
  test_support::inject_fatal(*h.hook(), "crash");
  ASSERT_TRUE(h.wait_for_exit(10s));
  EXPECT_EQ(processes_in_group(old).size(), 1u);  // the orphaned grandchild lives on...
  ready(b_);
  expect_group_gone(old);  // ...until the respawn stops what is left of the group
}

TEST_F(SampleApp, APortInUseIsNamedWithItsHolder) {
  // A listening socket of ours holds the port.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  auto spec = sample_app_spec(dir_);
  spec.port = port;
  auto& h = make(spec);
  try {
    h.ensure_ready(a_);
    FAIL() << "expected StartError";
  } catch (const StartError& e) {
    EXPECT_EQ(e.kind(), StartFailure::PortInUse);
    EXPECT_THAT(e.what(), HasSubstr("port " + std::to_string(port) + " on 127.0.0.1 is already in use"));
    EXPECT_THAT(e.what(), HasSubstr("held by pid " + std::to_string(::getpid())));
  }
  ::close(fd);
}

TEST_F(SampleApp, APortTheAppCannotBindIsNamed) {
  // Bound but not listening: nothing answers, yet the app's bind fails.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  auto spec = sample_app_spec(dir_);
  spec.port = port;
  auto& h = make(spec);
  try {
    h.ensure_ready(a_);
    FAIL() << "expected StartError";
  } catch (const StartError& e) {
    EXPECT_EQ(e.kind(), StartFailure::PortInUse) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("port " + std::to_string(port) + " is already in use"));
    EXPECT_THAT(e.what(), HasSubstr("exited during startup with exit code 2"));
  }
  ::close(fd);
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(SampleApp, PortFileReadiness) {
  auto spec = sample_app_spec(dir_);
  spec.readiness = Readiness::PortFile;
  auto& h = make(spec);
  ready(a_);
  EXPECT_GT(h.port(), 0);
  EXPECT_TRUE(h.check().healthy());
}

TEST_F(SampleApp, FixedPortReadinessWithToken) {
  auto spec = sample_app_spec(dir_);
  spec.readiness = Readiness::FixedPort;
  spec.port = free_port();
  spec.token = "s3cret-token";
  auto& h = make(spec);
  ready(a_);
  EXPECT_EQ(h.port(), spec.port);
  EXPECT_TRUE(h.check().healthy());
  h.hook()->click("increment");
  EXPECT_EQ(h.hook()->value("counter"), 1);
  // A client without the token is refused: the token really is required.
  HookClientOptions opt;
  opt.port = h.port();
  HookClient anonymous(opt);
  EXPECT_THROW(anonymous.state(), HookProtocolError);
}

TEST_F(SampleApp, HookClientFailsFastWithContextWhenTheAutDies) {
  auto& h = make(sample_app_spec(dir_));
  ready(a_);
  auto hook = h.hook();
  test_support::inject_fatal(*hook, "crash");
  auto t0 = std::chrono::steady_clock::now();
  try {
    hook->wait_until([](const nlohmann::json&) { return false; }, 20s, "something that never happens");
    FAIL() << "expected SubprocessDegraded";
  } catch (const SubprocessDegraded& e) {
    EXPECT_THAT(e.info().exit_status, HasSubstr("SIGABRT"));
    EXPECT_EQ(e.info().current_test, "Faults.A");
    EXPECT_THAT(e.info().log_file, HasSubstr("aut-1.log"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

// Issue 16: the AUT SIGSTOPped (its hook server silent too). The handle's
// client says "subprocess degraded" within about the heartbeat threshold for
// every call, with the harness's context; the stacks file it names is written
// later (by the time the AUT is stopped), not while the test waits.
TEST_F(SampleApp, HookClientOfAStoppedAutIsDegradedWithinTheThreshold) {
  AppSpec spec = sample_app_spec(dir_);
  spec.heartbeat_threshold = 1s;
  auto& h = make(spec);
  ready(a_);
  auto hook = h.hook();
  ASSERT_EQ(hook->value("counter"), 0);
  const pid_t pgid = h.pgid();  // the group this handle started and still owns
  ASSERT_EQ(::kill(-pgid, SIGSTOP), 0);
  struct Resume {
    pid_t pgid;
    ~Resume() { ::kill(-pgid, SIGCONT); }
  } resume{pgid};
  ASSERT_TRUE(eventually([&] { return all_threads_stopped(h.pid()); }, 5s));
  std::string stacks;
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"value", [&] { hook->value("counter"); }},
      {"click", [&] { hook->click("increment"); }},
      {"wait_until",
       [&] { hook->wait_until([](const nlohmann::json&) { return false; }, 60s, "something that never happens"); }},
  };
  for (const auto& [name, call] : calls) {
    SCOPED_TRACE(name);
    auto t0 = std::chrono::steady_clock::now();
    try {
      call();
      ADD_FAILURE() << name << " returned on a stopped AUT";
    } catch (const SubprocessDegraded& e) {
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
      std::cout << "[ figure ] SIGSTOPped AUT (harness client, threshold 1 s): " << name << " -> SubprocessDegraded in "
                << took.count() << " ms\n";
      EXPECT_LT(took, 3500ms) << e.what();
      EXPECT_EQ(e.info().cause, DegradedCause::Unreachable) << e.what();
      EXPECT_EQ(e.info().current_test, "Faults.A");
      EXPECT_THAT(e.what(), HasSubstr("no reply within 1.00 s"));
      EXPECT_THAT(e.info().stacks_file, HasSubstr("stacks-" + std::to_string(h.pid())));
      stacks = e.info().stacks_file;
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << " threw " << typeid(e).name() << " instead of SubprocessDegraded: " << e.what();
    }
  }
  ::kill(-pgid, SIGCONT);
  handle_.reset();  // stops the AUT; the deferred stacks are written first
  EXPECT_TRUE(std::filesystem::exists(stacks)) << stacks;
}

TEST_F(SampleApp, TwoOwnersSharingALogFolderKeepTheirOwnLogs) {
  // Two owners (two test binaries, two livegui-aut) with their own state
  // files and one log folder: each AUT gets a log of its own.
  auto first_spec = sample_app_spec(dir_);
  first_spec.state_file = dir_ / "first" / "aut-state.json";
  auto& first = make(first_spec);
  ready(a_);
  auto second_spec = sample_app_spec(dir_);
  second_spec.state_file = dir_ / "second" / "aut-state.json";
  AppHandle second(second_spec);
  second.ensure_ready(b_);
  groups_.push_back(second.pgid());

  EXPECT_EQ(first.log_file(), dir_ / "logs" / "aut-1.log");
  EXPECT_EQ(second.log_file(), dir_ / "logs" / "aut-2.log");
  EXPECT_THAT(first.log_tail(), HasSubstr("LIVEGUI_HOOK_READY port=" + std::to_string(first.port())));
  EXPECT_THAT(second.log_tail(), HasSubstr("LIVEGUI_HOOK_READY port=" + std::to_string(second.port())));
  EXPECT_THAT(first.log_tail(), ::testing::Not(HasSubstr("port=" + std::to_string(second.port()))));
  struct stat st {};
  ASSERT_EQ(::stat(second.log_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A respawn of the first owner takes the next free name, not the second's.
  test_support::inject_fatal(*first.hook(), "crash");
  ASSERT_TRUE(first.wait_for_exit(10s));
  first.test_finished(a_);
  auto ev = ready(b_);
  EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
  EXPECT_EQ(first.log_file(), dir_ / "logs" / "aut-3.log");
  EXPECT_THAT(second.log_tail(), ::testing::Not(HasSubstr("port=" + std::to_string(first.port()))));
  second.stop();
}

TEST_F(SampleApp, SessionGuestAttachesAndLeavesTheOwnersAut) {
  auto& owner = make(sample_app_spec(dir_));
  ready(a_);
  owner.test_finished(a_);
  pid_t pid = owner.pid();
  {
    auto spec = sample_app_spec(dir_);
    spec.state_file.clear();
    auto guest = AppHandle::attach_or_start(spec, dir_ / "aut-state.json");
    EXPECT_FALSE(guest->owns_aut());
    EXPECT_EQ(guest->pid(), pid);
    auto ev = guest->ensure_ready(b_);
    EXPECT_EQ(ev.kind, ReadyEvent::Kind::AlreadyReady);
    guest->hook()->click("increment");
    EXPECT_EQ(owner.hook()->value("counter"), 1);
    guest->test_finished(b_);
  }  // the guest goes away
  EXPECT_TRUE(owner.check().healthy());
  EXPECT_EQ(owner.pid(), pid);
}

TEST_F(SampleApp, SessionGuestRespawnsADegradedAutAndOwnsTheNewOne) {
  auto& owner = make(sample_app_spec(dir_));
  ready(a_);
  pid_t old = owner.pgid();
  owner.hook()->inject_fault("assert");
  ASSERT_TRUE(eventually([&] { return owner.check().state == AutHealth::Degraded; }, 5s));
  {
    auto guest = AppHandle::attach_or_start(sample_app_spec(dir_));
    ASSERT_FALSE(guest->owns_aut());
    auto ev = guest->ensure_ready(b_);
    EXPECT_EQ(ev.kind, ReadyEvent::Kind::Respawned);
    EXPECT_TRUE(guest->owns_aut());
    groups_.push_back(guest->pgid());
    expect_group_gone(old);
    auto st = state();
    EXPECT_EQ(st.owner.pid, ::getpid());
    EXPECT_EQ(st.aut->pid, guest->pid());
    EXPECT_EQ(st.spawn_count, 2);
  }  // the new owner stops its AUT
  EXPECT_EQ(state().status, AutStatus::Stopped);
}

// A session guest (livegui-aut or a test binary under --aut-scope session)
// is not the AUT's parent: it cannot know how the AUT ended. Its owner (the
// batcher) records the signal; the guest's answer for the test names it (it
// said "exited (status unknown: not our child)").
TEST_F(SampleApp, SessionGuestNamesTheSignalItsOwnerRecorded) {
  auto& owner = make(sample_app_spec(dir_));
  ready(a_);
  auto guest = AppHandle::attach_or_start(sample_app_spec(dir_));
  ASSERT_FALSE(guest->owns_aut());
  EXPECT_EQ(guest->ensure_ready(b_).kind, ReadyEvent::Kind::AlreadyReady);
  guest->test_started(b_);
  test_support::inject_fatal(*guest->hook(), "segv");
  auto seen = owner.wait_for_exit(10s);  // the parent reaps it and records the signal
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->describe(), "killed by SIGSEGV");
  ASSERT_TRUE(eventually([&] { return guest->check().state == AutHealth::Dead; }, 5s));
  EXPECT_EQ(guest->check().describe(), "dead: killed by SIGSEGV");
  auto died = guest->test_finished(b_);
  ASSERT_TRUE(died);
  EXPECT_EQ(died->describe(), "killed by SIGSEGV");
  EXPECT_EQ(died->brief(), "SIGSEGV");
  EXPECT_EQ(state().last_exit->status, "killed by SIGSEGV");
  EXPECT_EQ(state().last_exit->during_test, "Faults.B");
}

}  // namespace
}  // namespace livegui
