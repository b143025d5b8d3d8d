// batcher_bench: what livegui-batch costs per entry, next to running the same
// test binaries directly and to ctest running them, measured in one run (so
// the ratios compare like with like on this machine), and its peak memory for
// a generated 1,000-entry plan.
//
//   batcher_bench [--quick] [--entries N] [--rounds R]
//
// Every round runs N copies of a small GoogleTest binary (3 tests) four
// ways, in rotating order: directly one after the other; directly doing what
// the batcher asks of each binary (--gtest_list_tests, then a run with
// GTEST_OUTPUT=json), to separate the binary's own cost from the batcher's;
// as an N-entry plan through livegui-batch (-j1, reports written); through
// ctest (-j1, one add_test per binary). Figures are medians over the rounds.

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/subprocess.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  bool quick = false;
  int entries = 50;
  int rounds = 5;
};

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

/// Runs argv to completion (bounded), output to `log`. Returns wall ms.
double run_timed(const std::string& exe, const std::vector<std::string>& args, const fs::path& log,
                 const std::map<std::string, std::string>& env = {}) {
  livegui::SpawnOptions so;
  so.executable = exe;
  so.args = args;
  so.output_file = log;
  so.env_set = {{"NO_COLOR", "1"}, {"TERM", "dumb"}};
  for (const auto& [k, v] : env) so.env_set[k] = v;
  auto t = Clock::now();
  auto child = livegui::Subprocess::spawn(so);
  auto st = child.wait_for(600s);
  double took = ms_since(t);
  if (!st) throw std::runtime_error(exe + " did not finish within 600 s");
  return took;
}

struct Rusage {
  double wall_ms = 0;
  long max_rss_kb = 0;
  int status = 0;
};

