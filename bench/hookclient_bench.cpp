// hookclient_bench: how fast a test learns that its AUT broke.
//
// For the faults `assert` and `hang` of sample_app, over N fresh app starts:
// the time from inject_fault() returning to HookClient::wait_until() throwing
// SubprocessDegraded, next to the naive fixture that polls the state every
// 500 ms until a 120 s timeout (its latency is that timeout by construction;
// a short run of the same loop shows it). Also the median cost of one health()
// round trip on the kept-alive connection.
//
//   hookclient_bench [--runs N] [--quick] [--health-calls N] [--app PATH]

#include <poll.h>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/ready_line.hpp"
#include "common/text.hpp"
#include "harness/subprocess.hpp"
#include "hookclient/hook_client.hpp"

namespace {

using namespace std::chrono_literals;
using livegui::HookClient;
using livegui::Subprocess;
using Clock = std::chrono::steady_clock;
using std::chrono::duration;
using std::chrono::nanoseconds;

constexpr auto kNaiveTimeout = 120s;
constexpr auto kNaivePoll = 500ms;

struct Options {
  int runs = 20;
  int health_calls = 2000;
  bool quick = false;
  std::filesystem::path app = LIVEGUI_SAMPLE_APP;
};

struct App {
  Subprocess process;
  int port = 0;
  std::filesystem::path log;
};

std::optional<int> ready_port(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line))
    if (auto ready = livegui::parse_ready_line(line)) return ready->port;
  return std::nullopt;
}

App launch(const Options& opt, const std::filesystem::path& dir, int n) {
  livegui::SpawnOptions so;
  so.executable = opt.app;
  so.args = {"--headless", "--enable-faults"};
  so.env_set["LIVEGUI_HOOK_PORT"] = "0";
  so.output_file = dir / ("app-" + std::to_string(n) + ".log");
  App app{Subprocess::spawn(so), 0, so.output_file};
  auto deadline = Clock::now() + 20s;
  auto backoff = 1ms;
  while (Clock::now() < deadline) {
    if (auto port = ready_port(app.log)) {
      app.port = *port;
      return app;
    }
    // The pidfd wait is the back-off: it returns at once if the app dies.
    if (auto st = app.process.wait_for(backoff))
      throw std::runtime_error("sample_app exited before it was ready (" + st->describe() + "):\n" +
                               livegui::tail_file(app.log, 10));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
  }
  throw std::runtime_error("sample_app not ready after 20 s:\n" + livegui::tail_file(app.log, 10));
}

std::unique_ptr<HookClient> client_for(App& app) {
  livegui::HookClientOptions o;
  o.port = app.port;
  auto client = std::make_unique<HookClient>(o);
  client->set_liveness_probe([&app]() -> std::optional<std::string> {
    if (auto st = app.process.try_wait()) return st->describe();
    return std::nullopt;
  });
  return client;
}

auto project_is_demo = [](const nlohmann::json& s) { return s["values"]["project"] == "demo"; };

// One fault run: fresh app, inject, time until SubprocessDegraded.
nanoseconds fault_to_diagnostic(const Options& opt, const std::filesystem::path& dir, const std::string& kind, int n,
                                std::string& cause) {
  App app = launch(opt, dir, n);
  auto client = client_for(app);
  if (!client->health().ok) throw std::runtime_error("sample_app not healthy before the fault");
  client->inject_fault(kind);
  auto start = Clock::now();
  nanoseconds took{};
  try {
    client->wait_until(project_is_demo, kNaiveTimeout, "project switched to 'demo'");
    throw std::runtime_error("wait_until returned despite the '" + kind + "' fault");
  } catch (const livegui::SubprocessDegraded& e) {
    took = Clock::now() - start;
    cause = std::string(livegui::to_string(e.info().cause));
  }
  client.reset();
  app.process.stop(200ms, 2s);
  return took;
}

// The naive fixture: poll the state every 500 ms until the timeout.
nanoseconds naive_poll(const Options& opt, const std::filesystem::path& dir, const std::string& kind,
                       std::chrono::milliseconds timeout) {
  App app = launch(opt, dir, 1000);
  auto client = client_for(app);
  client->inject_fault(kind);
  auto start = Clock::now();
  while (Clock::now() - start < timeout) {
    if (project_is_demo(client->state())) break;
    ::poll(nullptr, 0, static_cast<int>(kNaivePoll.count()));
  }
  auto took = Clock::now() - start;
  client.reset();
  app.process.stop(200ms, 2s);
  return took;
}

