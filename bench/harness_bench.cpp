// harness_bench: what the AUT handle costs, against the real sample_app
// (headless), measured in one run so ratios are meaningful.
//
//   per-test check()          median / p90 µs (pidfd + GET /health), interleaved
//                             with its floor (a pidfd poll + a raw kept-alive
//                             GET, no parsing) and with httplib's HookClient
//   per-test bookkeeping      test_started + ensure_ready + test_finished, state
//                             file in the default state directory (goal ≤ 0.3 ms)
//   AUT time-to-ready (raw)   posix_spawn → ready line on a pipe, no harness
//   harness start             spawn → ready line through the log file
//   respawn after crash       death noticed → old group reaped → new AUT ready
//   respawn after degraded    /health 503 noticed → SIGTERM → new AUT ready
//   stop, SIGTERM ignored     with the configured grace (SIGTERM → grace → SIGKILL)
//
// Usage: harness_bench [--quick] [--app PATH]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spawn.h>
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
#include <string>
#include <vector>

#include "common/text.hpp"
#include "harness/app_handle.hpp"
#include "harness/state_file.hpp"
#include "hookclient/hook_client.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double us(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::micro>(d).count(); }
double ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Stats {
  double median = 0, p90 = 0, min = 0;
};
Stats stats(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 9 / 10)], v.front()};
}

/// The AUT on its own: posix_spawn, read the ready line from a pipe. The
/// floor any harness is compared with.
std::chrono::nanoseconds raw_time_to_ready(const std::string& app) {
  int p[2];
  if (::pipe(p) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  posix_spawn_file_actions_addclose(&fa, p[0]);
  posix_spawn_file_actions_addclose(&fa, p[1]);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> argv{const_cast<char*>(app.c_str()), const_cast<char*>("--headless"), nullptr};
  auto t0 = Clock::now();
  pid_t pid = 0;
  int rc = posix_spawn(&pid, app.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(p[1]);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(rc));
  std::string out;
  char buf[256];
  std::chrono::nanoseconds took{0};
  for (;;) {
    ssize_t n = ::read(p[0], buf, sizeof buf);  // the app flushes the line when ready
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.find("LIVEGUI_HOOK_READY ") != std::string::npos && out.find('\n') != std::string::npos) {
      took = Clock::now() - t0;
      break;
    }
  }
  ::close(p[0]);
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  if (took.count() == 0) throw std::runtime_error("sample_app did not print its ready line: " + out);
  return took;
}

/// The floor of one check: a poll on a kept pidfd, then GET /health on a
/// kept-alive loopback socket, reading until the declared body is in. No
/// parsing, no bookkeeping: what no implementation can beat.
class CheckFloor {
 public:
  CheckFloor(pid_t pid, int port) {
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (pidfd_ < 0 || fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("check floor: cannot open a pidfd or connect");
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    req_ = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
  }
  ~CheckFloor() {
    ::close(fd_);
    ::close(pidfd_);
  }
  void once() {
    pollfd p{pidfd_, POLLIN, 0};
    if (::poll(&p, 1, 0) != 0) throw std::runtime_error("check floor: the AUT exited");
    if (::send(fd_, req_.data(), req_.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req_.size()))
      throw std::runtime_error("check floor: send failed");
    std::string buf;
    char chunk[4096];
    std::size_t need = std::string::npos;
    while (need == std::string::npos || buf.size() < need) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) throw std::runtime_error("check floor: recv failed");
      buf.append(chunk, static_cast<std::size_t>(n));
      auto head = buf.find("\r\n\r\n");
      auto cl = buf.find("Content-Length: ");
      if (need == std::string::npos && head != std::string::npos && cl != std::string::npos)
        need = head + 4 + std::stoul(buf.substr(cl + 16));
    }
  }

 private:
  int pidfd_ = -1, fd_ = -1;
  std::string req_;
};

