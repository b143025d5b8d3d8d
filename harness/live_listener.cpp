#include "harness/live_listener.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "common/environment.hpp"
#include "common/log.hpp"
#include "common/test_report_facts.hpp"
#include "harness/live_environment.hpp"
#include "hookclient/hook_client.hpp"

namespace livegui {
namespace fs = std::filesystem;

fs::path failure_screenshot_path(const fs::path& dir, const std::string& test_full_name) {
  std::string file = test_full_name;
  for (char& c : file) {
    bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!keep) c = '_';
  }
  return dir / (file + ".png");
}

void LiveListener::OnTestStart(const ::testing::TestInfo& info) {
  try {
    if (AppHandle* h = env_->handle_if_created()) h->test_started({info.test_suite_name(), info.name()});
  } catch (const std::exception& e) {
    logger("harness")->error("livegui listener, start of {}.{}: {}", info.test_suite_name(), info.name(), e.what());
  }
}

void LiveListener::OnTestEnd(const ::testing::TestInfo& info) {
  try {
    AppHandle* h = env_->handle_if_created();
    if (!h) return;
    TestRef test{info.test_suite_name(), info.name()};
    pid_t pid = h->pid();
    auto died = h->test_finished(test);
    if (pid > 0) ::testing::Test::RecordProperty("aut_pid", std::to_string(pid));
    ::testing::Test::RecordProperty("aut_respawns", std::to_string(h->respawn_count()));
    if (died) ::testing::Test::RecordProperty("aut_died", died->describe());
    if (info.result() && info.result()->Failed()) {
      std::string diag = h->degraded_diagnostic();
      if (!diag.empty()) {
        // The fact livegui-batch's retry reads: this failure is the AUT's,
        // whether it broke during the test or before it (respawn "never").
        ::testing::Test::RecordProperty(std::string(kAutUnhealthyProperty), diag.substr(0, diag.find('\n')));
        ADD_FAILURE() << kAutUnhealthyLine << test.full() << " failed:\n" << diag;
      }
      if (died || !diag.empty() || pid <= 0)
        logger("harness")->debug("no failure screenshot of {}: the AUT is {}", test.full(),
                                 died       ? "dead"
                                 : pid <= 0 ? "not running"
                                            : "not healthy");
      else
        save_failure_screenshot(*h, test.full());
    }
  } catch (const std::exception& e) {
    logger("harness")->error("livegui listener, end of {}.{}: {}", info.test_suite_name(), info.name(), e.what());
  }
}

void LiveListener::save_failure_screenshot(AppHandle& handle, const std::string& test_full_name) {
  auto log = logger("harness");
  const char* artifacts = std::getenv(env::kArtifactDir);
  fs::path dir = artifacts && *artifacts ? fs::path(artifacts) : handle.spec().resolved_log_dir();
  fs::path file = failure_screenshot_path(dir, test_full_name);
  try {
    // A client of its own, so the bound is ours and not the test's timeouts.
    HookClientOptions options = handle.hook()->options();
    options.connect_timeout = std::min(options.connect_timeout, std::chrono::milliseconds(500));
    options.read_timeout = kFailureScreenshotBound;
    options.write_timeout = std::chrono::milliseconds(500);
    HookClient client(options);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    client.screenshot(file);
  } catch (const HookProtocolError& e) {
    if (e.status() == 501) {
      log->debug("no failure screenshot of {}: the AUT cannot take screenshots (headless)", test_full_name);
      return;
    }
    std::cout << "[livegui] no failure screenshot of " << test_full_name << ": " << e.what() << std::endl;
    return;
  } catch (const SubprocessDegraded& e) {
    log->debug("no failure screenshot of {}: the AUT is degraded: {}", test_full_name, e.what());
    return;
  } catch (const HookUnreachable& e) {
    log->debug("no failure screenshot of {}: the AUT is unreachable: {}", test_full_name, e.what());
    return;
  } catch (const AutUnavailable& e) {
    log->debug("no failure screenshot of {}: {}", test_full_name, e.what());
    return;
  } catch (const std::exception& e) {
    std::cout << "[livegui] no failure screenshot of " << test_full_name << ": " << e.what() << std::endl;
    return;
  }
  ::testing::Test::RecordProperty("screenshot", file.string());
  std::cout << "[livegui] failure screenshot: " << file.string() << std::endl;
}

}  // namespace livegui
