#include "harness/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/backoff.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/stop_escalation.hpp"
#include "common/text.hpp"

extern char** environ;

namespace livegui {
using Clock = std::chrono::steady_clock;

std::string ExitStatus::describe() const {
  if (signaled) return "killed by " + signal_name(signal) + (core_dumped ? " (core dumped)" : "");
  return "exit code " + std::to_string(code);
}

namespace {

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

/// Everything the child needs between clone() and execve(), prepared by the
/// parent: the child shares our memory and may only make
/// system calls (no allocation, no locks, no stdio).
struct ChildPlan {
  const char* path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* cwd = nullptr;  ///< nullptr: inherit
  int stdin_fd = -1;          ///< /dev/null, close-on-exec, >= 3
  int out_fd = -1;            ///< the log file or /dev/null, close-on-exec, >= 3
  const int* keep = nullptr;  ///< inherit_fds (>= 3), sorted
  std::size_t keep_count = 0;
  bool die_with_parent = true;
  pid_t parent = 0;
  /// -1, or the write end of a close-on-exec pipe that takes the child's errno
  /// when it cannot exec (where the child does not share our memory: see
  /// Subprocess::spawn under the sanitizers).
  int error_fd = -1;
};

/// The child's side: own process group, die with the parent, stdio, the fds
/// it inherits and no other, a clean signal state, exec. On failure the
/// errno lands in *error (shared memory: the parent is suspended until we
/// exec or exit) and in plan.error_fd when there is one, and the child exits 127.
[[noreturn]] void exec_child(const ChildPlan& plan, volatile int* error) {
  auto fail = [&]() {
    const int err = errno ? errno : EINVAL;
    *error = err;
    if (plan.error_fd >= 0) (void)!::write(plan.error_fd, &err, sizeof err);
    ::_exit(127);
  };
  if (::setpgid(0, 0) != 0) fail();
  if (plan.die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != plan.parent) ::_exit(127);  // the parent died before prctl
  }
  if (::dup2(plan.stdin_fd, 0) < 0 || ::dup2(plan.out_fd, 1) < 0 || ::dup2(plan.out_fd, 2) < 0) fail();
  for (std::size_t i = 0; i < plan.keep_count; ++i) {
    int flags = ::fcntl(plan.keep[i], F_GETFD);
    if (flags < 0 || ::fcntl(plan.keep[i], F_SETFD, flags & ~FD_CLOEXEC) != 0) fail();
  }
  // Every fd >= 3 is closed but the kept ones (ascending) and the error pipe
  // (close-on-exec: it closes at exec, which is how the parent learns of it).
  unsigned int from = 3;
  auto close_up_to = [&](int fd) {
    if (static_cast<unsigned int>(fd) > from) ::syscall(SYS_close_range, from, static_cast<unsigned int>(fd) - 1, 0);
    from = std::max(from, static_cast<unsigned int>(fd) + 1);
  };
  bool error_fd_passed = plan.error_fd < 0;
  for (std::size_t i = 0; i < plan.keep_count; ++i) {
    if (!error_fd_passed && plan.error_fd < plan.keep[i]) {
      close_up_to(plan.error_fd);
      error_fd_passed = true;
    }
    close_up_to(plan.keep[i]);
  }
  if (!error_fd_passed) close_up_to(plan.error_fd);
  ::syscall(SYS_close_range, from, ~0U, 0);
  if (plan.cwd && ::chdir(plan.cwd) != 0) fail();
  // Handlers of ours must not run in the child (it shares our memory until
  // exec): every caught signal back to its default, and an ignored SIGPIPE;
  // then the mask the parent blocked for us is cleared. Only those are set
  // (as glibc's posix_spawn does): exec resets a caught signal anyway, and
  // one already at its default needs no call (half the child's syscalls).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0) continue;
    const bool caught = old.sa_handler != SIG_IGN && old.sa_handler != SIG_DFL;
    if (caught || (sig == SIGPIPE && old.sa_handler == SIG_IGN)) ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(plan.path, plan.argv, plan.envp);
  fail();
}

#if !defined(LIVEGUI_SANITIZE)
struct ChildStart {
  const ChildPlan* plan;
  volatile int* error;
};

int child_main(void* arg) {
  auto* start = static_cast<ChildStart*>(arg);
  exec_child(*start->plan, start->error);
}

constexpr std::size_t kChildStack = 64 * 1024;

/// The stack the clone child runs on until it execs: one per spawning thread,
/// mapped at its first spawn and kept (we are suspended while a child uses
/// it, so no two children of one thread share it at once): an mmap and a
/// munmap, with its TLB flush, less per spawn (issue 13). nullptr when it
/// cannot be mapped (errno set); the next spawn tries again.
void* child_stack() {
  struct Stack {
    void* base = nullptr;
    ~Stack() {
      if (base) ::munmap(base, kChildStack);
    }
  };
  thread_local Stack stack;
  if (!stack.base) {
    void* p = ::mmap(nullptr, kChildStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p != MAP_FAILED) stack.base = p;
  }
  return stack.base;
}
#endif

/// `fd` moved to a close-on-exec descriptor >= 3 (so that dup2 onto 0-2 in
/// the child never meets itself). Returns the new fd; closes the old one.
int above_stdio(int fd) {
  if (fd >= 3) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

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
    throw SpawnError("cannot start " + exe.string() + ": working directory " + opt.cwd.string() + " does not exist");

  int out_fd = -1;
  if (!opt.output_file.empty()) {
    out_fd = ::open(opt.output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out_fd < 0)
      throw SpawnError("cannot start " + exe.string() + ": cannot open log file " + opt.output_file.string() + ": " +
                       std::strerror(errno));
  }
  // Anything buffered in our stdio would otherwise be written twice.
  std::fflush(nullptr);

  Subprocess child;
  child.executable_ = exe;
  auto fail = [&](const std::string& why) {
    if (out_fd >= 0) ::close(out_fd);
    throw SpawnError("cannot start " + exe.string() + ": " + why);
  };
  if (out_fd < 0) out_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  int in_fd = above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  out_fd = above_stdio(out_fd);
  if (in_fd < 0 || out_fd < 0) {
    if (in_fd >= 0) ::close(in_fd);
    fail(std::string("cannot open /dev/null: ") + std::strerror(errno));
  }

  // argv, environment and fds, all allocated before the clone.
  const std::string path = exe.string();
  std::vector<char*> argv{const_cast<char*>(path.c_str())};
  for (const auto& a : opt.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env = build_environment(opt);
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<int> keep;
  for (int fd : opt.inherit_fds)
    if (fd >= 3) keep.push_back(fd);
  std::sort(keep.begin(), keep.end());
  const std::string cwd = opt.cwd.string();
  ChildPlan plan;
  plan.path = path.c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.cwd = opt.cwd.empty() ? nullptr : cwd.c_str();
  plan.stdin_fd = in_fd;
  plan.out_fd = out_fd;
  plan.keep = keep.data();
  plan.keep_count = keep.size();
  plan.die_with_parent = opt.die_with_parent;
  plan.parent = ::getpid();

  // vfork-style (CLONE_VM | CLONE_VFORK): no copy of our page tables (the cost of fork, and of Boost.Process
  // on top of it); we are suspended until the child execs or exits. Every
  // signal stays blocked meanwhile, so no handler of ours runs in the child.
  // The child runs on a stack of its own (as glibc's posix_spawn does), so
  // that nothing it does can touch our frames.
  volatile int child_error = 0;
  sigset_t all, old_mask;
  sigfillset(&all);
#if defined(LIVEGUI_SANITIZE)
  // A sanitizer runtime cannot follow a child onto a stack it did not see
  // allocated: ASan's __asan_handle_no_return reports a false
  // stack-buffer-overflow in the clone child (google/sanitizers#189). Under
  // the sanitizers the child runs on our own stack instead, as vfork(2)'s
  // does. ThreadSanitizer turns vfork() into fork(): we are not suspended
  // until the child execs, and it does not share our memory. So the child
  // reports a failure through a close-on-exec pipe, and we wait for the
  // pipe's end (the exec, or the errno): when spawn() returns the child has
  // exec'd, leading its own group, under every runtime alike.
  int error_pipe[2] = {-1, -1};
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) {
    ::close(in_fd);
    fail(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  error_pipe[0] = above_stdio(error_pipe[0]);
  error_pipe[1] = above_stdio(error_pipe[1]);
  plan.error_fd = error_pipe[1];
  ::pthread_sigmask(SIG_SETMASK, &all, &old_mask);
  pid_t pid = ::vfork();
  if (pid == 0) exec_child(plan, &child_error);
  int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::close(in_fd);
  ::close(error_pipe[1]);
  if (pid > 0) {
    int err = 0;
    ssize_t n;
    do n = ::read(error_pipe[0], &err, sizeof err);
    while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof err) && err != 0) child_error = err;
  }
  ::close(error_pipe[0]);
#else
  void* stack = child_stack();
  if (!stack) {
    ::close(in_fd);
    fail(std::string("cannot allocate the child's stack: ") + std::strerror(errno));
  }
  ChildStart start{&plan, &child_error};
  ::pthread_sigmask(SIG_SETMASK, &all, &old_mask);
  pid_t pid = ::clone(&child_main, static_cast<char*>(stack) + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::close(in_fd);
#endif
  if (pid < 0) fail(std::string("clone failed: ") + std::strerror(clone_errno));
  if (child_error != 0) {
    int err = child_error;
    ::waitpid(pid, nullptr, 0);  // exited already (127): reap it
    fail(std::strerror(err));
  }
  child.pid_ = pid;
  ::close(out_fd);
  out_fd = -1;
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
    } catch (...) {}
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
  int rc = pidfd_ >= 0 ? ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_), &info, WEXITED | WNOHANG)
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
      logger("harness")->error("{} (pid {}) did not die within {} of SIGKILL; moving on", executable_.string(), pid_,
                               human_duration(kill_wait));
    }
  }
  if (status_) report.status = *status_;
  report.took = Clock::now() - started;
  return report;
}

}  // namespace livegui
