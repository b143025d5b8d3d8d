// The header the livegui_pytest plugin writes above its faulthandler dumps
// (batcher/run/python_stacks): it names the one process the batcher may
// signal, and anything else is refused.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "batcher/run/python_stacks.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

TEST(BatcherPythonStacks, TheHeaderNamesThePidAndStartTime) {
  auto h = parse_python_stacks_header("livegui_pytest: Python stacks of pid 4121 (start time 98765) on SIGUSR1");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->pid, 4121);
  EXPECT_EQ(h->start_time, 98765u);
}

TEST(BatcherPythonStacks, AnythingElseIsNoHeader) {
  for (const char* line : {"", "Thread 0x00007f (most recent call first):",
                           "livegui_pytest: Python stacks of pid 4121 (start time 98765) on SIGUSR2",
                           "livegui_pytest: Python stacks of pid 0 (start time 98765) on SIGUSR1",
                           "livegui_pytest: Python stacks of pid 4121 on SIGUSR1",
                           "livegui_pytest: Python stacks of pid 4121 (start time 98765) on SIGUSR1 extra"})
    EXPECT_FALSE(parse_python_stacks_header(line).has_value()) << line;
}

// A header naming a process that is not in the entry's group (here: this
// test process, whose SIGUSR1 would end it) is never signalled.
TEST(BatcherPythonStacks, AProcessOutsideTheEntrysGroupIsNotSignalled) {
  test_support::TempDir dir("python-stacks");
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  for (int i = 0; i < 20; ++i) fields >> field;  // field 22: start time
  std::ofstream(dir / "py.txt") << "livegui_pytest: Python stacks of pid " << ::getpid() << " (start time " << field
                                << ") on SIGUSR1\n";
  auto out = capture_python_stacks(dir / "py.txt", ::getpgrp() + 1, dir / "artifacts", std::chrono::milliseconds(100));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(std::filesystem::exists(dir / "py.txt"));
  EXPECT_TRUE(capture_python_stacks(dir / "missing.txt", ::getpgrp(), dir / "artifacts", std::chrono::milliseconds(100))
                  .empty());
}

// A header whose pid is in the entry's group but was reused (another start
// time) names a process that is not the entry's pytest: it is not signalled.
// Here the pid is this test process, whose default action for SIGUSR1 ends
// it: a signal sent would fail the test by killing it.
TEST(BatcherPythonStacks, AReusedPidInTheEntrysGroupIsNotSignalled) {
  test_support::TempDir dir("python-stacks-reused");
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  for (int i = 0; i < 20; ++i) fields >> field;  // field 22: start time
  std::ofstream(dir / "py.txt") << "livegui_pytest: Python stacks of pid " << ::getpid() << " (start time "
                                << std::stoull(field) + 1 << ") on SIGUSR1\n";
  auto out = capture_python_stacks(dir / "py.txt", ::getpgrp(), dir / "artifacts", std::chrono::milliseconds(100));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace livegui::batch
