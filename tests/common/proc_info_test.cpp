// Facts about processes read from /proc (common/proc_info).
#include "common/proc_info.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <gtest/gtest.h>

#include "common/backoff.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;

// What cap_log's pause of an entry's process group waits for.
TEST(ProcInfo, AllThreadsStoppedOnlyOnceAProcessIsStoppedOrGone) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (;;) ::pause();
  }
  EXPECT_TRUE(poll_for([&] { return read_proc_stat(child) && read_proc_stat(child)->state == 'S'; }, 10s));
  EXPECT_FALSE(all_threads_stopped(child));
  ASSERT_EQ(::kill(child, SIGSTOP), 0);
  EXPECT_TRUE(poll_for([&] { return all_threads_stopped(child); }, 10s));
  ASSERT_EQ(::kill(child, SIGCONT), 0);
  EXPECT_TRUE(poll_for([&] { return !all_threads_stopped(child); }, 10s));
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  EXPECT_EQ(::waitpid(child, nullptr, 0), child);
  EXPECT_TRUE(all_threads_stopped(child)) << "a process that is gone writes nothing";
}

}  // namespace
}  // namespace livegui
