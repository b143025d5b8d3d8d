#include "harness/subprocess.hpp"

#include <signal.h>

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "common/proc_info.hpp"
#include "common/text.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

SpawnOptions fake(std::vector<std::string> args, const std::filesystem::path& log = {}) {
  SpawnOptions opt;
  opt.executable = test_support::binary("tests/support/fake_app");
  opt.args = std::move(args);
  opt.output_file = log;
  return opt;
}

TEST(Subprocess, ReportsExitCodeAndOutput) {
  TempDir dir("subprocess");
  auto child = Subprocess::spawn(fake({"--print", "hello", "--stderr", "oops", "--exit", "3"}, dir / "out.log"));
  auto st = child.wait_for(10s);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(*st, ExitStatus::exited(3));
  EXPECT_EQ(st->describe(), "exit code 3");
  EXPECT_EQ(tail_file(dir / "out.log"), "hello\noops");
}

TEST(Subprocess, TellsSignalFromExitCode) {
  auto child = Subprocess::spawn(fake({"--signal", std::to_string(SIGTERM)}));
  auto st = child.wait_for(10s);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->signaled);
  EXPECT_EQ(st->signal, SIGTERM);
  EXPECT_EQ(st->describe(), "killed by SIGTERM");
  auto other = Subprocess::spawn(fake({"--exit", std::to_string(SIGTERM)}));
  EXPECT_EQ(other.wait_for(10s), ExitStatus::exited(SIGTERM));
}

TEST(Subprocess, LeadsItsOwnProcessGroup) {
  auto child = Subprocess::spawn(fake({}));
  auto st = read_proc_stat(child.pid());
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pgid, child.pid());
  EXPECT_EQ(st->start_time, child.start_time());
  EXPECT_TRUE(child.running());
  auto report = child.stop(2s, 2s);
  EXPECT_TRUE(report.sent_sigterm);
  EXPECT_FALSE(report.sent_sigkill);
  EXPECT_EQ(report.status, ExitStatus::killed(SIGTERM));
}

TEST(Subprocess, MissingExecutableIsASynchronousError) {
  SpawnOptions opt;
  opt.executable = "/nonexistent/app";
  try {
    Subprocess::spawn(opt);
    FAIL() << "expected SpawnError";
  } catch (const SpawnError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/app"), std::string::npos) << e.what();
  }
  TempDir dir("subprocess");
  std::ofstream(dir / "script") << "#!/bin/sh\n";
  opt.executable = dir / "script";  // exists, mode 0644
  EXPECT_THROW(Subprocess::spawn(opt), SpawnError);
}

TEST(Subprocess, AnExecTheKernelRefusesIsASynchronousError) {
  // Passes every check before the spawn (exists, executable) and fails only
  // in the child's execve (ENOEXEC): the child's errno must reach spawn()
  // under every runtime, ThreadSanitizer's fork-for-vfork included.
  TempDir dir("subprocess");
  std::ofstream(dir / "garbage") << "\x7f" << "not an ELF file, and no #! line\n";
  std::filesystem::permissions(dir / "garbage", std::filesystem::perms::owner_all);
  SpawnOptions opt;
  opt.executable = dir / "garbage";
  try {
    Subprocess::spawn(opt);
    FAIL() << "expected SpawnError";
  } catch (const SpawnError& e) {
    EXPECT_NE(std::string(e.what()).find("Exec format error"), std::string::npos) << e.what();
  }
}

TEST(Subprocess, HasExecdAndLeadsItsGroupWhenSpawnReturns) {
  // No window in which the child is still in our group (a killpg of its
  // group would miss it): checked at once, many times.
  for (int i = 0; i < 30; ++i) {
    auto child = Subprocess::spawn(fake({}));
    auto st = read_proc_stat(child.pid());
    ASSERT_TRUE(st.has_value());
    ASSERT_EQ(st->pgid, child.pid()) << "spawn " << i;
    ASSERT_EQ(st->comm, "fake_app") << "spawn " << i << ": not exec'd yet";
    child.stop(0ms, 2s);
  }
}

