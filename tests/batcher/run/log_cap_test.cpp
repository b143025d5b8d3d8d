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
  livegui::test_support::TempDir dir("log-cap");
  fs::path log = dir / "entry.log";
  // The child's end: O_APPEND, as the executor opens entry logs.
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::string first = std::string(100, 'a') + std::string(50, 'b');
  ASSERT_EQ(::write(fd, first.data(), first.size()), static_cast<ssize_t>(first.size()));
  EXPECT_EQ(cap_log(log, 200), 0u);  // under the cap: nothing
  EXPECT_FALSE(fs::exists(dir / "entry.log.1"));
  EXPECT_EQ(cap_log(log, 50), 100u);  // 100 bytes dropped, the newest 50 kept
  EXPECT_EQ(
      read(dir / "entry.log.1"),
      "…[livegui-batch: 100 bytes of output dropped here by the log cap; GoogleTest's markers above are kept]…\n" +
          std::string(50, 'b'));
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

// The cause of an empty output tail (a 200 MiB line, then the failure, under
// load): the child's last lines, written between the copy and the
// truncation, were lost with it. Paused writers write them before the copy
// ends (here: the pause itself writes them, as a child does until it stops).
TEST(BatcherLogCap, WhatTheWriterWroteUntilItWasPausedIsKeptToTheLastByte) {
  livegui::test_support::TempDir dir("log-cap-pause");
  fs::path log = dir / "entry.log";
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::string blob(150, 'x');
  ASSERT_EQ(::write(fd, blob.data(), blob.size()), static_cast<ssize_t>(blob.size()));
  int paused = 0, resumed = 0;
  LogWriters writers{[&] {
                       ++paused;
                       const std::string last = "t.cpp:9: Failure\n[  FAILED  ] Blob.Dumps (9 ms)\n";
                       return ::write(fd, last.data(), last.size()) == static_cast<ssize_t>(last.size());
                     },
                     [&] { ++resumed; }};
  EXPECT_EQ(cap_log(log, 100, &writers), 50u);
  EXPECT_EQ(paused, 1);
  EXPECT_EQ(resumed, 1);
  EXPECT_EQ(read(dir / "entry.log.1"),
            "…[livegui-batch: 50 bytes of output dropped here by the log cap; GoogleTest's markers above are kept]…\n" +
                std::string(100, 'x') + "t.cpp:9: Failure\n[  FAILED  ] Blob.Dumps (9 ms)\n");
  EXPECT_EQ(fs::file_size(log), 0u);

  // A writer that outran the copy by more than the cap: the kept part starts
  // again from the newest (at the start of its line), its end included.
  ASSERT_EQ(::write(fd, blob.data(), blob.size()), static_cast<ssize_t>(blob.size()));
  LogWriters outrunning{[&] {
                          std::string more = "[ RUN      ] Blob.Next\n" + std::string(300, 'y') + "\nthe end\n";
                          return ::write(fd, more.data(), more.size()) == static_cast<ssize_t>(more.size());
                        },
                        [&] { ++resumed; }};
  EXPECT_EQ(cap_log(log, 100, &outrunning), 173u);
  EXPECT_EQ(resumed, 2);
  EXPECT_EQ(
      read(dir / "entry.log.1"),
      "[  FAILED  ] Blob.Dumps (9 ms)\n[ RUN      ] Blob.Next\n"
      "…[livegui-batch: 173 bytes of output dropped here by the log cap; GoogleTest's markers above are kept]…\n" +
          std::string(300, 'y') + "\nthe end\n");
  EXPECT_EQ(fs::file_size(log), 0u);
  ::close(fd);
}

TEST(BatcherLogCap, GoogleTestsMarkersOfTheDroppedPartAreKeptAtTheStartOfDotOne) {
  // Without them a test whose output passed the cap lost its "[ RUN      ]"
  // line, and with it its output and the name of the test a crash hit.
  livegui::test_support::TempDir dir("log-cap-markers");
  fs::path log = dir / "entry.log";
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  auto print = [&](const std::string& text) {
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  };
  print(
      "[==========] Running 2 tests from 1 test suite.\n[ RUN      ] A.First\nnoise\n[       OK ] A.First (0 ms)\n"
      "[ RUN      ] A.Floods\n");
  for (int i = 0; i < 200; ++i) print("flood line " + std::to_string(i) + "\n");
  ASSERT_GT(cap_log(log, 1000), 0u);
  std::string one = read(dir / "entry.log.1");
  EXPECT_EQ(
      one.rfind("[==========] Running 2 tests from 1 test suite.\n[ RUN      ] A.First\n[       OK ] A.First (0 ms)\n"
                "[ RUN      ] A.Floods\n…[livegui-batch: ",
                0),
      0u)
      << one.substr(0, 300);
  EXPECT_EQ(one.find("noise"), std::string::npos) << "only markers are kept of the dropped part";
  EXPECT_EQ(one.substr(one.size() - 15), "flood line 199\n");
  // The kept part starts at a line start: no marker is cut in two.
  auto note_end = one.find("]…\n") + std::string("]…\n").size();
  EXPECT_EQ(one.substr(note_end, 11), "flood line ") << one.substr(note_end, 40);

  // A second cap keeps the first one's markers too (the old .1 is dropped).
  for (int i = 200; i < 400; ++i) print("flood line " + std::to_string(i) + "\n");
  print("[  FAILED  ] A.Floods (5 ms)\n");
  ASSERT_GT(cap_log(log, 1000), 0u);
  ::close(fd);
  one = read(dir / "entry.log.1");
  EXPECT_EQ(
      one.rfind("[==========] Running 2 tests from 1 test suite.\n[ RUN      ] A.First\n[       OK ] A.First (0 ms)\n"
                "[ RUN      ] A.Floods\n…[livegui-batch: ",
                0),
      0u)
      << one.substr(0, 300);
  EXPECT_EQ(one.substr(one.size() - 29), "[  FAILED  ] A.Floods (5 ms)\n");
  EXPECT_EQ(fs::file_size(log), 0u);
}

TEST(BatcherLogCap, MarkerLinesAreGoogleTestsProgressLines) {
  for (const char* line : {"[ RUN      ] A.b", "[       OK ] A.b (0 ms)", "[  FAILED  ] A.b", "[  SKIPPED ] A.b",
                           "[==========] Running 1 test", "[----------] 1 test from A", "[  PASSED  ] 1 test."})
    EXPECT_TRUE(is_gtest_marker_line(line, std::string(line).size())) << line;
  for (const char* line : {"", "[ RUN ] A.b", " [ RUN      ] A.b", "plain output", "[=========="})
    EXPECT_FALSE(is_gtest_marker_line(line, std::string(line).size())) << line;
}

}  // namespace
}  // namespace livegui::batch
