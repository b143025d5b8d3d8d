// sample_app: a live Dear ImGui app driven through the livegui hook protocol.
#include <CLI/CLI.hpp>

#include "sample_app/app.hpp"

int main(int argc, char** argv) {
  sample_app::AppOptions opt;
  std::string fault;
  CLI::App cli{"livegui sample app: a Dear ImGui app with an embedded hook server (docs/hook-protocol.md)"};
  cli.add_flag("--headless", opt.headless, "run without a window (no DISPLAY needed; no screenshots)");
  cli.add_option("--port", opt.port, "hook server port (default: $LIVEGUI_HOOK_PORT or 0 = any)");
  cli.add_flag("--enable-faults", opt.enable_faults, "enable POST /debug/fault");
  cli.add_option("--fps", opt.fps, "frames per second")->check(CLI::Range(1, 10000));
  cli.add_option("--job-ms", opt.job_ms, "duration of the 'new project' io job")->check(CLI::Range(0, 600000));
  cli.add_option("--width", opt.width, "window width")->check(CLI::Range(64, 8192));
  cli.add_option("--height", opt.height, "window height")->check(CLI::Range(64, 8192));
  cli.add_option("--slow-start", opt.slow_start_ms, "wait MS before starting the server")->check(CLI::Range(0, 600000));
  cli.add_flag("--fail-start", opt.fail_start, "exit 1 before becoming ready");
  cli.add_flag("--ignore-sigterm", opt.ignore_sigterm, "ignore SIGTERM");
  cli.add_flag("--spawn-grandchild", opt.spawn_grandchild, "start a child that ignores SIGTERM");
  cli.add_option("--fault", fault,
                 "inject a fault after --fault-after-frames frames: " + sample_app::fault_kind_list());
  cli.add_option("--fault-after-frames", opt.fault_after_frames, "frames before --fault fires")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--fault-exit-code", opt.fault_exit_code, "exit code of --fault exit");
  CLI11_PARSE(cli, argc, argv);
  if (!fault.empty()) {
    opt.fault = sample_app::parse_fault_kind(fault);
    if (!opt.fault) {
      std::fprintf(stderr, "sample_app: unknown --fault '%s'; known: %s\n", fault.c_str(),
                   sample_app::fault_kind_list().c_str());
      return 2;
    }
    opt.enable_faults = true;
  }
  return sample_app::run_app(opt);
}
