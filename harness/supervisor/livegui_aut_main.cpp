// livegui-aut: one AUT supervised by the harness's AppHandle, driven over a
// pipe (stdin: requests, stdout: replies, one JSON object per line; see
// aut_supervisor.hpp). For test runners that are not C++ (the livegui_pytest
// plugin). Its logs go to livegui-aut-<pid>.log in the AUT's log directory
// (not to the runner's console); stderr only says why a spec did not load.
//
//   livegui-aut [--spec FILE] [--section aut]
//
// The spec is the same TOML as a plan's `aut` table (FILE's [aut] table, or
// the whole file with --section ""); without --spec, $LIVEGUI_AUT_SPEC (what
// livegui-batch gives AUT entries, whole file). LIVEGUI_STATE_FILE,
// LIVEGUI_LOG_DIR, LIVEGUI_AUT_TOKEN override the spec; LIVEGUI_AUT_SCOPE=session
// attaches to the AUT the state file records (livegui-batch --aut-scope session).
// End of input stops the AUT, as does SIGTERM/SIGINT/SIGHUP; either means the
// runner went away without a "stop", so the test it was in stays recorded.

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "batcher/run/reaper.hpp"
#include "common/environment.hpp"
#include "common/log_file.hpp"
#include "harness/batch_environment.hpp"
#include "harness/supervisor/aut_supervisor.hpp"

namespace {

int usage(const std::string& why) {
  std::cerr << "livegui-aut: " << why << "\nusage: livegui-aut [--spec FILE] [--section aut]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // First of all, while we have one thread: a reaper (batcher/run/reaper.hpp)
  // that, should this process be SIGKILLed, stops what it started — the AUT
  // dies with us (PR_SET_PDEATHSIG), but not what the AUT forked, nor an
  // Xvfb's socket file. Under livegui-batch, the batcher's reaper already
  // does; ours adds nothing but costs nothing either. A clean end (the
  // destructor, after the AUT is stopped) tells it so.
  livegui::batch::Reaper reaper;
  std::string spec_file;
  std::string section = "aut";
  bool section_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--spec" || a == "--section") && i + 1 >= argc) return usage(a + " needs a value");
    if (a == "--spec")
      spec_file = argv[++i];
    else if (a == "--section")
      section = argv[++i], section_given = true;
    else
      return usage("unknown argument '" + a + "'");
  }
  if (spec_file.empty()) {
    const char* v = std::getenv(livegui::env::kAutSpec);
    if (!v || !*v) return usage("no spec: give --spec FILE or set LIVEGUI_AUT_SPEC");
    spec_file = v;
    if (!section_given) section = "";  // the batcher writes the table's content alone
  }

  // Signals end the session through the loop, so the AUT is always stopped.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
  std::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<livegui::AutSupervisor> sup;
  try {
    livegui::AppSpec spec = livegui::AppSpec::from_toml_file(spec_file, section);
    const bool session = livegui::apply_batch_environment(spec) == livegui::AutScope::Session;
    spec.validate();
    std::error_code ec;
    std::filesystem::create_directories(spec.resolved_log_dir(), ec);
    livegui::log_to_file({"harness", "hookclient"},
                         spec.resolved_log_dir() / ("livegui-aut-" + std::to_string(::getpid()) + ".log"));
    auto handle = session ? livegui::AppHandle::attach_or_start(std::move(spec))
                          : std::make_unique<livegui::AppHandle>(std::move(spec));
    sup = std::make_unique<livegui::AutSupervisor>(std::move(handle));
  } catch (const std::exception& e) {
    std::cout << nlohmann::json{{"ok", false}, {"error", e.what()}, {"fatal", true}}.dump() << std::endl;
    std::cerr << "livegui-aut: " << e.what() << "\n";
    return 2;
  }
  std::cout << nlohmann::json{{"ok", true}, {"ready", true}}.dump() << std::endl;

  std::string pending;
  char buf[4096];
  while (!sup->finished()) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sigfd, POLLIN, 0}};
    if (::poll(fds, sigfd >= 0 ? 2 : 1, -1) < 0) continue;  // EINTR; the wait ends on input, EOF or a signal
    if (sigfd >= 0 && (fds[1].revents & POLLIN)) break;
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) break;  // the runner went away: stop the AUT
    pending.append(buf, static_cast<std::size_t>(n));
    for (auto nl = pending.find('\n'); nl != std::string::npos && !sup->finished(); nl = pending.find('\n')) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.empty()) continue;
      nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
      nlohmann::json reply = request.is_discarded()
                                 ? nlohmann::json{{"ok", false}, {"error", "the request is not JSON"}}
                                 : sup->handle(request);
      std::cout << reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    }
  }
  if (!sup->finished()) sup->stop_runner_gone();
  return 0;
}
