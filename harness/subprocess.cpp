#include "harness/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/process/v2/environment.hpp>
// Boost 1.81 header-only mode forgets to include process_environment's
// definitions; this one TU provides them.
#include <boost/process/v2/impl/environment.ipp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
#include <boost/process/v2/start_dir.hpp>

#include "common/backoff.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/stop_escalation.hpp"
#include "common/text.hpp"

extern char** environ;

namespace livegui {
namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;

std::string ExitStatus::describe() const {
  if (signaled)
    return "killed by " + signal_name(signal) + (core_dumped ? " (core dumped)" : "");
  return "exit code " + std::to_string(code);
}

namespace {

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

/// Boost 1.81's close_all() compares each whitelisted fd with itself instead
/// of with the next one, so it never closes the gaps between whitelisted fds:
/// every non-close-on-exec fd below the highest one (its error pipe, our
/// inherit_fds) leaked into the child. Closes those gaps (fds >= 3); the range
/// above the highest is closed by Boost. Runs after fork: no allocation.
void close_whitelist_gaps(const std::vector<int>& whitelist) {
  constexpr std::size_t kMax = 64;
  int keep[kMax];
  std::size_t n = 0;
  for (int fd : whitelist)
    if (fd >= 3 && n < kMax) keep[n++] = fd;
  std::sort(keep, keep + n);
  unsigned int from = 3;
  for (std::size_t i = 0; i < n; ++i) {
    auto fd = static_cast<unsigned int>(keep[i]);
    if (fd > from) ::syscall(SYS_close_range, from, fd - 1, 0);
    from = std::max(from, fd + 1);
  }
}

/// Runs in the forked child before exec: own process group, die with the
/// parent, and a clean signal mask (the parent may block signals).
struct ChildSetup {
  bool die_with_parent;
  pid_t parent;
  std::vector<int> inherit_fds;

  // Parent, before fork: the launcher closes every fd not on its whitelist.
  template <typename Launcher>
  boost::system::error_code on_setup(Launcher& launcher, const bp::filesystem::path&,
                                     const char* const*) const {
    for (int fd : inherit_fds) launcher.fd_whitelist.push_back(fd);
    return {};
  }

  template <typename Launcher>
  boost::system::error_code on_exec_setup(Launcher& launcher, const bp::filesystem::path&,
                                          const char* const*) const {
    if (::setpgid(0, 0) != 0) return {errno, boost::system::system_category()};
    for (int fd : inherit_fds) {
      int flags = ::fcntl(fd, F_GETFD);
      if (flags < 0 || ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0)
        return {errno, boost::system::system_category()};
    }
    close_whitelist_gaps(launcher.fd_whitelist);
    if (die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    return {};
  }
};

std::vector<std::string> build_environment(const SpawnOptions& opt) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& name : opt.env_unset) env.erase(name);
  for (const auto& [k, v] : opt.env_set) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

ExitStatus decode(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED) return ExitStatus::exited(info.si_status);
  return ExitStatus::killed(info.si_status, info.si_code == CLD_DUMPED);
}

}  // namespace

std::filesystem::path find_executable(const std::string& name) {
  namespace fs = std::filesystem;
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return fs::absolute(name).lexically_normal();
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    auto colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate))
      return fs::absolute(candidate);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

Subprocess Subprocess::spawn(const SpawnOptions& opt) {
  namespace fs = std::filesystem;
  const std::string shown = opt.executable.string();
  fs::path exe = find_executable(shown);
  if (exe.empty()) throw SpawnError("cannot start '" + shown + "': not found in PATH");
  std::error_code ec;
  auto st = fs::status(exe, ec);
  if (ec || !fs::exists(st)) throw SpawnError("cannot start " + exe.string() + ": no such file");
  if (fs::is_directory(st)) throw SpawnError("cannot start " + exe.string() + ": is a directory");
  if (::access(exe.c_str(), X_OK) != 0)
    throw SpawnError("cannot start " + exe.string() + ": not executable (" + std::strerror(errno) + ")");
  if (!opt.cwd.empty() && !fs::is_directory(opt.cwd, ec))
    throw SpawnError("cannot start " + exe.string() + ": working directory " + opt.cwd.string() +
                     " does not exist");

  int out_fd = -1;
  if (!opt.output_file.empty()) {
    out_fd = ::open(opt.output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out_fd < 0)
      throw SpawnError("cannot start " + exe.string() + ": cannot open log file " +
                       opt.output_file.string() + ": " + std::strerror(errno));
  }
  // Anything buffered in our stdio would otherwise be written twice.
  std::fflush(nullptr);

  Subprocess child;
  child.executable_ = exe;
  try {
    boost::asio::io_context ctx;
    ChildSetup setup{opt.die_with_parent, ::getpid(), opt.inherit_fds};
    auto env = build_environment(opt);
    // process_stdio's bindings own the fds they open; build it in place.
    auto start = [&](auto&&... extra) {
      if (out_fd >= 0)
        return bp::process(ctx, bp::filesystem::path(exe.string()), opt.args,
                           bp::process_stdio{nullptr, out_fd, out_fd}, bp::process_environment(env), setup,
                           extra...);
      return bp::process(ctx, bp::filesystem::path(exe.string()), opt.args,
                         bp::process_stdio{nullptr, nullptr, nullptr}, bp::process_environment(env), setup,
                         extra...);
    };
    bp::process proc = opt.cwd.empty() ? start() : start(bp::process_start_dir(opt.cwd.string()));
    child.pid_ = proc.id();
    proc.detach();  // we own the pid from here on, through our pidfd
  } catch (const std::exception& e) {
    if (out_fd >= 0) ::close(out_fd);
    std::string why = e.what();
    auto colon = why.find(": ");  // "default_launcher: No such file…" → the reason
    if (colon != std::string::npos) why = why.substr(colon + 2);
    throw SpawnError("cannot start " + exe.string() + ": " + why);
  }
  if (out_fd >= 0) ::close(out_fd);
  child.pidfd_ = open_pidfd(child.pid_);
  if (auto st2 = read_proc_stat(child.pid_)) child.start_time_ = st2->start_time;
  logger("harness")->debug("started {} (pid {})", exe.string(), child.pid_);
  return child;
}

