// A stand-in for livegui-batch in reaper_test.cpp: forks the Reaper (its
// snapshot period from argv[1], in ms), then runs argv[2..] as a child that
// dies with it (PDEATHSIG, as the batcher's entries do), prints "reaper <pid>",
// then waits to be
// SIGKILLed (bounded: it exits by itself after a minute).
#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include "batcher/run/reaper.hpp"

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  livegui::batch::Reaper reaper(std::chrono::milliseconds(std::stol(argv[1])));
  if (!reaper.running()) return 3;
  std::printf("reaper %d\n", static_cast<int>(reaper.pid()));  // the test waits for it to finish
  std::fflush(stdout);
  const pid_t self = ::getpid();
  pid_t child = ::fork();
  if (child < 0) return 4;
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != self) ::_exit(127);
    ::execv(argv[2], argv + 2);
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (std::chrono::steady_clock::now() < deadline) ::poll(nullptr, 0, 1000);
  return 0;
}
