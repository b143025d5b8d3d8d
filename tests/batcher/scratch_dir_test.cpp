// Issue 11 item 6: no scratch directory unless needed; what a dead creator left is removed.
#include "batcher/scratch_dir.hpp"

#include <gtest/gtest.h>

#include "harness/state_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

namespace fs = std::filesystem;

TEST(BatcherScratchDir, IsCreatedOnlyWhenAskedForAndRemovedAtTheEnd) {
  test_support::TempDir parent{"scratch"};
  fs::path made;
  {
    ScratchDir scratch(parent.path());
    EXPECT_FALSE(scratch.created());
    EXPECT_TRUE(fs::is_empty(parent.path())) << "nothing is created before it is needed";
    made = scratch.path();
    ASSERT_FALSE(made.empty());
    EXPECT_TRUE(fs::is_directory(made));
    EXPECT_EQ(made.filename().string().rfind("livegui-batch-" + std::to_string(::getpid()) + "-", 0), 0u) << made;
  }
  EXPECT_FALSE(fs::exists(made));
}

TEST(BatcherScratchDir, WhatADeadCreatorLeftIsRemovedAndALiveOnesIsKept) {
  test_support::TempDir parent{"scratch"};
  fs::create_directories(parent / "livegui-batch-999999-7-abcdef" / "inside");  // creator gone
  fs::create_directories(parent / "livegui-batch-abcdef");                      // unnamed: not provably anyone's
  ScratchDir live(parent.path());
  fs::path mine = live.path();
  auto removed = remove_dead_scratch_dirs(parent.path());
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].filename(), "livegui-batch-999999-7-abcdef");
  EXPECT_FALSE(fs::exists(parent / "livegui-batch-999999-7-abcdef"));
  EXPECT_TRUE(fs::exists(mine)) << "a live run's scratch directory is its own";
  EXPECT_TRUE(fs::exists(parent / "livegui-batch-abcdef"));
}

TEST(BatcherScratchDir, ALiveCreatorsDirectoryIsKeptThoughItsPidNamesNothingHere) {
  // Two Bazel shards of livegui_plan_test (linux-sandbox: a pid namespace
  // each, one /dev/shm): each saw the other's directory named by a pid that
  // is not the other here, and removed it while the other ran (bazel.smoke
  // failed 1 run in 4).
  test_support::TempDir parent{"scratch"};
  ScratchDir scratch(parent.path());
  const fs::path made = scratch.path();
  ASSERT_FALSE(made.empty());
  // Its name as another namespace would give it: a pid that is gone here.
  const fs::path elsewhere = parent / "livegui-batch-999999-5-abcdef";
  fs::rename(made, elsewhere);
  EXPECT_TRUE(remove_dead_scratch_dirs(parent.path()).empty());
  EXPECT_TRUE(fs::is_directory(elsewhere));
  fs::rename(elsewhere, made);  // for its destructor
}

TEST(BatcherScratchDir, TheTmpfsOneIsTheRunsOwnInDevShmAndRemovedAtTheEnd) {
  if (!is_writable_tmpfs("/dev/shm")) GTEST_SKIP() << "no writable tmpfs at /dev/shm: tmpfs_scratch_dir() is nullptr";
  fs::path made;
  {
    auto scratch = tmpfs_scratch_dir();
    ASSERT_TRUE(scratch);
    made = scratch->path();
    EXPECT_EQ(made.parent_path(), "/dev/shm");
    EXPECT_EQ(made.filename().string().rfind("livegui-batch-" + std::to_string(::getpid()) + "-", 0), 0u) << made;
    EXPECT_TRUE(is_writable_tmpfs(made));
  }
  EXPECT_FALSE(fs::exists(made));
}

}  // namespace
}  // namespace livegui::batch
