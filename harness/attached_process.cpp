#include "harness/attached_process.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <utility>

#include "common/backoff.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/stop_escalation.hpp"

namespace livegui {
using Clock = std::chrono::steady_clock;

std::optional<AttachedProcess> AttachedProcess::adopt(pid_t pid, pid_t pgid, std::uint64_t start_time) {
  if (pid <= 0 || pgid <= 0) return std::nullopt;
  AttachedProcess p;
  p.pid_ = pid;
  p.pgid_ = pgid;
  p.start_time_ = start_time;
  p.pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  // Check the identity after opening the pidfd: if it still matches now, the
  // pidfd refers to the recorded process and not to a later one with its pid.
  if (p.pidfd_ < 0 || !p.identity_holds()) return std::nullopt;
  return p;
}

AttachedProcess::AttachedProcess(AttachedProcess&& other) noexcept { *this = std::move(other); }

AttachedProcess& AttachedProcess::operator=(AttachedProcess&& other) noexcept {
  if (this != &other) {
    if (pidfd_ >= 0) ::close(pidfd_);
    pid_ = std::exchange(other.pid_, 0);
    pgid_ = std::exchange(other.pgid_, 0);
    start_time_ = std::exchange(other.start_time_, 0);
    pidfd_ = std::exchange(other.pidfd_, -1);
    exited_ = std::exchange(other.exited_, false);
  }
  return *this;
}

AttachedProcess::~AttachedProcess() {
  if (pidfd_ >= 0) ::close(pidfd_);
}

bool AttachedProcess::identity_holds() const {
  auto st = read_proc_stat(pid_);
  return st && st->state != 'Z' && st->start_time == start_time_ && st->pgid == pgid_;
}

bool AttachedProcess::exited() {
  if (exited_) return true;
  pollfd p{pidfd_, POLLIN, 0};
  if (pidfd_ < 0 || ::poll(&p, 1, 0) == 1) exited_ = true;
  return exited_;
}

bool AttachedProcess::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!exited()) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{pidfd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
  }
  return true;
}

bool AttachedProcess::wait_group_gone(Clock::time_point deadline) {
  if (!wait_exit(std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()))) return false;
  // Stragglers are not our children: nothing to wait on but /proc.
  return poll_until([&] { return processes_in_group(pgid_).empty(); }, deadline,
                    Backoff(std::chrono::microseconds(200), std::chrono::milliseconds(20)));
}

StopReport AttachedProcess::stop(std::chrono::milliseconds term_grace, std::chrono::milliseconds kill_wait) {
  StopReport report;
  auto started = Clock::now();
  report.status = ExitStatus::exited(-1);
  report.already_exited = exited();
  // The group id cannot be reused while any member lives; with the leader
  // gone we only signal members we still see in the group.
  auto signal = [&](int sig) {
    if (!exited() && !identity_holds()) return false;
    if (processes_in_group(pgid_).empty()) return false;
    // The leader gone: a live process now holding the group's id (pid ==
    // pgid) with another identity means the id was reused; not ours.
    if (exited()) {
      auto leader = read_proc_stat(pgid_);
      if (leader && leader->state != 'Z' && !(pgid_ == pid_ && leader->start_time == start_time_)) return false;
    }
    return ::kill(-pgid_, sig) == 0;
  };
  StopResult r = escalate_stop({signal, [this](Clock::time_point deadline) { return wait_group_gone(deadline); }},
                               term_grace, kill_wait);
  report.sent_sigterm = r.outcome != StopOutcome::NothingToStop;
  report.sent_sigkill = r.sent_sigkill;
  if (report.sent_sigkill) report.status = ExitStatus::killed(SIGKILL);
  if (r.outcome == StopOutcome::Stuck) {
    report.stuck = true;
    logger("harness")->error("attached AUT pid {} (group {}) did not die within {} ms of SIGKILL; moving on", pid_,
                             pgid_, kill_wait.count());
  }
  report.took = Clock::now() - started;
  return report;
}

}  // namespace livegui
