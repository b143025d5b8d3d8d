#include "harness/live_listener.hpp"

#include "common/log.hpp"
#include "harness/live_environment.hpp"

namespace livegui {

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
      if (!diag.empty()) ADD_FAILURE() << "[livegui] the AUT was not healthy when " << test.full() << " failed:\n" << diag;
    }
  } catch (const std::exception& e) {
    logger("harness")->error("livegui listener, end of {}.{}: {}", info.test_suite_name(), info.name(), e.what());
  }
}

}  // namespace livegui