Subprocess::Subprocess(Subprocess&& other) noexcept { *this = std::move(other); }

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (valid()) stop(std::chrono::milliseconds(500), std::chrono::milliseconds(1000));
    reset();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    start_time_ = std::exchange(other.start_time_, 0);
    status_ = std::exchange(other.status_, std::nullopt);
    executable_ = std::move(other.executable_);
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (valid()) {
    try {
      stop(std::chrono::milliseconds(500), std::chrono::milliseconds(1000));
    } catch (...) {
    }
  }
  reset();
}

void Subprocess::reset() noexcept {
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
  pid_ = -1;
}

std::optional<ExitStatus> Subprocess::try_wait() {
  if (status_ || pid_ <= 0) return status_;
  siginfo_t info{};
  int rc = pidfd_ >= 0 ? ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_), &info,
                                  WEXITED | WNOHANG)
                       : ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG);
  if (rc == 0 && info.si_pid != 0) {
    status_ = decode(info);
  } else if (rc != 0 && errno == ECHILD) {
    // Someone else reaped it (e.g. a SIGCHLD handler); we cannot know how it ended.
    status_ = ExitStatus::exited(-1);
  }
  return status_;
}

std::optional<ExitStatus> Subprocess::wait_for(std::chrono::nanoseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto st = try_wait()) return st;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    } else {
      // No pidfd (very old kernel): short back-off polling.
      timespec ts{0, 2'000'000};
      ::nanosleep(&ts, nullptr);
    }
  }
}

bool Subprocess::signal_group(int sig) {
  if (pid_ <= 0) return false;
  // While the leader is unreaped (or any member lives) the pgid cannot be
  // reused, so signalling -pgid reaches only our processes.
  if (!status_) return ::kill(-pid_, sig) == 0;
  if (group_members().empty()) return false;
  return ::kill(-pid_, sig) == 0;
}

std::vector<pid_t> Subprocess::group_members() const {
  if (pid_ <= 0) return {};
  return processes_in_group(pid_);
}

bool Subprocess::wait_group_gone(Clock::time_point deadline) {
  // The child first (kernel notification), then stragglers in its group.
  if (!wait_for(deadline - Clock::now())) return false;
  return poll_until(
      [&] {
        auto members = group_members();
        for (pid_t m : members) ::waitpid(m, nullptr, WNOHANG);  // reap if they became ours
        return members.empty();
      },
      deadline, Backoff(std::chrono::microseconds(200), std::chrono::milliseconds(20)));
}

StopReport Subprocess::stop(std::chrono::milliseconds term_grace, std::chrono::milliseconds kill_wait) {
  StopReport report;
  auto started = Clock::now();
  if (pid_ <= 0) return report;
  report.already_exited = try_wait().has_value();
  if (!report.already_exited || !group_members().empty()) {
    StopResult r = escalate_stop({[this](int sig) { return signal_group(sig); },
                                  [this](Clock::time_point deadline) { return wait_group_gone(deadline); }},
                                 term_grace, kill_wait);
    report.sent_sigterm = r.outcome != StopOutcome::NothingToStop;
    report.sent_sigkill = r.sent_sigkill;
    if (r.outcome == StopOutcome::Stuck) {
      report.stuck = true;
      logger("harness")->error("{} (pid {}) did not die within {} of SIGKILL; moving on",
                               executable_.string(), pid_, human_duration(kill_wait));
    }
  }
  if (status_) report.status = *status_;
  report.took = Clock::now() - started;
  return report;
}

}  // namespace livegui
