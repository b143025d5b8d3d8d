#include "harness/subprocess_launcher.hpp"

#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <csignal>

#include "common/environment.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/text.hpp"
#include "harness/port_holder.hpp"
#include "harness/readiness.hpp"
#include "hookclient/hook_client.hpp"

namespace livegui {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kLogTailLines = 15;
/// How long probe() waits for an unreachable app to turn out to be exiting.
constexpr auto kUnreachableExitWait = 100ms;

std::string log_tail_block(const fs::path& log) {
  std::string tail = tail_file(log, kLogTailLines);
  if (tail.empty()) return "; its log " + log.string() + " is empty";
  return "; last lines of " + log.string() + ":\n" + indent(tail, "  | ");
}

bool mentions_port_in_use(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("in use") != std::string::npos || lower.find("eaddrinuse") != std::string::npos;
}

HookClientOptions client_options(const AppSpec& spec, int port) {
  HookClientOptions opt;
  opt.port = port;
  opt.token = spec.token;
  opt.heartbeat_threshold = spec.heartbeat_threshold;
  return opt;
}

}  // namespace

SubprocessLauncher::SubprocessLauncher() = default;

SubprocessLauncher::~SubprocessLauncher() {
  try {
    if (owned_) owned_->stop(500ms, 2000ms);
    owned_.reset();
    if (retired_) retired_->stop(500ms, 2000ms);
    retired_.reset();
    attached_.reset();  // not ours to stop
    shutdown();
  } catch (...) {}
}

std::string SubprocessLauncher::prepare_display(const AppSpec& spec, const LaunchRequest& request) {
  if (spec.display != DisplayMode::Xvfb) return {};
  try {
    if (!xvfb_) {
      XvfbOptions opt;
      opt.executable = spec.xvfb_executable;
      // Beside the AUT log this owner claimed (aut-<m>.log → aut-<m>.xvfb.log),
      // so two owners sharing a log folder never write one Xvfb log.
      opt.log_file = request.log_file.parent_path() / (request.log_file.stem().string() + ".xvfb.log");
      opt.start_timeout = std::max<std::chrono::milliseconds>(spec.ready_timeout, 5s);
      xvfb_ = XvfbServer::start(opt);
    } else {
      xvfb_->ensure_running();
    }
  } catch (const XvfbError& e) {
    xvfb_.reset();
    throw StartError(StartFailure::Display,
                     std::string("starting ") + spec.executable.string() + ": no X server for it: " + e.what());
  }
  return xvfb_->display();
}

void SubprocessLauncher::make_health_probe(const AppSpec& spec, int port) {
  HealthProbeOptions opt;
  opt.port = port;
  opt.token = spec.token;
  // A probe must be cheap and bounded even against a wedged app.
  opt.connect_timeout = 500ms;
  opt.read_timeout = 1000ms;
  health_probe_.emplace(opt);
}

