// Facts about processes read from /proc (common/proc_info).
#include "common/proc_info.hpp"

#include <poll.h>
#include <sys/prctl.h>
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

TEST(ProcInfo, ReadProcStatTakesTheNameToTheLastParenthesisAndTheFieldsAfterIt) {
  // comm may hold spaces and parentheses; the fields after it are counted from the last ')'.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::prctl(PR_SET_NAME, "a) b (c");
    (void)!::write(ready[1], "x", 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  pollfd p{ready[0], POLLIN, 0};
  char c = 0;
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  auto st = read_proc_stat(child);
  auto self = read_proc_stat(::getpid());
  ::kill(child, SIGKILL);  // our own child, not yet reaped: its pid cannot be anyone else's
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->pid, child);
  EXPECT_EQ(st->comm, "a) b (c");
  EXPECT_TRUE(st->state == 'S' || st->state == 'R') << st->state;
  EXPECT_EQ(st->ppid, ::getpid());
  EXPECT_EQ(st->pgid, ::getpgrp());
  ASSERT_TRUE(self);
  EXPECT_GE(st->start_time, self->start_time) << "a child starts after its parent";
  EXPECT_GT(self->start_time, 0u);
  EXPECT_FALSE(read_proc_stat(0));
}

}  // namespace
}  // namespace livegui
