#include "harness/xvfb.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.hpp"
#include "common/text.hpp"
#include "common/x_display_files.hpp"

namespace livegui {
using Clock = std::chrono::steady_clock;

namespace {

struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
};

std::string log_tail_note(const std::filesystem::path& log) {
  if (log.empty()) return "";
  std::string tail = tail_file(log, 10);
  return tail.empty() ? "" : "; last lines of " + log.string() + ":\n" + indent(tail, "  ");
}

}  // namespace

bool XvfbServer::available(const std::filesystem::path& executable) {
  auto exe = find_executable(executable.string());
  return !exe.empty() && ::access(exe.c_str(), X_OK) == 0;
}

XvfbServer XvfbServer::start(const XvfbOptions& options) {
  const std::string shown = options.executable.string();
  if (!available(options.executable))
    throw XvfbError("starting the X server for the AUT: " + shown +
                    " not found or not executable (install the 'xvfb' package, or use display = \"inherit\")");
  Pipe pipe;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw XvfbError("starting " + shown + ": pipe2 failed: " + std::strerror(errno));
  pipe.read = fds[0];
  pipe.write = fds[1];

  SpawnOptions spawn;
  spawn.executable = options.executable;
  spawn.args = {"-displayfd",  std::to_string(pipe.write), "-noreset", "-nolisten", "tcp", "-screen", "0",
                options.screen};
  spawn.output_file = options.log_file;
  spawn.inherit_fds = {pipe.write};

  XvfbServer server;
  server.options_ = options;
  try {
    server.process_ = Subprocess::spawn(spawn);
  } catch (const SpawnError& e) {
    throw XvfbError(std::string("starting the X server for the AUT: ") + e.what());
  }
  ::close(pipe.write);  // so that Xvfb exiting gives us EOF
  pipe.write = -1;

  const auto started = Clock::now();
  const auto deadline = started + options.start_timeout;
  std::string text;
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      pid_t pid = server.pid();
      server.process_.stop(options.term_grace, options.kill_wait);
      throw XvfbError("starting " + shown + " (pid " + std::to_string(pid) + "): no display number after " +
                      human_duration(options.start_timeout) + log_tail_note(options.log_file));
    }
    pollfd p[2] = {{pipe.read, POLLIN, 0}, {server.process_.pidfd(), POLLIN, 0}};
    ::poll(p, server.process_.pidfd() >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (p[0].revents & (POLLIN | POLLHUP)) {
      char buf[32];
      ssize_t n = ::read(pipe.read, buf, sizeof buf);
      if (n > 0) text.append(buf, static_cast<std::size_t>(n));
      auto nl = text.find('\n');
      if (nl != std::string::npos) {
        char* end = nullptr;
        long number = std::strtol(text.c_str(), &end, 10);
        if (end == text.c_str() || number < 0) {
          server.process_.stop(options.term_grace, options.kill_wait);
          throw XvfbError("starting " + shown + ": it reported '" + text.substr(0, nl) +
                          "' instead of a display number");
        }
        server.number_ = static_cast<int>(number);
        server.display_ = ":" + std::to_string(number);
        // It listens by now: this socket file is its own (stop() removes it if it cannot).
        server.socket_ = x_display_socket(server.number_);
        logger("harness")->debug("Xvfb pid {} serves display {} (ready in {})", server.pid(), server.display_,
                                 human_duration(Clock::now() - started));
        return server;
      }
      if (n == 0) {  // EOF without a number: it exited (or closed the fd)
        auto status = server.process_.wait_for(std::chrono::milliseconds(500));
        server.process_.stop(options.term_grace, options.kill_wait);
        throw XvfbError("starting " + shown + ": it exited before reporting a display (" +
                        (status ? status->describe() : std::string("still running, closed the display fd")) + ")" +
                        log_tail_note(options.log_file));
      }
    }
    if (auto status = server.process_.try_wait()) {
      server.process_.stop(options.term_grace, options.kill_wait);
      throw XvfbError("starting " + shown + ": it exited before reporting a display (" + status->describe() + ")" +
                      log_tail_note(options.log_file));
    }
  }
}

XvfbServer::~XvfbServer() {
  try {
    stop();
  } catch (...) {}
}

bool XvfbServer::running() { return process_.valid() && process_.running(); }

bool XvfbServer::ensure_running() {
  if (running()) return false;
  std::string old = display_;
  std::string why = process_.valid() && process_.exit_status() ? process_.exit_status()->describe() : "not running";
  stop();
  *this = start(options_);
  logger("harness")->warn("Xvfb for display {} had died ({}); restarted on {}", old, why, display_);
  return true;
}

StopReport XvfbServer::stop() {
  if (!process_.valid()) return {};
  const pid_t pid = process_.pid();
  auto report = process_.stop(options_.term_grace, options_.kill_wait);
  // Ended by SIGTERM it removed its lock and socket itself; SIGKILLed (by our
  // escalation, or by someone before we found it dead) it could not. Ours:
  // the pid we spawned and have just reaped, and the socket file it listened on.
  if (socket_) {
    std::string removed = remove_dead_x_server_files(*socket_, pid);
    if (!removed.empty()) logger("harness")->debug("Xvfb pid {} ended without cleaning up: removed {}", pid, removed);
  }
  process_ = Subprocess();
  display_.clear();
  number_ = -1;
  socket_.reset();
  return report;
}

}  // namespace livegui