/// Runs argv in its own process group and reports its own peak RSS (wait4).
Rusage run_with_rusage(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = 0;
  auto t = Clock::now();
  int rc = posix_spawn(&pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  pollfd p{pidfd, POLLIN, 0};
  if (::poll(&p, 1, 600'000) <= 0) {
    ::kill(-pid, SIGKILL);
  }
  Rusage out;
  rusage ru{};
  ::wait4(pid, &out.status, 0, &ru);
  out.wall_ms = ms_since(t);
  out.max_rss_kb = ru.ru_maxrss;
  ::close(pidfd);
  return out;
}

void write_plan(const fs::path& file, int n, const std::string& exe, bool command) {
  std::ofstream out(file);
  out << "[[tiers]]\nname = \"bench\"\n";
  for (int i = 0; i < n; ++i) {
    out << "[[tiers.entries]]\nname = \"e" << i << "\"\n";
    if (command)
      out << "command = [\"" << exe << "\"]\n";
    else
      out << "executables = \"" << exe << "\"\n";
  }
}

void write_ctest_file(const fs::path& dir, int n, const std::string& exe) {
  std::ofstream out(dir / "CTestTestfile.cmake");
  for (int i = 0; i < n; ++i) out << "add_test(e" << i << " \"" << exe << "\")\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      opt.quick = true;
      opt.entries = 20;
      opt.rounds = 3;
    } else if (a == "--entries" && i + 1 < argc) {
      opt.entries = std::atoi(argv[++i]);
    } else if (a == "--rounds" && i + 1 < argc) {
      opt.rounds = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: batcher_bench [--quick] [--entries N] [--rounds R]\n");
      return 2;
    }
  }
  const std::string batch = LIVEGUI_BATCH;
  const std::string test = LIVEGUI_TRIVIAL_TEST;
  const std::string ctest = livegui::find_executable("ctest").string();
  std::string tmpl = (fs::temp_directory_path() / "batcher-bench-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) return 1;
  fs::path dir = tmpl;
  fs::create_directories(dir / "ctest");
  write_plan(dir / "plan.toml", opt.entries, test, false);
  write_ctest_file(dir / "ctest", opt.entries, test);

  std::vector<double> direct, asked, batched, ctested;
  const std::map<std::string, std::string> json_env{{"GTEST_OUTPUT", "json:" + (dir / "direct.json").string()}};
  for (int r = 0; r < opt.rounds; ++r) {
    for (int k = 0; k < 4; ++k) {
      switch ((r + k) % 4) {
        case 3: {
          auto t = Clock::now();
          for (int i = 0; i < opt.entries; ++i) {
            run_timed(test, {"--gtest_list_tests"}, dir / "direct.log");
            run_timed(test, {}, dir / "direct.log", json_env);
          }
          asked.push_back(ms_since(t));
          break;
        }
        case 0: {
          auto t = Clock::now();
          for (int i = 0; i < opt.entries; ++i) run_timed(test, {}, dir / "direct.log");
          direct.push_back(ms_since(t));
          break;
        }
        case 1:
          batched.push_back(run_timed(batch,
                                      {(dir / "plan.toml").string(), "-q", "--report-dir", (dir / "reports").string(),
                                       "--state-dir", (dir / "state").string()},
                                      dir / "batch.log"));
          break;
        case 2:
          if (!ctest.empty())
            ctested.push_back(run_timed(ctest, {"--test-dir", (dir / "ctest").string(), "-j1", "-Q"}, dir / "ctest.log"));
          break;
      }
    }
  }
  const double n = opt.entries;
  double d = median(direct) / n, a = median(asked) / n, b = median(batched) / n;
  double c = ctested.empty() ? 0 : median(ctested) / n;
  std::printf("batcher_bench: %d entries (a 3-test GoogleTest binary each), %d rounds, medians\n\n", opt.entries,
              opt.rounds);
  std::printf("  %-40s %10s %14s %10s\n", "way", "per entry", "overhead/entry", "ratio");
  std::printf("  %-40s %8.2f ms %14s %10s\n", "direct (spawn + wait each)", d, "-", "1.00x");
  std::printf("  %-40s %8.2f ms %11.2f ms %9.2fx\n", "direct, list + run with GTEST_OUTPUT=json", a, a - d, a / d);
  std::printf("  %-40s %8.2f ms %11.2f ms %9.2fx\n", "livegui-batch -j1 (lists, runs, reports)", b, b - d, b / d);
  if (c > 0) {
    std::printf("  %-40s %8.2f ms %11.2f ms %9.2fx\n", "ctest -j1", c, c - d, c / d);
    std::printf("\n  livegui-batch / ctest: %.2fx; the batcher's own work per entry (beyond what it asks of\n"
                "  the binary): %.2f ms\n",
                b / c, b - a);
  } else {
    std::printf("  ctest not found in PATH: skipped\n");
  }

  // Memory for a 1,000-entry plan: --dry-run (no processes), then a real run
  // of 1,000 trivial command entries (reports written).
  write_plan(dir / "plan1000.toml", 1000, test, false);
  write_plan(dir / "true1000.toml", 1000, "/bin/true", true);
  Rusage dry = run_with_rusage({batch, (dir / "plan1000.toml").string(), "--dry-run"}, dir / "dry.log");
  Rusage real = run_with_rusage({batch, (dir / "true1000.toml").string(), "-q", "--report-dir",
                                 (dir / "reports1000").string(), "--state-dir", (dir / "state").string()},
                                dir / "real.log");
  std::printf("\n  1,000-entry plan, --dry-run:            peak RSS %6.1f MB, %7.0f ms\n", dry.max_rss_kb / 1024.0,
              dry.wall_ms);
  std::printf("  1,000 /bin/true entries, real run:     peak RSS %6.1f MB, %7.0f ms (%.2f ms/entry), exit %d\n",
              real.max_rss_kb / 1024.0, real.wall_ms, real.wall_ms / 1000.0,
              WIFEXITED(real.status) ? WEXITSTATUS(real.status) : -1);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
