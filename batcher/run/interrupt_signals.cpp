#include "batcher/run/interrupt_signals.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace livegui::batch {

InterruptSignals::InterruptSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // a closed terminal or SSH session
  int rc = ::pthread_sigmask(SIG_BLOCK, &set, &previous_);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "blocking SIGINT/SIGTERM/SIGHUP");
  fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) {
    int err = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    throw std::system_error(err, std::generic_category(), "creating a signalfd for SIGINT/SIGTERM/SIGHUP");
  }
}

InterruptSignals::~InterruptSignals() {
  if (fd_ >= 0) ::close(fd_);
  ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

int InterruptSignals::drain() {
  signalfd_siginfo info{};
  while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    ++count_;
    last_ = static_cast<int>(info.ssi_signo);
    if (first_ == 0) first_ = last_;
  }
  return count_;
}

}  // namespace livegui::batch