std::vector<nanoseconds> health_round_trips(const Options& opt, const std::filesystem::path& dir) {
  App app = launch(opt, dir, 2000);
  auto client = client_for(app);
  for (int i = 0; i < 50; ++i) client->health();  // warm-up, connection established
  std::vector<nanoseconds> out;
  out.reserve(static_cast<std::size_t>(opt.health_calls));
  for (int i = 0; i < opt.health_calls; ++i) {
    auto t0 = Clock::now();
    client->health();
    out.push_back(Clock::now() - t0);
  }
  client.reset();
  app.process.stop(2s, 2s);
  return out;
}

nanoseconds percentile(std::vector<nanoseconds> v, double p) {
  std::sort(v.begin(), v.end());
  auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

std::string fmt(nanoseconds d) {
  char buf[32];
  double us = duration<double, std::micro>(d).count();
  if (us < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f us", us);
  } else if (us < 1e6) {
    std::snprintf(buf, sizeof buf, "%.1f ms", us / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f s", us / 1e6);
  }
  return buf;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--runs") {
      o.runs = std::stoi(value());
    } else if (a == "--health-calls") {
      o.health_calls = std::stoi(value());
    } else if (a == "--quick") {
      o.quick = true;
    } else if (a == "--app") {
      o.app = value();
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: hookclient_bench [--runs N] [--quick] [--health-calls N] [--app PATH]\n");
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  if (o.quick) {
    o.runs = std::min(o.runs, 5);
    o.health_calls = std::min(o.health_calls, 500);
  }
  if (o.runs < 1 || o.health_calls < 1) throw std::invalid_argument("--runs and --health-calls must be >= 1");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  try {
    opt = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hookclient_bench: %s\n", e.what());
    return 2;
  }
  char tmpl[] = "/tmp/livegui-hookclient-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::fprintf(stderr, "hookclient_bench: mkdtemp: %s\n", std::strerror(errno));
    return 1;
  }
  std::filesystem::path dir = tmpl;
  int rc = 0;
  try {
    std::printf(
        "hookclient_bench: sample_app --headless, %d fresh starts per fault, default HookClientOptions\n"
        "(heartbeat threshold 1 s, poll 2..50 ms); naive baseline = poll state every 500 ms until 120 s\n\n",
        opt.runs);
    std::printf("%-7s %-14s %10s %10s %10s %14s %10s\n", "fault", "detected as", "median", "min", "max",
                "naive (120 s)", "ratio");
    for (const std::string kind : {"assert", "hang"}) {
      std::vector<nanoseconds> lat;
      std::string cause;
      for (int i = 0; i < opt.runs; ++i) lat.push_back(fault_to_diagnostic(opt, dir, kind, i, cause));
      nanoseconds med = percentile(lat, 0.5);
      double ratio = duration<double>(kNaiveTimeout).count() / duration<double>(med).count();
      std::printf("%-7s %-14s %10s %10s %10s %14s %9.0fx\n", kind.c_str(),
                  cause == "stopped advancing frames" ? "frame stall" : cause.c_str(), fmt(med).c_str(),
                  fmt(*std::min_element(lat.begin(), lat.end())).c_str(),
                  fmt(*std::max_element(lat.begin(), lat.end())).c_str(), fmt(kNaiveTimeout).c_str(), ratio);
      std::fflush(stdout);
    }
    if (!opt.quick) {
      // The naive loop really does run to its timeout: shown with 2 s instead of 120 s.
      auto naive = naive_poll(opt, dir, "assert", 2s);
      std::printf("\nnaive loop run against an asserted app with a 2 s timeout: gave up after %s (= its timeout)\n",
                  fmt(naive).c_str());
    }
    auto rtt = health_round_trips(opt, dir);
    std::printf("\nhealth() round trip, kept-alive, %d calls: median %s, p90 %s, p99 %s\n", opt.health_calls,
                fmt(percentile(rtt, 0.5)).c_str(), fmt(percentile(rtt, 0.9)).c_str(),
                fmt(percentile(rtt, 0.99)).c_str());
    std::printf(
        "(HookClient, the protocol client; the per-test check uses the harness's HealthProbe: harness_bench)\n");
    double load[3] = {0, 0, 0};
    ::getloadavg(load, 3);
    std::printf("load average at the end: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hookclient_bench: %s\n", e.what());
    rc = 1;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return rc;
}