LaunchedAut SubprocessLauncher::start(const AppSpec& spec, const LaunchRequest& request) {
  assert(!has_process());
  const std::string exe = spec.executable.string();
  if (spec.port != 0 && port_accepts_connections(spec.port))
    throw StartError(StartFailure::PortInUse, "starting " + exe + ": port " + std::to_string(spec.port) +
                                                  " on 127.0.0.1 is already in use (" +
                                                  describe_port_holder(spec.port) + ")");

  SpawnOptions opt;
  opt.executable = spec.executable;
  opt.args = spec.args;
  opt.cwd = spec.cwd;
  opt.output_file = request.log_file;
  opt.env_set = spec.env;
  opt.env_set[env::kHookPort] = std::to_string(spec.port);
  if (spec.token.empty())
    opt.env_unset.push_back(env::kHookToken);
  else
    opt.env_set[env::kHookToken] = spec.token;
  fs::path port_file;
  if (spec.readiness == Readiness::PortFile) {
    port_file = request.log_file;
    port_file.replace_extension(".port");
    std::error_code ec;
    fs::remove(port_file, ec);
    opt.env_set[env::kHookPortFile] = port_file.string();
  } else {
    opt.env_unset.push_back(env::kHookPortFile);
  }
  std::string display = prepare_display(spec, request);
  if (!display.empty()) {
    opt.env_set["DISPLAY"] = display;
    opt.env_unset.push_back("WAYLAND_DISPLAY");
  } else if (spec.display == DisplayMode::None) {
    opt.env_unset.push_back("DISPLAY");
    opt.env_unset.push_back("WAYLAND_DISPLAY");
  }

  const auto spawned_at = std::chrono::steady_clock::now();
  Subprocess child;
  try {
    child = Subprocess::spawn(opt);
  } catch (const SpawnError& e) {
    throw StartError(StartFailure::Spawn, e.what());
  }
  const std::string who = "starting " + exe + " (pid " + std::to_string(child.pid()) + ")";
  ReadyResult ready = wait_until_ready(child, spec, request.log_file, port_file, &file_watch_);

  switch (ready.outcome) {
    case ReadyOutcome::Ready: {
      current_ = LaunchedAut{child.pid(),
                             child.pgid(),
                             child.start_time(),
                             ready.port,
                             request.log_file,
                             display,
                             std::chrono::steady_clock::now() - spawned_at,
                             std::nullopt};
      if (xvfb_ && xvfb_->socket())
        current_.x_server = XServerRecord{{xvfb_->pid(), xvfb_->start_time()}, *xvfb_->socket()};
      owned_.emplace(std::move(child));
      make_health_probe(spec, ready.port);
      logger("harness")->debug("AUT pid {} ready on port {} in {}", current_.pid, current_.port,
                               human_duration(current_.time_to_ready));
      return current_;
    }
    case ReadyOutcome::Exited: {
      AutExit exit{*child.exit_status(), true};
      child.stop(spec.term_grace, spec.kill_wait);  // stragglers in its group
      std::string tail = tail_file(request.log_file, kLogTailLines);
      std::string when = " after " + human_duration(ready.took);
      if (spec.port != 0 && mentions_port_in_use(tail))
        throw StartError(StartFailure::PortInUse,
                         who + ": port " + std::to_string(spec.port) + " is already in use (" +
                             describe_port_holder(spec.port) + "); the app exited during startup with " +
                             exit.describe() + when + log_tail_block(request.log_file),
                         exit);
      throw StartError(StartFailure::DiedStarting,
                       who + ": the app exited during startup with " + exit.describe() + when +
                           ", before it was ready" + log_tail_block(request.log_file),
                       exit);
    }
    case ReadyOutcome::WrongServer: {
      child.stop(spec.term_grace, spec.kill_wait);
      auto st = read_proc_stat(ready.answered_pid);
      throw StartError(StartFailure::PortInUse,
                       who + ": port " + std::to_string(spec.port) +
                           " is already in use: GET /health there answers for pid " +
                           std::to_string(ready.answered_pid) + (st ? " (" + st->comm + ")" : std::string()) +
                           ", which is not the app we started" + log_tail_block(request.log_file));
    }
    case ReadyOutcome::TimedOut: break;
  }
  auto report = child.stop(spec.term_grace, spec.kill_wait);
  const char* waited = spec.readiness == Readiness::AnnouncedPort ? "the LIVEGUI_HOOK_READY line on its stdout"
                       : spec.readiness == Readiness::PortFile    ? "its port file"
                                                                  : "GET /health to answer";
  throw StartError(StartFailure::Timeout, who + ": not ready after " + human_duration(spec.ready_timeout) +
                                              " (waited for " + waited + "); the process was still running, " +
                                              "stopped it (" + report.status.describe() + ")" +
                                              log_tail_block(request.log_file));
}

LaunchedAut SubprocessLauncher::attach(const AppSpec& spec, const AutRecord& record) {
  assert(!has_process());
  auto adopted = AttachedProcess::adopt(record.pid, record.pgid, record.start_time);
  if (!adopted)
    throw StartError(StartFailure::DiedStarting, "attaching to AUT pid " + std::to_string(record.pid) +
                                                     ": it is gone (or its pid now belongs to another process)");
  attached_.emplace(std::move(*adopted));
  current_ = LaunchedAut{record.pid,      record.pgid,    record.start_time,          record.port,
                         record.log_file, record.display, std::chrono::nanoseconds(0), record.x_server};
  make_health_probe(spec, record.port);
  return current_;
}

bool SubprocessLauncher::has_process() const { return owned_.has_value() || attached_.has_value(); }

StackCapture SubprocessLauncher::capture_stacks(const StackCaptureOptions& options) {
  // Only the process we started or attached to, and only while it is still
  // that process (pid and start time): a debugger never attaches to a stranger.
  if (!has_process() || !is_same_process(current_.pid, current_.start_time)) return {};
  StackCaptureOptions o = options;
  if (o.hook_port == 0) o.hook_port = current_.port;
  return livegui::capture_stacks(current_.pid, o);
}

std::optional<AutExit> SubprocessLauncher::exited() {
  if (owned_) {
    if (auto st = owned_->try_wait()) return AutExit{*st, true};
    return std::nullopt;
  }
  if (attached_ && attached_->exited()) return AutExit{ExitStatus::exited(-1), false};
  return std::nullopt;
}

