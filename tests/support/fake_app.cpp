// A multi-mode fake process for lifecycle tests. Options run in this order:
//   --ignore-sigterm        SIGTERM is ignored (needs SIGKILL)
//   --grandchild            forks a child that ignores SIGTERM and pauses
//   --pidfile PATH          writes "<pid> <grandchild pid>\n" there
//   --delay-ms N            waits N ms (simulated slow start)
//   --hold-mb N             touches and keeps N MiB (its exit takes time)
//   --print TEXT            prints TEXT and a newline on stdout (repeatable)
//   --stderr TEXT           prints TEXT on stderr
//   --exit N | --signal N | (default) wait for a signal forever
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

int main(int argc, char** argv) {
  pid_t grandchild = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "fake_app: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--ignore-sigterm") {
      ::signal(SIGTERM, SIG_IGN);
    } else if (a == "--grandchild") {
      grandchild = fork();
      if (grandchild == 0) {
        ::signal(SIGTERM, SIG_IGN);
        for (;;) pause();
      }
    } else if (a == "--pidfile") {
      const char* path = next();
      std::string tmp = std::string(path) + ".tmp";
      FILE* f = std::fopen(tmp.c_str(), "w");
      if (!f) return 2;
      std::fprintf(f, "%d %d\n", getpid(), grandchild);
      std::fclose(f);
      std::rename(tmp.c_str(), path);
    } else if (a == "--delay-ms") {
      long ms = std::atol(next());
      timespec ts{ms / 1000, (ms % 1000) * 1000000L};
      while (nanosleep(&ts, &ts) != 0) {}
    } else if (a == "--hold-mb") {
      // Memory it touches and keeps: its exit after SIGKILL takes measurable
      // time (the kernel frees every page), like a big app's.
      // Small pages (no transparent huge pages): one to free per 4 KiB.
      std::size_t bytes = static_cast<std::size_t>(std::atol(next())) << 20;
      void* block = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (block == MAP_FAILED) return 2;
      ::madvise(block, bytes, MADV_NOHUGEPAGE);
      std::memset(block, 1, bytes);
    } else if (a == "--print") {
      std::printf("%s\n", next());
      std::fflush(stdout);
    } else if (a == "--stderr") {
      std::fprintf(stderr, "%s\n", next());
    } else if (a == "--exit") {
      return std::atoi(next());
    } else if (a == "--signal") {
      int sig = std::atoi(next());
      ::signal(sig, SIG_DFL);
      raise(sig);
      return 99;
    } else {
      std::fprintf(stderr, "fake_app: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  for (;;) pause();
}
