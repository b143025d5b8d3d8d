#include "common/atomic_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <system_error>

#include "tests/support/temp_dir.hpp"

namespace livegui {
namespace {
namespace fs = std::filesystem;

std::string contents(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Every entry of `dir` (hidden temporaries included).
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

class AtomicFile : public ::testing::Test {
 protected:
  test_support::TempDir dir_{"atomic"};
};

TEST_F(AtomicFile, ReplacesTheContentsAndLeavesNoTemporary) {
  fs::path f = dir_.path() / "report.json";
  write_file_atomically(f, "first\n");
  write_file_atomically(f, "second\n");
  EXPECT_EQ(contents(f), "second\n");
  EXPECT_EQ(names_in(dir_.path()), std::vector<std::string>{"report.json"});
}

TEST_F(AtomicFile, GivesTheFileTheRequestedModeWhateverTheUmask) {
  fs::path priv = dir_.path() / "state.json";
  fs::path pub = dir_.path() / "junit.xml";
  mode_t old = ::umask(077);
  write_file_atomically(pub, "x", {.mode = 0644});
  ::umask(old);
  write_file_atomically(priv, "x", {.mode = 0600, .durable = true});
  struct stat st {};
  ASSERT_EQ(::stat(priv.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(pub.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(AtomicFile, ReplacesASymlinkInsteadOfWritingThroughIt) {
  fs::path victim = dir_.path() / "victim";
  { std::ofstream(victim) << "untouched"; }
  fs::path link = dir_.path() / "state.json";
  fs::create_symlink(victim, link);
  write_file_atomically(link, "new");
  EXPECT_EQ(contents(victim), "untouched");
  EXPECT_FALSE(fs::is_symlink(link));
  EXPECT_EQ(contents(link), "new");
}

TEST_F(AtomicFile, AFailureNamesTheFileAndTheStepAndLeavesNothingBehind) {
  fs::path missing_dir = dir_.path() / "no-such-dir" / "out.json";
  try {
    write_file_atomically(missing_dir, "x");
    FAIL() << "writing into a missing directory succeeded";
  } catch (const std::system_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(missing_dir.string()), std::string::npos) << what;
    EXPECT_NE(what.find("cannot create a temporary file in"), std::string::npos) << what;
    EXPECT_EQ(e.code().value(), ENOENT);
  }
  fs::path target_is_dir = dir_.path() / "taken";
  fs::create_directory(target_is_dir);
  fs::create_directory(target_is_dir / "inside");
  EXPECT_THROW(write_file_atomically(target_is_dir, "x"), std::system_error);  // rename over a non-empty dir
  EXPECT_EQ(names_in(dir_.path()).size(), 1u) << "the temporary was not removed";
}

}  // namespace
}  // namespace livegui