std::optional<AutExit> SubprocessLauncher::wait_exit(std::chrono::milliseconds timeout) {
  if (owned_) {
    if (auto st = owned_->wait_for(timeout)) return AutExit{*st, true};
    return std::nullopt;
  }
  if (attached_ && attached_->wait_exit(timeout)) return AutExit{ExitStatus::exited(-1), false};
  return std::nullopt;
}

Probe SubprocessLauncher::probe() {
  Probe out;
  if (!has_process()) {
    out.unreachable = "no AUT process";
    return out;
  }
  if ((out.exited = exited())) return out;
  try {
    Health h = health_probe_->get();
    out.health = HealthReading{h.ok, h.pid, h.frame, h.last_frame_age_ms, h.reasons, h.busy_ms};
  } catch (const HookError& e) {
    // Unreachable while alive is often a process on its way out: give the
    // kernel a moment to tell us before calling it degraded.
    if ((out.exited = wait_exit(kUnreachableExitWait))) return out;
    out.unreachable = e.what();
  }
  return out;
}

bool SubprocessLauncher::request_shutdown(const AppSpec& spec) {
  HookClientOptions opt = client_options(spec, current_.port);
  opt.connect_timeout = 200ms;
  opt.read_timeout = 1000ms;
  opt.write_timeout = 500ms;
  try {
    HookClient client(opt);
    client.shutdown();
    return true;
  } catch (const HookError& e) {
    logger("harness")->debug("POST /shutdown to AUT pid {} failed ({}); using signals", current_.pid, e.what());
    return false;
  }
}

StopReport SubprocessLauncher::stop(const AppSpec& spec, bool graceful) {
  StopReport report;
  auto started = std::chrono::steady_clock::now();
  try {
    // Our kept-alive /health connection would hold one of the app's server
    // threads, and a server that joins its threads on shutdown would wait
    // for that connection to time out.
    health_probe_.reset();
    bool asked = false;
    if (graceful && spec.shutdown_request && has_process() && !exited()) asked = request_shutdown(spec);
    if (owned_) {
      if (asked && !owned_->wait_for(spec.term_grace)) {
        // It accepted /shutdown but did not leave within the grace: no second grace.
        report = owned_->stop(0ms, spec.kill_wait);
      } else {
        // Not asked, or it exited: SIGTERM → grace → SIGKILL for what is left of the group.
        report = owned_->stop(spec.term_grace, spec.kill_wait);
      }
      if (asked && report.already_exited) report.already_exited = false;  // it exited because we asked
    } else if (attached_) {
      if (asked) attached_->wait_exit(spec.term_grace);
      report = attached_->stop(asked ? 0ms : spec.term_grace, spec.kill_wait);
    }
  } catch (const std::exception& e) {
    logger("harness")->error("stopping AUT pid {}: {}", current_.pid, e.what());
  }
  owned_.reset();
  attached_.reset();
  health_probe_.reset();
  finish_retired(spec);
  report.took = std::chrono::steady_clock::now() - started;
  return report;
}

StopReport SubprocessLauncher::retire(const AppSpec& spec) {
  // An exited AUT, an attached one or one with stragglers is stopped as usual
  // (quick, and its exit status is the news); a running one is only asked.
  if (!owned_ || exited() || retired_) return stop(spec, false);
  StopReport report;
  auto started = std::chrono::steady_clock::now();
  health_probe_.reset();
  report.sent_sigterm = owned_->signal_group(SIGTERM);
  if (report.sent_sigterm) owned_->signal_group(SIGCONT);  // a stopped process cannot act on SIGTERM
  retired_ = std::move(owned_);
  owned_.reset();
  report.took = std::chrono::steady_clock::now() - started;
  return report;
}

void SubprocessLauncher::finish_retired(const AppSpec& spec) {
  if (!retired_) return;
  try {
    StopReport r = retired_->stop(spec.term_grace, spec.kill_wait);
    if (r.sent_sigkill)
      logger("harness")->warn("retired AUT pid {} ignored SIGTERM for {}: killed", retired_->pid(),
                              human_duration(spec.term_grace));
  } catch (const std::exception& e) {
    logger("harness")->error("stopping retired AUT pid {}: {}", retired_->pid(), e.what());
  }
  retired_.reset();
}

void SubprocessLauncher::release() {
  attached_.reset();
  if (owned_) {
    // An owned child cannot be released: it would die with us anyway (PDEATHSIG).
    owned_->stop(500ms, 2000ms);
    owned_.reset();
  }
  health_probe_.reset();
}

void SubprocessLauncher::shutdown() {
  if (xvfb_) {
    xvfb_->stop();
    xvfb_.reset();
  }
}

}  // namespace livegui