TEST(Subprocess, TheChildStartsWithDefaultSignalsButWhatTheCallerIgnoresOnPurpose) {
  // An ignored SIGPIPE (ours, for sockets) is not the child's; another
  // ignored signal is inherited, as exec(2) and posix_spawn do; a handler of
  // ours is reset by exec. Read in the child from /proc/self/status.
  struct sigaction ign {}, handler {}, old_pipe {}, old_usr1 {}, old_usr2 {};
  ign.sa_handler = SIG_IGN;
  handler.sa_handler = [](int) {};
  ASSERT_EQ(::sigaction(SIGPIPE, &ign, &old_pipe), 0);
  ASSERT_EQ(::sigaction(SIGUSR1, &handler, &old_usr1), 0);
  ASSERT_EQ(::sigaction(SIGUSR2, &ign, &old_usr2), 0);
  TempDir dir("subprocess");
  SpawnOptions opt;
  opt.executable = "/bin/cat";
  opt.args = {"/proc/self/status"};
  opt.output_file = dir / "status";
  auto child = Subprocess::spawn(opt);
  auto st = child.wait_for(10s);
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  ::sigaction(SIGUSR1, &old_usr1, nullptr);
  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  ASSERT_EQ(st, ExitStatus::exited(0));
  auto mask = [&](const std::string& field) {
    std::ifstream in(dir / "status");
    for (std::string line; std::getline(in, line);)
      if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1), nullptr, 16);
    return ~0ULL;
  };
  const auto bit = [](int sig) { return 1ULL << (sig - 1); };
  EXPECT_EQ(mask("SigIgn") & bit(SIGPIPE), 0u) << "the child inherited our ignored SIGPIPE";
  EXPECT_NE(mask("SigIgn") & bit(SIGUSR2), 0u) << "an ignored signal is inherited, as across exec";
  EXPECT_EQ(mask("SigCgt") & bit(SIGUSR1), 0u);
  EXPECT_EQ(mask("SigBlk"), 0u) << "the mask blocked around the clone leaked into the child";
}

TEST(Subprocess, WaitForIsBounded) {
  auto child = Subprocess::spawn(fake({}));
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(child.wait_for(50ms).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(Subprocess, StopEscalatesToSigkillAndTakesTheGrandchild) {
  TempDir dir("subprocess");
  auto child = Subprocess::spawn(fake({"--ignore-sigterm", "--grandchild", "--pidfile", (dir / "pids").string()}));
  pid_t pgid = child.pgid();
  // Wait for the pid file (bounded, back-off).
  pid_t self = 0, grandchild = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
    std::ifstream in(dir / "pids");
    if (in >> self >> grandchild) break;
    child.wait_for(5ms);
  }
  ASSERT_GT(grandchild, 0);
  auto report = child.stop(200ms, 5s);
  EXPECT_TRUE(report.sent_sigterm);
  EXPECT_TRUE(report.sent_sigkill);
  EXPECT_FALSE(report.stuck);
  EXPECT_EQ(report.status, ExitStatus::killed(SIGKILL));
  EXPECT_LT(report.took, 5s);
  auto left = test_support::leftover_processes({pgid});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(Subprocess, DestructorStopsTheGroup) {
  pid_t pgid = 0;
  {
    auto child = Subprocess::spawn(fake({"--grandchild"}));
    pgid = child.pgid();
  }
  auto left = test_support::leftover_processes({pgid});
  EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
}

TEST(Subprocess, EnvironmentAndCwd) {
  TempDir dir("subprocess");
  SpawnOptions opt;
  opt.executable = "sh";  // looked up in PATH
  opt.args = {"-c", "echo \"$LIVEGUI_X|$HOME_UNSET_ME|$(pwd)\""};
  opt.env_set = {{"LIVEGUI_X", "42"}, {"HOME_UNSET_ME", "x"}};
  opt.env_unset = {"HOME_UNSET_ME"};
  opt.env_set.erase("HOME_UNSET_ME");
  opt.cwd = dir.path();
  opt.output_file = dir / "out.log";
  auto child = Subprocess::spawn(opt);
  ASSERT_EQ(child.wait_for(10s), ExitStatus::exited(0));
  EXPECT_EQ(tail_file(dir / "out.log"), "42||" + std::filesystem::canonical(dir.path()).string());
}

}  // namespace
}  // namespace livegui
