// A stand-in test runner for owner_killed_test: owns an AppHandle with a
// running sample_app, says so on stdout, then waits to be killed.
//   aut_owner_helper <sample_app> <state_file> <log_dir>
#include <unistd.h>

#include <cstdio>

#include "harness/app_handle.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: aut_owner_helper <sample_app> <state_file> <log_dir>\n");
    return 2;
  }
  livegui::AppSpec spec;
  spec.executable = argv[1];
  spec.args = {"--headless"};
  spec.state_file = argv[2];
  spec.log_dir = argv[3];
  try {
    livegui::AppHandle handle(spec);
    handle.ensure_ready({"Owner", "Helper"});
    std::printf("OWNER_READY aut_pid=%d aut_pgid=%d\n", handle.pid(), handle.pgid());
    std::fflush(stdout);
    for (;;) ::pause();  // until a signal ends us
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aut_owner_helper: %s\n", e.what());
    return 1;
  }
}
