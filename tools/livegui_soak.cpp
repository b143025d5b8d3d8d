// livegui-soak: spawn → check → fault → respawn, over and over, with one
// AppHandle against sample_app --headless --enable-faults, to show that the
// harness neither leaks processes, file descriptors or memory, nor slows down.
//
//   livegui-soak [--cycles 1000] [--json OUT] [--max-fd-drift 2] [--max-rss-drift-kb 16384]
//
// Each cycle: ensure_ready() (a respawn, after the first), a click and a
// check() that must be healthy, then one fault, rotating through assert,
// crash, segv, hang and exit, and a wait (bounded) until the handle sees it.
// After every respawn, the processes of this program other than the current
// AUT's group are counted as leaked. File descriptors (/proc/self/fd) and RSS
// (/proc/self/statm) are taken after the first cycle and after the last, with
// the AUT in the same phase. Exit status 0 when nothing failed, nothing
// leaked and the drifts are within the limits given.
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/backoff.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "harness/app_handle.hpp"
#include "hookclient/hook_client.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kFaults[] = {"assert", "crash", "segv", "hang", "exit"};

int open_fds() {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/self/fd", ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    ++n;
  return n - 1;  // the directory iterator's own fd
}

long rss_kb() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

/// Nearest-rank percentile of `values` (sorted in place).
double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

/// Our processes that are not the current AUT's group: leaked.
std::vector<pid_t> leaked(pid_t aut_pgid) {
  std::vector<pid_t> out;
  for (pid_t p : livegui::descendants_of(::getpid())) {
    auto st = livegui::read_proc_stat(p);
    if (st && (aut_pgid == 0 || st->pgid != aut_pgid)) out.push_back(p);
  }
  return out;
}

/// Polls `condition` with short back-off (1 → 25 ms) until it holds or
/// `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  return livegui::poll_for(condition, timeout,
                           livegui::Backoff(std::chrono::milliseconds(1), std::chrono::milliseconds(25)));
}

struct Soak {
  int cycles = 1000;
  std::string json_out;
  int max_fd_drift = 2;
  long max_rss_drift_kb = 16384;
  fs::path sample_app;
  bool verbose = false;

  int respawns = 0;
  int failures = 0;
  std::vector<std::string> failure_messages;
  int leak_checks = 0;
  std::size_t leaked_total = 0;
  std::size_t leaked_max = 0;
  std::vector<double> respawn_ms;
  std::map<std::string, std::vector<double>> respawn_ms_after;  ///< by the fault that broke the AUT
  std::map<std::string, int> faults;

  void fail(int cycle, const std::string& what) {
    ++failures;
    if (failure_messages.size() < 20) failure_messages.push_back("cycle " + std::to_string(cycle) + ": " + what);
    if (verbose) std::cerr << "livegui-soak: cycle " << cycle << ": " << what << "\n";
  }

  /// Injects `kind` and waits until the handle sees its effect.
  void fault(livegui::AppHandle& app, int cycle, const std::string& kind) {
    try {
      app.hook()->inject_fault(kind);
    } catch (const livegui::HookError&) {
      // A fatal fault may kill the app before its 202 reply is read.
    }
    ++faults[kind];
    bool fatal = kind == "crash" || kind == "segv" || kind == "exit";
    bool seen = fatal ? app.wait_for_exit(5s).has_value()
                      : eventually([&] { return app.check().state == livegui::AutHealth::Degraded; }, 5s);
    if (!seen) fail(cycle, "the " + kind + " fault was not seen within 5 s (" + app.check().describe() + ")");
  }

  int run() {
    char tmpl[] = "/tmp/livegui-soak-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      std::perror("livegui-soak: creating a temporary directory");
      return 2;
    }
    fs::path dir = tmpl;
    livegui::AppSpec spec;
    spec.executable = sample_app;
    spec.args = {"--headless", "--enable-faults"};
    spec.display = livegui::DisplayMode::None;
    spec.state_file = dir / "aut-state.json";
    spec.log_dir = dir / "logs";
    spec.heartbeat_threshold = 500ms;
    spec.term_grace = 300ms;
    spec.kill_wait = 2s;

