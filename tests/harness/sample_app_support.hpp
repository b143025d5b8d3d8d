#pragma once
// Helpers for harness tests against the real sample_app (headless).

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/app_spec.hpp"
#include "hookclient/hook_client.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {

/// sample_app --headless --enable-faults, logs and state file in `dir`, short graces.
inline AppSpec sample_app_spec(const TempDir& dir, std::vector<std::string> extra_args = {}) {
  AppSpec s;
  s.executable = binary("sample_app/sample_app");
  s.args = {"--headless", "--enable-faults"};
  s.args.insert(s.args.end(), extra_args.begin(), extra_args.end());
  s.state_file = dir / "aut-state.json";
  s.log_dir = dir / "logs";
  s.ready_timeout = std::chrono::seconds(15);
  s.heartbeat_threshold = std::chrono::milliseconds(400);
  s.term_grace = std::chrono::milliseconds(500);
  s.kill_wait = std::chrono::seconds(3);
  return s;
}

/// Injects a fault that ends the process (crash, segv, exit). The app may
/// die before its 202 reply is read; that is no error here: the caller
/// waits for the exit next and checks how it ended.
inline void inject_fatal(HookClient& hook, const std::string& kind) {
  try {
    hook.inject_fault(kind);
  } catch (const HookUnreachable&) {}
}

}  // namespace livegui::test_support
