// AUT logs are capped (issue 7, resource limits): AppSpec::max_log_bytes,
// harness/log_rotation.hpp. The app writes its log through an inherited
// O_APPEND descriptor, so the harness can move the content aside and empty
// the file while the app keeps writing.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "harness/app_handle.hpp"
#include "harness/log_rotation.hpp"
#include "hookclient/hook_client.hpp"
#include "tests/reliability/matrix_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::uintmax_t size_of(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

TEST(LogCap, MaxLogBytesIsAnAutSetting) {
  std::string exe = binary("sample_app/sample_app").string();
  AppSpec spec = AppSpec::from_toml_string("[aut]\nexecutable = \"" + exe + "\"\nmax_log_bytes = 4096\n");
  EXPECT_EQ(spec.max_log_bytes, 4096u);
  EXPECT_EQ(AppSpec::from_toml_string("[aut]\nexecutable = \"" + exe + "\"\n").max_log_bytes, 64ULL << 20)
      << "AUT logs are capped by default";
  try {
    AppSpec::from_toml_string("[aut]\nexecutable = \"" + exe + "\"\nmax_log_bytes = -1\n", "aut", "plan.toml");
    FAIL() << "a negative cap was accepted";
  } catch (const AppSpecError& e) {
    EXPECT_NE(std::string(e.what()).find("max_log_bytes: must be in 0.."), std::string::npos) << e.what();
  }
}

TEST(LogCap, RotationMovesTheContentAsideAndTheWriterGoesOnAtTheStart) {
  TempDir dir("log-cap");
  fs::path log = dir / "aut-1.log";
  // The app's descriptor: opened before the rotation, as Subprocess does.
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::string chunk(10000, 'a');
  ASSERT_EQ(::write(fd, chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));

  EXPECT_FALSE(rotate_log_if_larger(log, 20000)) << "under the cap: nothing to do";
  EXPECT_FALSE(rotate_log_if_larger(log, 0)) << "0 means no cap";
  EXPECT_EQ(size_of(log), 10000u);

  ASSERT_TRUE(rotate_log_if_larger(log, 4096));
  EXPECT_EQ(read_text(fs::path(log.string() + ".1")), chunk);
  EXPECT_EQ(size_of(log), 0u);
  struct stat st {};
  ASSERT_EQ(::stat((log.string() + ".1").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the rotated log is as private as the log";

  std::string after = "written after the rotation\n";
  ASSERT_EQ(::write(fd, after.data(), after.size()), static_cast<ssize_t>(after.size()));
  EXPECT_EQ(read_text(log), after) << "the writer must go on at the start, not leave a hole";

  // A second rotation replaces the first copy.
  std::string more(5000, 'b');
  ASSERT_EQ(::write(fd, more.data(), more.size()), static_cast<ssize_t>(more.size()));
  ASSERT_TRUE(rotate_log_if_larger(log, 4096));
  EXPECT_EQ(read_text(fs::path(log.string() + ".1")), after + more);
  EXPECT_EQ(size_of(log), 0u);
  ::close(fd);

  // A symlink is not followed.
  fs::path target = dir / "target.log";
  std::ofstream(target) << std::string(10000, 'c');
  fs::create_symlink(target, dir / "link.log");
  EXPECT_FALSE(rotate_log_if_larger(dir / "link.log", 4096));
  EXPECT_EQ(size_of(target), 10000u);
}

TEST(LogCap, AChattyAutsLogIsCappedWhileItRuns) {
  TempDir dir("log-cap-aut");
  // 300 kB of output before it becomes sample_app (same pid, same group).
  fs::path chatty = dir / "chatty_app";
  std::ofstream(chatty) << "#!/bin/sh\nhead -c 300000 /dev/zero | tr '\\0' x\necho\nexec "
                        << toml_quote(binary("sample_app/sample_app").string()) << " \"$@\"\n";
  fs::permissions(chatty, fs::perms::owner_all);

  AppSpec spec;
  spec.executable = chatty;
  spec.args = {"--headless", "--enable-faults"};
  spec.display = DisplayMode::None;
  spec.state_file = dir / "state" / "aut-state.json";
  spec.log_dir = dir / "logs";
  spec.term_grace = 500ms;
  spec.max_log_bytes = 64 * 1024;
  {
    AppHandle app(spec);
    app.ensure_ready({"LogCap", "Chatty"});
    fs::path log = app.log_file();
    fs::path rotated = log.string() + ".1";
    EXPECT_GT(size_of(log), 300000u);

    ASSERT_TRUE(app.check().healthy());  // every check enforces the cap
    EXPECT_GE(size_of(rotated), 300000u);
    EXPECT_LT(size_of(log), spec.max_log_bytes);

    // The app goes on writing, at the start of the emptied file (an injected
    // fault announces itself on stderr).
    app.hook()->inject_fault("assert");
    ASSERT_TRUE(eventually([&] { return read_text(log).find("fires now") != std::string::npos; }, 10s))
        << read_text(log);
    std::string text = read_text(log);
    EXPECT_EQ(text.find('\0'), std::string::npos) << "a hole where the old content was: the log is not O_APPEND";
    EXPECT_LT(text.size(), 4096u);
    auto report = app.stop();
    EXPECT_FALSE(report.stuck);
  }
  auto left = leftover_processes();
  EXPECT_TRUE(left.empty()) << describe_pids(left);
}

}  // namespace
}  // namespace livegui::test_support
