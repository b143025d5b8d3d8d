#include "batcher/run/reaper.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "batcher/run/run_cgroup.hpp"
#include "common/environment.hpp"
#include "common/proc_info.hpp"
#include "common/x_display_files.hpp"

namespace livegui::batch {
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kClean = 'c';

struct Seen {
  std::uint64_t start_time = 0;
  pid_t pgid = 0;
};

bool same(pid_t pid, const Seen& s) { return is_same_process(pid, s.start_time); }

/// The direct children of `pid` from /proc/<pid>/task/*/children; false
/// when the kernel does not provide those files (CONFIG_PROC_CHILDREN off).
bool children_of(pid_t pid, std::vector<pid_t>& out) {
  const std::string base = "/proc/" + std::to_string(pid) + "/task";
  DIR* tasks = ::opendir(base.c_str());
  if (!tasks) return true;  // gone: no children
  bool have = false;
  while (dirent* t = ::readdir(tasks)) {
    if (t->d_name[0] == '.') continue;
    std::ifstream in(base + "/" + t->d_name + "/children");
    if (!in) continue;
    have = true;
    long child = 0;
    while (in >> child) out.push_back(static_cast<pid_t>(child));
  }
  ::closedir(tasks);
  return have;
}

/// Every descendant of `root`: walks the tree down from it (a few small
/// reads), not every process on the host; falls back to a /proc scan.
std::vector<pid_t> tree_of(pid_t root) {
  std::vector<pid_t> out;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    std::vector<pid_t> kids;
    if (!children_of(p, kids)) return descendants_of(root);
    for (pid_t k : kids) {
      out.push_back(k);
      todo.push_back(k);
    }
  }
  return out;
}

/// An X server of the run (an Xvfb the harness started for the AUT) and the
/// socket file it listened on, recorded while it ran: SIGKILLed, it cannot
/// remove that file, and once it is dead nothing says which file was its.
struct XServer {
  std::uint64_t start_time = 0;
  XDisplaySocket socket;
};

/// The batcher's descendants now, by identity; X servers among them (comm
/// "X…") join `x_servers` once they listen on a display.
void snapshot(pid_t batcher, std::map<pid_t, Seen>& seen, std::map<pid_t, XServer>& x_servers) {
  const pid_t self = ::getpid();
  for (pid_t p : tree_of(batcher)) {
    if (p == self) continue;
    auto st = read_proc_stat(p);
    if (!st || st->state == 'Z') continue;
    auto [it, fresh] = seen.try_emplace(p, Seen{st->start_time, st->pgid});
    if (!fresh && it->second.start_time != st->start_time) it->second = Seen{st->start_time, st->pgid};
    if (!st->comm.empty() && st->comm[0] == 'X') {
      auto x = x_servers.find(p);
      if (x == x_servers.end() || x->second.start_time != st->start_time)
        if (auto sock = x_display_socket_of(p)) x_servers[p] = XServer{st->start_time, *sock};
    }
  }
  // Forget what has ended, so the map stays the size of the live tree.
  for (auto it = seen.begin(); it != seen.end();) it = same(it->first, it->second) ? std::next(it) : seen.erase(it);
}

/// Who the run is: the batcher's identity, as it is written in LIVEGUI_RUNS.
struct RunIdentity {
  std::string word;              ///< "<pid>:<start time>"
  std::uint64_t start_time = 0;  ///< the batcher's, in clock ticks after boot
};

/// One round: SIGKILL every process that carries the run's word, every
/// recorded process still the same, what descends from them, and the members
/// of their groups. Returns how many were signalled.
std::size_t kill_round(std::map<pid_t, Seen>& seen, const RunIdentity& run) {
  std::set<pid_t> targets;
  std::set<pid_t> groups;
  // Inherited from the batcher, so started after it: a process that started
  // earlier and claims the word is not ours.
  for (pid_t p : run.word.empty() ? std::vector<pid_t>{} : processes_with_environ_word(env::kRuns, run.word)) {
    auto st = read_proc_stat(p);
    if (st && st->state != 'Z' && st->start_time >= run.start_time) seen.try_emplace(p, Seen{st->start_time, st->pgid});
  }
  for (const auto& [pid, s] : seen) {
    if (!same(pid, s)) continue;
    targets.insert(pid);
    if (s.pgid > 1) groups.insert(s.pgid);
    for (pid_t d : descendants_of(pid)) targets.insert(d);
  }
  for (pid_t g : groups) {
    // A live process holding the group's id that we never saw as ours: reused; leave it.
    auto leader = read_proc_stat(g);
    bool reused = leader && leader->state != 'Z' && !(seen.count(g) && seen[g].start_time == leader->start_time);
    if (reused) continue;
    for (pid_t m : processes_in_group(g)) targets.insert(m);
  }
  targets.erase(::getpid());
  std::size_t n = 0;
  for (pid_t t : targets) {
    auto st = read_proc_stat(t);
    if (!st || st->state == 'Z') continue;
    // Newly found ones join the record, so later generations are followed too.
    seen.try_emplace(t, Seen{st->start_time, st->pgid});
    if (::kill(t, SIGKILL) == 0) ++n;
  }
  return n;
}

