#include "tests/support/app_launch.hpp"

#include <fstream>
#include <stdexcept>

#include "common/ready_line.hpp"
#include "common/text.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {

std::optional<int> read_ready_port(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line))
    if (auto ready = parse_ready_line(line)) return ready->port;
  return std::nullopt;
}

LaunchedApp launch_app(const std::filesystem::path& executable, std::vector<std::string> args,
                       const std::filesystem::path& log, std::map<std::string, std::string> env,
                       std::chrono::milliseconds timeout) {
  SpawnOptions opt;
  opt.executable = executable;
  opt.args = std::move(args);
  opt.output_file = log;
  opt.env_set = std::move(env);
  if (!opt.env_set.count("LIVEGUI_HOOK_PORT")) opt.env_set["LIVEGUI_HOOK_PORT"] = "0";
  LaunchedApp app{Subprocess::spawn(opt), 0, log};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(1);
  for (;;) {
    if (auto port = read_ready_port(log)) {
      app.port = *port;
      return app;
    }
    // Waiting on the pidfd doubles as the back-off: it returns at once if the app dies.
    if (auto st = app.process.wait_for(backoff))
      throw std::runtime_error(executable.string() + " exited before it was ready (" + st->describe() +
                               "); last log lines:\n" + tail_file(log, 10));
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error(executable.string() + " not ready after " + human_duration(timeout) +
                               "; last log lines:\n" + tail_file(log, 10));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
  }
}

LaunchedApp launch_sample_app(std::vector<std::string> args, const std::filesystem::path& log,
                              std::map<std::string, std::string> env) {
  return launch_app(binary("sample_app/sample_app"), std::move(args), log, std::move(env));
}

}  // namespace livegui::test_support