    const int fds_before = open_fds();
    const long rss_before = rss_kb();
    int fds_start = 0, fds_end = 0;
    long rss_start = 0, rss_end = 0;
    auto started = Clock::now();
    {
      livegui::AppHandle app(spec);
      for (int i = 0; i < cycles; ++i) {
        livegui::TestRef test{"Soak", "cycle" + std::to_string(i)};
        try {
          pid_t old_pgid = app.pgid();
          livegui::ReadyEvent ev = app.ensure_ready(test);
          if (i > 0) {
            if (ev.kind != livegui::ReadyEvent::Kind::Respawned)
              fail(i, "expected a respawn after the previous fault, got none (AUT pid " + std::to_string(ev.pid) + ")");
            else {
              ++respawns;
              double ms = std::chrono::duration<double, std::milli>(ev.took).count();
              respawn_ms.push_back(ms);
              respawn_ms_after[kFaults[(i - 1) % std::size(kFaults)]].push_back(ms);
            }
            if (old_pgid > 0 && !livegui::processes_in_group(old_pgid).empty())
              fail(i, "the previous AUT's group " + std::to_string(old_pgid) + " still has processes");
          }
          auto left = leaked(app.pgid());
          ++leak_checks;
          leaked_total += left.size();
          leaked_max = std::max(leaked_max, left.size());
          if (i == 1 || (i == 0 && cycles == 1)) {
            fds_start = open_fds();
            rss_start = rss_kb();
          }
          if (i == cycles - 1) {
            fds_end = open_fds();
            rss_end = rss_kb();
          }
          app.hook()->click("increment");
          auto c = app.check();
          if (!c.healthy()) fail(i, "check after the click: " + c.describe());
          fault(app, i, kFaults[i % std::size(kFaults)]);
          app.test_finished(test);
        } catch (const std::exception& e) {
          fail(i, e.what());
        }
        if (verbose && (i + 1) % 100 == 0) std::cerr << "livegui-soak: " << i + 1 << " cycles\n";
      }
      app.stop();
    }
    auto wall = std::chrono::duration<double>(Clock::now() - started).count();
    auto after_stop = leaked(0);
    std::error_code ec;
    fs::remove_all(dir, ec);

    std::vector<double> times = respawn_ms;
    json out = {
        {"cycles", cycles},
        {"respawns", respawns},
        {"failures", failures},
        {"failure_messages", failure_messages},
        {"faults", faults},
        {"leaked",
         {{"checks", leak_checks},
          {"total", leaked_total},
          {"max_per_check", leaked_max},
          {"after_stop", after_stop.size()}}},
        {"fds",
         {{"before_first_spawn", fds_before}, {"start", fds_start}, {"end", fds_end}, {"drift", fds_end - fds_start}}},
        {"rss_kb",
         {{"before_first_spawn", rss_before}, {"start", rss_start}, {"end", rss_end}, {"drift", rss_end - rss_start}}},
        {"respawn_ms",
         {{"p50", percentile(times, 0.50)},
          {"p99", percentile(times, 0.99)},
          {"max", times.empty() ? 0.0 : times.back()}}},
        {"wall_s", wall},
    };
    for (auto& [kind, v] : respawn_ms_after)
      out["respawn_ms_after"][kind] = {{"p50", percentile(v, 0.50)}, {"p99", percentile(v, 0.99)}};
    bool ok = failures == 0 && leaked_total == 0 && after_stop.empty() && fds_end - fds_start <= max_fd_drift &&
              rss_end - rss_start <= max_rss_drift_kb;
    out["ok"] = ok;
    std::printf("livegui-soak: %d cycles in %.1f s: %d respawns, %d failures, %zu leaked (%zu after stop)\n", cycles,
                wall, respawns, failures, leaked_total, after_stop.size());
    std::printf("  fds %d -> %d (drift %d, limit %d); RSS %ld -> %ld KiB (drift %ld, limit %ld)\n", fds_start, fds_end,
                fds_end - fds_start, max_fd_drift, rss_start, rss_end, rss_end - rss_start, max_rss_drift_kb);
    std::printf("  respawn p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", out["respawn_ms"]["p50"].get<double>(),
                out["respawn_ms"]["p99"].get<double>(), out["respawn_ms"]["max"].get<double>());
    for (auto& [kind, v] : respawn_ms_after)
      std::printf("    after %-6s p50 %.1f ms, p99 %.1f ms\n", kind.c_str(), percentile(v, 0.50), percentile(v, 0.99));
    for (const auto& m : failure_messages) std::printf("  failure: %s\n", m.c_str());
    if (!json_out.empty()) {
      std::ofstream f(json_out);
      f << out.dump(2) << "\n";
      if (!f) {
        std::fprintf(stderr, "livegui-soak: cannot write %s\n", json_out.c_str());
        return 2;
      }
    }
    return ok ? 0 : 1;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Soak soak;
  soak.sample_app = LIVEGUI_SAMPLE_APP;
  CLI::App cli(
      "Runs spawn → check → fault → respawn cycles against sample_app and reports leaks, fd/RSS drift "
      "and respawn times.",
      "livegui-soak");
  cli.add_option("--cycles", soak.cycles, "cycles to run (default 1000)")->check(CLI::Range(1, 10000000));
  cli.add_option("--json", soak.json_out, "also write the figures as JSON here");
  cli.add_option("--max-fd-drift", soak.max_fd_drift, "fail when open fds grow by more (default 2)");
  cli.add_option("--max-rss-drift-kb", soak.max_rss_drift_kb, "fail when RSS grows by more KiB (default 16384)");
  cli.add_option("--sample-app", soak.sample_app, "the sample_app to run (default: the one built with this)");
  cli.add_flag("-v,--verbose", soak.verbose, "progress and failures on stderr as they happen");
  CLI11_PARSE(cli, argc, argv);
  // Every cycle kills an AUT on purpose: the harness's warnings about it are noise here.
  if (!soak.verbose) livegui::logger("harness")->set_level(spdlog::level::err);
  return soak.run();
}
