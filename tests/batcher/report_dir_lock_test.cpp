#include "batcher/report_dir_lock.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <csignal>
#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/subprocess.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(BatcherReportDirLock, ASecondHolderIsRefusedAndToldWhoHoldsItUntilTheFirstLetsGo) {
  test_support::TempDir dir{"report-lock"};
  {
    ReportDirLock first(dir.path());
    ASSERT_TRUE(first.held());
    struct stat st {};
    ASSERT_EQ(::stat(dir.path().c_str(), &st), 0);
    EXPECT_EQ(flock_holder(st.st_dev, st.st_ino), ::getpid()) << "/proc/locks names us";
    try {
      ReportDirLock second(dir.path());  // another open file description: flock(2) refuses it
      FAIL() << "a second lock was taken";
    } catch (const ReportDirInUse& e) {
      EXPECT_THAT(e.what(), HasSubstr("the report directory " + dir.path().string() + " is in use by another run"));
      EXPECT_THAT(e.what(), HasSubstr("(pid " + std::to_string(::getpid()) + ") holds it"));
      EXPECT_THAT(e.what(), HasSubstr("their own --report-dir"));
    }
  }
  ReportDirLock again(dir.path());
  EXPECT_TRUE(again.held()) << "released when the first went";
}

TEST(BatcherReportDirLock, NoChildKeepsIt) {
  test_support::TempDir dir{"report-lock-exec"};
  std::optional<ReportDirLock> lock;
  lock.emplace(dir.path());
  // A child started while it is held (an entry, an orphan it leaves) does not
  // inherit it: once we let go, it is free although the child still runs.
  SpawnOptions spec;
  spec.executable = "/bin/sleep";
  spec.args = {"30"};
  Subprocess child = Subprocess::spawn(spec);
  lock.reset();
  EXPECT_NO_THROW(ReportDirLock(dir.path()));
  child.signal_group(SIGKILL);
  EXPECT_TRUE(child.wait_for(10s).has_value());
}

}  // namespace
}  // namespace livegui::batch
