#include "batcher/run/log_cap.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(BatcherLogCap, KeepsTheNewestBytesInDotOneAndTheWriterGoesOnAtTheStart) {
  livegui::testing::TempDir dir("log-cap");
  fs::path log = dir / "entry.log";
  // The child's end: O_APPEND, as the executor opens entry logs.
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::string first = std::string(100, 'a') + std::string(50, 'b');
  ASSERT_EQ(::write(fd, first.data(), first.size()), static_cast<ssize_t>(first.size()));
  EXPECT_EQ(cap_log(log, 200), 0u);  // under the cap: nothing
  EXPECT_FALSE(fs::exists(dir / "entry.log.1"));
  EXPECT_EQ(cap_log(log, 50), 100u);  // 100 bytes dropped, the newest 50 kept
  EXPECT_EQ(read(dir / "entry.log.1"), std::string(50, 'b'));
  EXPECT_EQ(fs::file_size(log), 0u);
  ASSERT_EQ(::write(fd, "next\n", 5), 5);
  ::close(fd);
  EXPECT_EQ(read(log), "next\n");
  EXPECT_EQ(cap_log(log, 0), 0u);  // 0 = no cap
  EXPECT_EQ(cap_log(dir / "missing.log", 1), 0u);
  // A symlink is not followed.
  fs::create_symlink(log, dir / "link.log");
  EXPECT_EQ(cap_log(dir / "link.log", 1), 0u);
  EXPECT_EQ(read(log), "next\n");
}

}  // namespace
}  // namespace livegui::batch
