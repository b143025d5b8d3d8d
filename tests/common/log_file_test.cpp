// common/log_file: named loggers sent to a file instead of stderr, whether
// they exist already or are made later; the others stay on stderr.
#include "common/log_file.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/log.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui {
namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LogToFile, NamedLoggersWriteToTheFileAndNotToStderr) {
  test_support::TempDir dir("log-file");
  logger("logfile_test_existing")->warn("before the switch");
  ASSERT_TRUE(log_to_file({"logfile_test_existing", "logfile_test_later"}, dir / "harness.log"));
  ::testing::internal::CaptureStderr();
  logger("logfile_test_existing")->warn("existing logger, after the switch");
  logger("logfile_test_later")->warn("made after the switch");
  logger("logfile_test_other")->warn("not routed");
  logger("logfile_test_existing")->flush();
  logger("logfile_test_later")->flush();
  std::string err = ::testing::internal::GetCapturedStderr();
  std::string file = read_all(dir / "harness.log");
  EXPECT_NE(file.find("[logfile_test_existing] [warning] existing logger, after the switch"), std::string::npos)
      << file;
  EXPECT_NE(file.find("[logfile_test_later] [warning] made after the switch"), std::string::npos) << file;
  EXPECT_EQ(file.find("not routed"), std::string::npos) << file;
  EXPECT_EQ(file.find("before the switch"), std::string::npos) << file;
  EXPECT_EQ(err.find("after the switch"), std::string::npos) << err;
  EXPECT_NE(err.find("not routed"), std::string::npos) << err;
  // Private, like the AUT logs beside it.
  EXPECT_EQ(std::filesystem::status(dir / "harness.log").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(LogToFile, AnUnwritableFileKeepsStderr) {
  test_support::TempDir dir("log-file");
  std::ofstream(dir / "a_file") << "not a directory";
  EXPECT_FALSE(log_to_file({"logfile_test_unwritable"}, dir / "a_file" / "harness.log"));
  ::testing::internal::CaptureStderr();
  logger("logfile_test_unwritable")->warn("still on stderr");
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("still on stderr"), std::string::npos);
}

}  // namespace
}  // namespace livegui
