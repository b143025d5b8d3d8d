// batcher_bench: what livegui-batch costs per entry next to the floor (the
// same binaries spawned one after the other, nothing else), ctest and, when
// it is on PATH, gtest-parallel, at -j1 and -j2, measured in one run; and its
// peak memory for a generated 1,000-entry plan.
//
//   batcher_bench [--quick] [--entries N] [--rounds R] [--batch PATH] [--also PATH]...
//
// --batch runs another livegui-batch build (e.g. the previous commit's) in
// the same workload, for before/after figures; each --also adds one more
// build as its own way ("livegui-batch #2", …) in the same interleaved
// rounds, with its paired ratio to the first build, the shell loop and ctest.
// The workload is N copies (real files) of a small GoogleTest binary (3
// tests). Each round runs every way once per -j, in order A B C …, reversed
// every other round, so that a change of load hits all ways alike; ratios are
// paired (way / floor of the same round and -j) and printed as the median
// with min–max over the rounds. The ways:
//   floor        posix_spawn each binary (stdout, stderr → /dev/null), wait;
//                at -j2 two at a time
//   shell loop   sh -c 'for f; do "$f" >/dev/null; done' (-j1 only)
//   shell loop + flags  the same loop, each binary given what livegui-batch
//                asks of it for fidelity — its JSON report (a fresh file),
//                its event stream (--gtest_stream_result_to, to a sink that
//                drains it as the batcher does), a premature-exit file on
//                tmpfs — and its output to a log (-j1 only): the binary's own
//                share of livegui-batch's cost, so that the batcher's share is
//                livegui-batch / this way
//   livegui-batch an N-entry plan, -q, reports written
//   ctest        a generated CTestTestfile.cmake (one add_test per binary)
//   gtest-parallel the N binaries (only when installed: it is not a Debian package)

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
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
  int rounds = 7;
  std::string batch = LIVEGUI_BATCH;
  std::vector<std::string> also;  ///< more livegui-batch builds, compared in the same rounds
};

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Summary {
  double median = 0, min = 0, max = 0;
};
Summary summarize(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

/// posix_spawn of argv in its own process group, stdin /dev/null, stdout and
/// stderr to `out` (/dev/null when empty). Returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& out = {}) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.empty() ? "/dev/null" : out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

/// Waits at most 600 s for `pid`; kills its group after that. Returns the status.
int wait_bounded(pid_t pid, rusage* ru = nullptr) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  pollfd p{pidfd, POLLIN, 0};
  if (pidfd >= 0 && ::poll(&p, 1, 600'000) <= 0) ::kill(-pid, SIGKILL);
  int status = 0;
  rusage local{};
  ::wait4(pid, &status, 0, ru ? ru : &local);
  if (pidfd >= 0) ::close(pidfd);
  return status;
}

/// Runs argv to completion (bounded) and returns wall ms; throws when it fails.
double run_timed(const std::vector<std::string>& argv, const fs::path& out, bool must_pass = true) {
  auto t = Clock::now();
  int st = wait_bounded(spawn(argv, out));
  double took = ms_since(t);
  if (must_pass && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
    throw std::runtime_error(argv[0] + " failed (status " + std::to_string(st) + "); its output is in " + out.string());
  return took;
}

/// The floor: every binary spawned and waited for, `jobs` at a time.
double floor_run(const std::vector<std::string>& binaries, int jobs) {
  auto t = Clock::now();
  std::size_t next = 0;
  int running = 0;
  while (next < binaries.size() || running > 0) {
    while (running < jobs && next < binaries.size()) {
      spawn({binaries[next++]});
      ++running;
    }
    int st = 0;
    if (::waitpid(-1, &st, 0) > 0) --running;  // only these children run now
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) throw std::runtime_error("a test binary failed in the floor run");
  }
  return ms_since(t);
}

struct Rusage {
  double wall_ms = 0;
  long max_rss_kb = 0;
  int status = 0;
};

/// Runs argv in its own process group and reports its own peak RSS (wait4).
Rusage run_with_rusage(const std::vector<std::string>& argv, const fs::path& log) {
  auto t = Clock::now();
  Rusage out;
  rusage ru{};
  out.status = wait_bounded(spawn(argv, log), &ru);
  out.wall_ms = ms_since(t);
  out.max_rss_kb = ru.ru_maxrss;
  return out;
}

void write_plan(const fs::path& file, const std::vector<std::string>& binaries, bool command) {
  std::ofstream out(file);
  out << "[[tiers]]\nname = \"bench\"\n";
  for (std::size_t i = 0; i < binaries.size(); ++i) {
    out << "[[tiers.entries]]\nname = \"e" << i << "\"\n";
    if (command)
      out << "command = [\"" << binaries[i] << "\"]\n";
    else
      out << "executables = \"" << binaries[i] << "\"\n";
  }
}

void write_ctest_file(const fs::path& dir, const std::vector<std::string>& binaries) {
  std::ofstream out(dir / "CTestTestfile.cmake");
  for (std::size_t i = 0; i < binaries.size(); ++i) out << "add_test(e" << i << " \"" << binaries[i] << "\")\n";
}

std::string find_on_path(const std::vector<std::string>& names) {
  for (const auto& n : names) {
    auto p = livegui::find_executable(n);
    if (!p.empty()) return p.string();
  }
  return {};
}

/// A loopback listener that accepts GoogleTest event streams one after the
/// other and drains each to its end, waking once per 4 KiB as the batcher's
/// sink does (SO_RCVLOWAT). Lives until the process ends.
int start_stream_sink() {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 64) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("cannot listen on loopback for the stream sink");
  std::thread([s] {
    char buf[65536];
    for (;;) {
      int c = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      int low = 4096;
      ::setsockopt(c, SOL_SOCKET, SO_RCVLOWAT, &low, sizeof low);
      while (::read(c, buf, sizeof buf) > 0) {}
      ::close(c);
    }
  }).detach();
  return ntohs(a.sin_port);
}

struct Way {
  Way(std::string n, int j, std::function<double()> r) : name(std::move(n)), jobs(j), run(std::move(r)) {}
  std::string name;
  int jobs = 1;
  std::function<double()> run;  ///< wall ms for the whole workload
  std::vector<double> ms;       ///< per round
  std::vector<double> ratio;    ///< per round: ms / the floor's ms at the same -j
};

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
    } else if (a == "--batch" && i + 1 < argc) {
      opt.batch = argv[++i];
    } else if (a == "--also" && i + 1 < argc) {
      opt.also.push_back(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: batcher_bench [--quick] [--entries N] [--rounds R] [--batch PATH] [--also PATH]...\n");
      return 2;
    }
  }
  if (opt.entries < 1 || opt.rounds < 1) {
    std::fprintf(stderr, "batcher_bench: --entries and --rounds must be at least 1\n");
    return 2;
  }
  const std::string batch = opt.batch;
  const std::string test = LIVEGUI_TRIVIAL_TEST;
  const std::string ctest = find_on_path({"ctest"});
  const std::string gtest_parallel = find_on_path({"gtest-parallel", "gtest_parallel.py", "gtest_parallel"});
  std::string tmpl = (fs::temp_directory_path() / "batcher-bench-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) return 1;
  fs::path dir = tmpl;
  int rc = 0;
  try {
    fs::create_directories(dir / "bin");
    fs::create_directories(dir / "ctest");
    std::vector<std::string> binaries;
    for (int i = 0; i < opt.entries; ++i) {
      fs::path copy = dir / "bin" / ("test_" + std::to_string(i));
      fs::copy_file(test, copy);
      binaries.push_back(copy.string());
    }
    write_plan(dir / "plan.toml", binaries, false);
    write_ctest_file(dir / "ctest", binaries);

    const int sink_port = start_stream_sink();
    std::vector<Way> ways;
    for (int j : {1, 2}) {
      const std::string js = std::to_string(j);
      ways.emplace_back(Way{"floor (posix_spawn, wait)", j, [&binaries, j] { return floor_run(binaries, j); }});
      if (j == 1) {
        std::vector<std::string> sh{"/bin/sh", "-c", "for f; do \"$f\" >/dev/null; done", "sh"};
        sh.insert(sh.end(), binaries.begin(), binaries.end());
        ways.emplace_back(Way{"shell loop", j, [sh, dir] { return run_timed(sh, dir / "sh.log"); }});
        // Fresh report files, as livegui-batch removes each entry's before its
        // run (one rm for the round: a process per entry would weigh more than the files).
        const std::string flags_dir = (dir / "flags").string();
        fs::create_directories(flags_dir);
        std::vector<std::string> flagged{
            "/bin/sh", "-c",
            "rm -f " + flags_dir + "/*; i=0; for f; do i=$((i+1)); TEST_PREMATURE_EXIT_FILE=/dev/shm/batcher-bench-pe-$$ "
            "\"$f\" --gtest_output=json:" + flags_dir + "/$i.json --gtest_stream_result_to=127.0.0.1:" +
                std::to_string(sink_port) + " >" + flags_dir + "/$i.log 2>&1; done",
            "sh"};
        flagged.insert(flagged.end(), binaries.begin(), binaries.end());
        ways.emplace_back(Way{"shell loop + flags", j, [flagged, dir] { return run_timed(flagged, dir / "fl.log"); }});
      }
      std::vector<std::string> builds{batch};
      builds.insert(builds.end(), opt.also.begin(), opt.also.end());
      for (std::size_t b = 0; b < builds.size(); ++b) {
        // Each build keeps its own report directory, as one user's reruns would.
        const std::string name = b == 0 ? "livegui-batch" : "livegui-batch #" + std::to_string(b + 1);
        const std::string exe = builds[b], reports = (dir / ("reports-" + std::to_string(b))).string();
        ways.emplace_back(Way{name, j, [=] {
                                return run_timed({exe, (dir / "plan.toml").string(), "-q", "-j", js, "--report-dir",
                                                  reports, "--state-dir", (dir / "state").string()},
                                                 dir / "batch.log");
                              }});
      }
      if (!ctest.empty())
        ways.emplace_back(
            Way{"ctest", j, [=] {
                  return run_timed({ctest, "--test-dir", (dir / "ctest").string(), "-j" + js, "-Q"}, dir / "ctest.log");
                }});
      if (!gtest_parallel.empty()) {
        std::vector<std::string> gp{gtest_parallel, "-w", js, "--output_dir", (dir / "gtest-parallel").string()};
        gp.insert(gp.end(), binaries.begin(), binaries.end());
        ways.emplace_back(Way{"gtest-parallel", j, [gp, dir] { return run_timed(gp, dir / "gp.log"); }});
      }
    }
    // Warm-up: every way once (page cache, first-run effects), not counted.
    for (auto& w : ways) w.run();
    for (int r = 0; r < opt.rounds; ++r) {
      std::vector<std::size_t> order(ways.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      if (r % 2 == 1) std::reverse(order.begin(), order.end());
      for (std::size_t i : order) ways[i].ms.push_back(ways[i].run());
      for (auto& w : ways) {
        const Way& floor = *std::find_if(ways.begin(), ways.end(), [&](const Way& f) { return f.jobs == w.jobs; });
        w.ratio.push_back(w.ms.back() / floor.ms.back());
      }
    }

    double load[3] = {0, 0, 0};
    ::getloadavg(load, 3);
    const double n = opt.entries;
    std::printf(
        "batcher_bench: %d copies of a 3-test GoogleTest binary, %d interleaved rounds (order reversed every\n"
        "other round); load average at the end %.2f %.2f %.2f\nlivegui-batch: %s\n",
        opt.entries, opt.rounds, load[0], load[1], load[2], batch.c_str());
    for (std::size_t b = 0; b < opt.also.size(); ++b)
      std::printf("livegui-batch #%zu: %s\n", b + 2, opt.also[b].c_str());
    std::printf("\n");
    std::printf("  %-26s %3s %12s %24s\n", "way", "-j", "per entry", "ratio to the floor");
    std::printf("  %-26s %3s %12s %24s\n", "", "", "(median)", "median (min-max), paired");
    for (const auto& w : ways) {
      auto m = summarize(w.ms), q = summarize(w.ratio);
      std::printf("  %-26s %3d %9.2f ms %9.2fx (%.2f-%.2f)\n", w.name.c_str(), w.jobs, m.median / n, q.median, q.min,
                  q.max);
    }
    auto paired = [&](const std::string& a, int ja, const std::string& b, int jb) {
      auto find = [&](const std::string& name, int j) -> const Way* {
        for (const auto& w : ways)
          if (w.name == name && w.jobs == j) return &w;
        return nullptr;
      };
      const Way *x = find(a, ja), *y = find(b, jb);
      if (!x || !y) return;
      std::vector<double> r;
      for (std::size_t i = 0; i < x->ms.size(); ++i) r.push_back(x->ms[i] / y->ms[i]);
      auto q = summarize(r);
      std::printf("  %-24s -j%d / %-16s -j%d %6.2fx (%.2f-%.2f)\n", a.c_str(), ja, b.c_str(), jb, q.median, q.min,
                  q.max);
    };
    std::printf("\n  paired ratios, median (min-max) over the rounds:\n");
    paired("livegui-batch", 1, "ctest", 1);
    paired("livegui-batch", 2, "ctest", 2);
    paired("livegui-batch", 1, "shell loop", 1);
    paired("shell loop + flags", 1, "shell loop", 1);
    paired("livegui-batch", 1, "shell loop + flags", 1);
    paired("livegui-batch", 2, "livegui-batch", 1);
    paired("ctest", 2, "ctest", 1);
    paired("floor (posix_spawn, wait)", 2, "floor (posix_spawn, wait)", 1);
    paired("gtest-parallel", 1, "ctest", 1);
    for (std::size_t b = 0; b < opt.also.size(); ++b) {
      const std::string name = "livegui-batch #" + std::to_string(b + 2);
      paired(name, 1, "livegui-batch", 1);
      paired(name, 2, "livegui-batch", 2);
      paired(name, 1, "shell loop", 1);
      paired(name, 1, "ctest", 1);
      paired(name, 2, name, 1);
    }
    if (ctest.empty()) std::printf("  ctest: not found on PATH, skipped\n");
    if (gtest_parallel.empty())
      std::printf(
          "  gtest-parallel: not installed (it is not a Debian package; put gtest-parallel on PATH to\n"
          "  include it), skipped\n");

    // Memory for a 1,000-entry plan: --dry-run (no processes), then a real run
    // of 1,000 trivial command entries (reports written).
    write_plan(dir / "plan1000.toml", std::vector<std::string>(1000, test), false);
    write_plan(dir / "true1000.toml", std::vector<std::string>(1000, "/bin/true"), true);
    Rusage dry = run_with_rusage({batch, (dir / "plan1000.toml").string(), "--dry-run"}, dir / "dry.log");
    Rusage real = run_with_rusage({batch, (dir / "true1000.toml").string(), "-q", "--report-dir",
                                   (dir / "reports1000").string(), "--state-dir", (dir / "state").string()},
                                  dir / "real.log");
    std::printf("\n  1,000-entry plan, --dry-run:            peak RSS %6.1f MB, %7.0f ms\n", dry.max_rss_kb / 1024.0,
                dry.wall_ms);
    std::printf("  1,000 /bin/true entries, real run:     peak RSS %6.1f MB, %7.0f ms (%.2f ms/entry), exit %d\n",
                real.max_rss_kb / 1024.0, real.wall_ms, real.wall_ms / 1000.0,
                WIFEXITED(real.status) ? WEXITSTATUS(real.status) : -1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "batcher_bench: %s\n", e.what());
    rc = 1;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return rc;
}
