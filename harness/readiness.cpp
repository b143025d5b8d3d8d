#include "harness/readiness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "common/backoff.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "hookclient/hook_client.hpp"

namespace livegui {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kBackoffMin = 1ms;
constexpr auto kBackoffMax = 20ms;

/// Reads what a file gained since the last call and hands out complete lines.
class LogFollower {
 public:
  explicit LogFollower(fs::path path) : path_(std::move(path)) {}
  ~LogFollower() {
    if (fd_ >= 0) ::close(fd_);
  }
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  /// The first ready line among the new complete lines, if any.
  std::optional<ReadyLine> scan() {
    if (fd_ < 0) {
      fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd_ < 0) return std::nullopt;
    }
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending_.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t start = 0;
    for (;;) {
      auto nl = pending_.find('\n', start);
      if (nl == std::string::npos) break;
      std::string line = pending_.substr(start, nl - start);
      start = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (auto ready = parse_ready_line(line)) {
        pending_.erase(0, start);
        return ready;
      }
    }
    pending_.erase(0, start);
    // A very long line without a newline is not the ready line; do not hoard it.
    if (pending_.size() > 64 * 1024) pending_.clear();
    return std::nullopt;
  }

 private:
  fs::path path_;
  int fd_ = -1;
  std::string pending_;
};

std::optional<int> read_port_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  char buf[32];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  buf[n] = '\0';
  // Written atomically (rename), so a complete "<port>\n" or nothing.
  char* end = nullptr;
  long port = std::strtol(buf, &end, 10);
  if (end == buf || *end != '\n' || port <= 0 || port > 65535) return std::nullopt;
  return static_cast<int>(port);
}

/// A watch on the log file (or the port file's directory) for one wait.
class ScopedWatch {
 public:
  ScopedWatch(FileWatch* watch, const fs::path& path, bool directory) : watch_(watch) {
    if (watch_) id_ = watch_->add(path, directory);
  }
  ~ScopedWatch() {
    if (watch_) watch_->remove(id_);
  }
  ScopedWatch(const ScopedWatch&) = delete;
  ScopedWatch& operator=(const ScopedWatch&) = delete;
  /// The fd to poll, -1 when there is none.
  int fd() const { return watch_ && id_ >= 0 ? watch_->fd() : -1; }
  void drain() {
    if (watch_) watch_->drain();
  }

 private:
  FileWatch* watch_;
  int id_ = -1;
};

/// Waits until the child exits, the watch fires, or `wait` passes.
void wait_for_event(Subprocess& child, ScopedWatch* watch, std::chrono::milliseconds wait) {
  pollfd fds[2];
  nfds_t n = 0;
  if (child.pidfd() >= 0) fds[n++] = {child.pidfd(), POLLIN, 0};
  if (watch && watch->fd() >= 0) fds[n++] = {watch->fd(), POLLIN, 0};
  ::poll(fds, n, static_cast<int>(std::max<long long>(1, wait.count())));
  if (watch) watch->drain();
}

/// Fixed port: does /health answer, and for whom?
enum class HealthAnswer { None, Ours, Foreign };

HealthAnswer ask_health(HookClient& client, pid_t pgid, pid_t& answered_pid) {
  try {
    Health h = client.health();
    answered_pid = h.pid;
    auto st = read_proc_stat(h.pid);
    return st && st->pgid == pgid ? HealthAnswer::Ours : HealthAnswer::Foreign;
  } catch (const HookUnreachable&) {
    return HealthAnswer::None;
  } catch (const HookError& e) {
    // Something answers, but not as a hook server should (or it refuses us).
    logger("harness")->debug("fixed port health probe: {}", e.what());
    return HealthAnswer::None;
  }
}

}  // namespace

ReadyResult wait_until_ready(Subprocess& child, const AppSpec& spec, const fs::path& log_file,
                             const fs::path& port_file, FileWatch* file_watch) {
  const auto started = Clock::now();
  const auto deadline = started + spec.ready_timeout;
  ReadyResult result;
  auto finish = [&](ReadyOutcome outcome) {
    result.outcome = outcome;
    result.took = Clock::now() - started;
    return result;
  };

  std::optional<ScopedWatch> watch;
  std::optional<LogFollower> follower;
  std::unique_ptr<HookClient> client;
  switch (spec.readiness) {
    case Readiness::AnnouncedPort:
      watch.emplace(file_watch, log_file, false);
      follower.emplace(log_file);
      break;
    case Readiness::PortFile: watch.emplace(file_watch, port_file.parent_path(), true); break;
    case Readiness::FixedPort: {
      HookClientOptions opt;
      opt.port = spec.port;
      opt.token = spec.token;
      opt.connect_timeout = 200ms;
      opt.read_timeout = 1000ms;
      opt.write_timeout = 1000ms;
      client = std::make_unique<HookClient>(opt);
      break;
    }
  }

  Backoff backoff(kBackoffMin, kBackoffMax);
  for (;;) {
    // Look for the signal before asking whether the child exited: an app that
    // announced and then died is reported by the first check() instead.
    switch (spec.readiness) {
      case Readiness::AnnouncedPort:
        if (auto ready = follower->scan()) {
          result.port = ready->port;
          return finish(ReadyOutcome::Ready);
        }
        break;
      case Readiness::PortFile:
        if (auto port = read_port_file(port_file)) {
          result.port = *port;
          return finish(ReadyOutcome::Ready);
        }
        break;
      case Readiness::FixedPort:
        switch (ask_health(*client, child.pgid(), result.answered_pid)) {
          case HealthAnswer::Ours: result.port = spec.port; return finish(ReadyOutcome::Ready);
          case HealthAnswer::Foreign: result.port = spec.port; return finish(ReadyOutcome::WrongServer);
          case HealthAnswer::None: break;
        }
        break;
    }
    if (child.try_wait()) {
      // Output written just before exiting may hold the ready line after all;
      // it does not matter: a dead app is not ready.
      return finish(ReadyOutcome::Exited);
    }
    auto now = Clock::now();
    if (now >= deadline) return finish(ReadyOutcome::TimedOut);
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    wait_for_event(child, watch ? &*watch : nullptr,
                   std::min(std::chrono::ceil<std::chrono::milliseconds>(backoff.next()), left));
  }
}

}  // namespace livegui