livegui::AppSpec spec_for(const std::string& app, const fs::path& dir, std::vector<std::string> extra = {}) {
  livegui::AppSpec s;
  s.executable = app;
  s.args = {"--headless", "--enable-faults"};
  s.args.insert(s.args.end(), extra.begin(), extra.end());
  s.state_file = dir / "aut-state.json";
  s.log_dir = dir / "logs";
  s.term_grace = 1s;
  return s;
}

/// Fatal faults may end the app before its 202 reply is read: that is fine,
/// the exit is what we wait for next.
void inject_fatal(livegui::HookClient& hook, const std::string& kind) {
  try {
    hook.inject_fault(kind);
  } catch (const livegui::HookUnreachable&) {}
}

void row(const char* what, const std::string& value, const std::string& note = "") {
  std::printf("  %-34s %22s   %s\n", what, value.c_str(), note.c_str());
}

std::string fmt(const char* f, double a, double b = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a, b);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string app = LIVEGUI_SAMPLE_APP;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--app" && i + 1 < argc)
      app = argv[++i];
    else {
      std::fprintf(stderr, "usage: harness_bench [--quick] [--app PATH]\n");
      return 2;
    }
  }
  const int checks = quick ? 300 : 3000;
  const int starts = quick ? 5 : 20;
  const int respawns = quick ? 5 : 20;
  const int stops = quick ? 2 : 5;
  const auto grace = quick ? 200ms : 500ms;

  char tmpl[] = "/tmp/livegui-harness-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  fs::path dir = tmpl;
  fs::path shm_dir;  // a tmpfs twin, when /dev/shm exists

  try {
    // AUT's own time to ready, and the harness's first start, interleaved.
    std::vector<double> raw, harness_start, handle_start;
    for (int i = 0; i < starts; ++i) {
      raw.push_back(ms(raw_time_to_ready(app)));
      livegui::AppHandle h(spec_for(app, dir));
      auto t0 = Clock::now();
      h.start();
      handle_start.push_back(ms(Clock::now() - t0));
      harness_start.push_back(ms(h.last_time_to_ready()));
    }

    // The main handle keeps its state file in the default state directory (a
    // file of its own there, so that no other run's state is touched): what
    // check(), bookkeeping and respawn cost as users get them.
    fs::path default_dir = livegui::default_state_dir();
    livegui::ensure_state_dir(default_dir);
    auto main_spec = spec_for(app, dir);
    main_spec.state_file = default_dir / ("harness-bench-" + std::to_string(::getpid()) + ".json");
    livegui::AppHandle h(main_spec);
    h.ensure_ready({"Bench", "T0"});
    // check(), its floor and httplib's client, interleaved in rounds (A B C,
    // reversed every other round) so that load changes hit all three alike.
    std::vector<double> check_us, floor_us, httplib_us, check_ratio;
    {  // the extra connections close before the bookkeeping is measured
      CheckFloor floor(h.pid(), h.port());
      livegui::HookClientOptions hopt;
      hopt.port = h.port();
      hopt.connect_timeout = 500ms;
      hopt.read_timeout = 1000ms;
      hopt.write_timeout = 1000ms;
      livegui::HookClient httplib_client(hopt);
      for (int i = 0; i < 20; ++i) {
        h.check();
        floor.once();
        httplib_client.health();
      }
      auto time_check = [&] {
        auto t0 = Clock::now();
        auto c = h.check();
        check_us.push_back(us(Clock::now() - t0));
        if (!c.healthy()) throw std::runtime_error("AUT not healthy during the check bench: " + c.describe());
      };
      auto time_floor = [&] {
        auto t0 = Clock::now();
        floor.once();
        floor_us.push_back(us(Clock::now() - t0));
      };
      auto time_httplib = [&] {
        auto t0 = Clock::now();
        httplib_client.health();
        httplib_us.push_back(us(Clock::now() - t0));
      };
      for (int i = 0; i < checks; ++i) {
        if (i % 2 == 0) {
          time_check();
          time_floor();
          time_httplib();
        } else {
          time_httplib();
          time_floor();
          time_check();
        }
        check_ratio.push_back(check_us.back() / floor_us.back());
      }
    }
    auto per_test = [&](livegui::AppHandle& handle, const std::string& tag) {
      std::vector<double> out;
      for (int i = 0; i < checks / 10; ++i) {
        livegui::TestRef t{"Bench", tag + std::to_string(i + 1)};
        auto t0 = Clock::now();
        handle.test_started(t);
        handle.ensure_ready(t);
        handle.test_finished(t);
        out.push_back(us(Clock::now() - t0));
      }
      return out;
    };
    std::vector<double> per_test_default_us = per_test(h, "D");
    // The same with the state file on disk (/tmp).
    std::vector<double> per_test_us;
    {
      livegui::AppHandle on_disk(spec_for(app, dir));
      on_disk.ensure_ready({"Bench", "T0"});
      per_test_us = per_test(on_disk, "T");
    }
    // The same with the state file on tmpfs.
    std::vector<double> per_test_tmpfs_us;
    if (fs::is_directory("/dev/shm")) {
      char shm_tmpl[] = "/dev/shm/livegui-harness-bench-XXXXXX";
      if (::mkdtemp(shm_tmpl)) {
        shm_dir = shm_tmpl;
        auto s2 = spec_for(app, shm_dir);
        s2.log_dir = dir / "logs";
        livegui::AppHandle on_tmpfs(s2);
        on_tmpfs.ensure_ready({"Bench", "S0"});
        per_test_tmpfs_us = per_test(on_tmpfs, "S");
      }
    }

    // Respawn after a crash and after an assert (degraded), each measured by
    // ensure_ready() from noticing to the new AUT being ready.
    std::vector<double> crash_ms, degraded_ms;
    int n = 100;
    for (int i = 0; i < respawns; ++i) {
      inject_fatal(*h.hook(), "crash");
      if (!h.wait_for_exit(10s)) throw std::runtime_error("the crash fault did not end the AUT");
      auto ev = h.ensure_ready({"Bench", "R" + std::to_string(n++)});
      if (ev.kind != livegui::ReadyEvent::Kind::Respawned) throw std::runtime_error("expected a respawn after crash");
      crash_ms.push_back(ms(ev.took));

      h.hook()->inject_fault("assert");
      for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;)
        if (h.check().state == livegui::AutHealth::Degraded) break;
      auto log = h.log_file();
      ev = h.ensure_ready({"Bench", "R" + std::to_string(n++)});
      if (ev.kind != livegui::ReadyEvent::Kind::Respawned) throw std::runtime_error("expected a respawn after assert");
      if (ev.reason.find("degraded") == std::string::npos)
        std::fprintf(stderr, "unexpected: %s\n%s\n", ev.reason.c_str(), livegui::tail_file(log, 20).c_str());
      degraded_ms.push_back(ms(ev.took));
    }
    auto graceful = h.stop();
    fs::remove(main_spec.state_file);

    // Stop an AUT that ignores SIGTERM, with the configured grace.
    std::vector<double> stop_ignoring, stop_sigterm;
    for (int i = 0; i < stops; ++i) {
      auto s = spec_for(app, dir, {"--ignore-sigterm"});
      s.shutdown_request = false;
      s.term_grace = grace;
      livegui::AppHandle stubborn(s);
      stubborn.start();
      auto r = stubborn.stop();
      if (!r.sent_sigkill) throw std::runtime_error("expected SIGKILL for an AUT ignoring SIGTERM");
      stop_ignoring.push_back(ms(r.took));

      auto s2 = spec_for(app, dir);
      s2.shutdown_request = false;
      livegui::AppHandle polite(s2);
      polite.start();
      stop_sigterm.push_back(ms(polite.stop().took));
    }

    auto write_costs = [&](const fs::path& where, bool durable) {
      std::vector<double> out;
      livegui::StateFile sf;
      sf.owner = livegui::self_identity();
      for (int i = 0; i < (quick ? 20 : 100); ++i) {
        auto t0 = Clock::now();
        livegui::write_state_file(where / "bench-state.json", sf, durable);
        out.push_back(us(Clock::now() - t0));
      }
      return out;
    };
    auto write_durable = write_costs(dir, true), write_fast = write_costs(dir, false);
    std::vector<double> write_tmpfs = shm_dir.empty() ? std::vector<double>{} : write_costs(shm_dir, true);

    auto c = stats(check_us), pt = stats(per_test_us), r = stats(raw), hs = stats(harness_start),
         hstart = stats(handle_start), cr = stats(crash_ms), dg = stats(degraded_ms), si = stats(stop_ignoring),
         st = stats(stop_sigterm);
    double load[3] = {0, 0, 0};
    ::getloadavg(load, 3);
    std::printf("harness_bench (%s) against %s --headless; load average at the end %.2f %.2f %.2f\n\n",
                quick ? "quick" : "full", app.c_str(), load[0], load[1], load[2]);
    std::printf("  %-34s %22s   %s\n", "what", "median", "notes");
    auto fl = stats(floor_us), hl = stats(httplib_us), cratio = stats(check_ratio);
    row("check() per test", fmt("%.0f us", c.median),
        fmt("p90 %.0f us, n=%.0f; goal <= 110 us", c.p90, checks) +
            fmt("; paired ratio to the floor %.2f x (min %.2f)", cratio.median, cratio.min));
    row("  floor: pidfd poll + raw GET", fmt("%.0f us", fl.median), fmt("p90 %.0f us", fl.p90));
    row("  httplib HookClient::health()", fmt("%.0f us", hl.median), fmt("p90 %.0f us (the old hot path)", hl.p90));
    {
      auto pd = stats(per_test_default_us);
      row("test_started+ensure_ready+finished", fmt("%.0f us", pd.median),
          fmt("p90 %.0f us; goal <= 300 us; default state dir ", pd.p90) + default_dir.string());
    }
    row("  same, state file on disk", fmt("%.0f us", pt.median), fmt("p90 %.0f us (", pt.p90) + dir.string() + ")");
    if (!per_test_tmpfs_us.empty()) {
      auto ptt = stats(per_test_tmpfs_us);
      row("  same, state file on tmpfs", fmt("%.0f us", ptt.median), fmt("p90 %.0f us (/dev/shm)", ptt.p90));
    }
    row("state file write, fsync / none", fmt("%.0f / %.0f us", stats(write_durable).median, stats(write_fast).median),
        "on disk");
    if (!write_tmpfs.empty()) row("state file write on tmpfs, fsync", fmt("%.0f us", stats(write_tmpfs).median), "");
    row("AUT time-to-ready, raw", fmt("%.1f ms", r.median), "posix_spawn + ready line on a pipe");
    row("harness spawn -> ready", fmt("%.1f ms", hs.median), fmt("ratio %.2f x raw", hs.median / r.median));
    row("harness start() incl. state file", fmt("%.1f ms", hstart.median),
        fmt("ratio %.2f x raw", hstart.median / r.median));
    row("respawn after crash (SIGABRT)", fmt("%.1f ms", cr.median),
        fmt("ratio %.2f x raw time-to-ready, +%.1f ms (goal <= +5 ms), n=", cr.median / r.median,
            cr.median - r.median) +
            std::to_string(respawns));
    row("respawn after assert (degraded)", fmt("%.1f ms", dg.median),
        fmt("ratio %.2f x raw, +%.1f ms (includes the old AUT's stop)", dg.median / r.median, dg.median - r.median));
    row("stop, healthy, POST /shutdown", fmt("%.1f ms", ms(graceful.took)), "");
    row("stop, healthy, SIGTERM", fmt("%.1f ms", st.median), "");
    row("stop, SIGTERM ignored", fmt("%.1f ms", si.median),
        fmt("grace %.0f ms -> SIGKILL; overhead %.1f ms", static_cast<double>(grace.count()),
            si.median - static_cast<double>(grace.count())));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "harness_bench: %s\n", e.what());
    fs::remove_all(dir);
    if (!shm_dir.empty()) fs::remove_all(shm_dir);
    return 1;
  }
  fs::remove_all(dir);
  if (!shm_dir.empty()) fs::remove_all(shm_dir);
  return 0;
}