/// After the rounds: the socket (and lock) files of the run's X servers,
/// which died by SIGKILL and could not remove them. Each only when its pid is
/// gone or a zombie of the recorded start time (remove_dead_x_server_files
/// checks the rest: the same file, nobody listening, the lock naming the pid).
void remove_dead_x_servers_files(const std::map<pid_t, XServer>& x_servers) {
  for (const auto& [pid, x] : x_servers) {
    auto st = read_proc_stat(pid);
    if (st && st->start_time != x.start_time) continue;  // the pid is another process's now
    (void)remove_dead_x_server_files(x.socket, pid);
  }
}

[[noreturn]] void reaper_main(pid_t batcher, const RunIdentity& run, int read_fd, std::chrono::milliseconds period,
                              std::chrono::milliseconds give_up, const std::filesystem::path& run_cgroup) {
  ::setpgid(0, 0);  // a signal to the batcher's group is not for us
  ::prctl(PR_SET_NAME, "livegui-reaper");
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) ::signal(sig, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  std::map<pid_t, Seen> seen;
  std::map<pid_t, XServer> x_servers;
  bool clean = false;
  for (;;) {
    snapshot(batcher, seen, x_servers);
    pollfd p{read_fd, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(period.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc > 0) {
      char c = 0;
      ssize_t n = ::read(read_fd, &c, 1);
      if (n == 1 && c == kClean) clean = true;
      if (n == 1) continue;
      break;  // EOF: the batcher is gone (or closed the pipe at its clean end)
    }
    if (::getppid() != batcher) break;  // the batcher died while we were between polls
  }
  if (!clean) {
    // Everything in the run's cgroup at once, wherever it went and whatever it
    // forks meanwhile; the rounds below are for a host without one.
    if (!run_cgroup.empty()) (void)tear_down_cgroup(run_cgroup, give_up);
    auto deadline = Clock::now() + give_up;
    // Until three rounds in a row find nothing: a process caught in the
    // middle of an exec shows no environment (/proc/<pid>/environ reads
    // empty while its memory is being replaced), so one quiet round proves
    // nothing (ReaperTest.ADaemonForkedJustBeforeTheSigkill… lost a daemon
    // exec'ing `setsid` → `sleep` about 1 run in 10 under load).
    for (int quiet = 0; quiet < 3 && Clock::now() < deadline;) {
      quiet = kill_round(seen, run) > 0 ? 0 : quiet + 1;
      pollfd none_fd{-1, 0, 0};
      ::poll(&none_fd, 0, 10);  // let the kernel deliver; then look again (late forks, execs)
    }
    remove_dead_x_servers_files(x_servers);
  }
  ::_exit(0);
}

}  // namespace

Reaper::Reaper(std::chrono::milliseconds period, std::chrono::milliseconds give_up, std::filesystem::path run_cgroup) {
  pid_t batcher = ::getpid();
  RunIdentity run;
  if (auto st = read_proc_stat(batcher)) {
    run.start_time = st->start_time;
    run.word = std::to_string(batcher) + ":" + std::to_string(st->start_time);
    // Everything the run starts inherits it (single-threaded here: setenv is safe).
    const char* inherited = std::getenv(env::kRuns);
    std::string runs = inherited && *inherited ? std::string(inherited) + " " + run.word : run.word;
    ::setenv(env::kRuns, runs.c_str(), 1);
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;
  pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return;
  }
  if (child == 0) {
    ::close(fds[1]);
    reaper_main(batcher, run, fds[0], period, give_up, run_cgroup);
  }
  ::close(fds[0]);
  pid_ = child;
  pipe_fd_ = fds[1];
}

Reaper::~Reaper() {
  if (pid_ <= 0) return;
  char c = kClean;
  (void)!::write(pipe_fd_, &c, 1);
  ::close(pipe_fd_);
  // Bounded wait for it to go (it exits as soon as it reads the pipe's end).
  auto deadline = Clock::now() + std::chrono::seconds(2);
  while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);  // our child, unreaped: its pid cannot have been reused
      ::waitpid(pid_, nullptr, 0);
      break;
    }
    pollfd none{-1, 0, 0};
    ::poll(&none, 0, 2);
  }
}

}  // namespace livegui::batch
