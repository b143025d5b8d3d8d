#include "harness/live_app_test.hpp"

#include <iostream>

#include "harness/live_environment.hpp"

namespace livegui {
namespace {

/// A failure whose message is `reason` itself. GTEST_FAIL() << reason puts
/// "Failed" on the first line, and a report that shows a failure's first
/// line (livegui-batch's summary, junit's message) would say only
/// "live_app_test.cpp:NN: Failed".
::testing::AssertionResult no_aut_because(const char* /*expression*/, const std::string& reason) {
  return ::testing::AssertionFailure() << reason;
}

}  // namespace

void LiveAppTest::SetUp() {
  LiveEnvironment* env = LiveEnvironment::instance();
  if (!env) {
    ASSERT_PRED_FORMAT1(no_aut_because,
                        std::string("[livegui] no AUT: call livegui::init(&argc, argv, spec) from main() first"));
  }
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  TestRef test{info->test_suite_name(), info->name()};
  try {
    app_ = &env->handle();
    ReadyEvent ev = app_->ensure_ready(test);
    if (ev.kind == ReadyEvent::Kind::Respawned) {
      std::cout << ev.summary() << std::endl;
      RecordProperty("aut_respawn_reason", ev.reason);
    }
    hook_ = app_->hook();
  } catch (const std::exception& e) {
    ASSERT_PRED_FORMAT1(no_aut_because, "[livegui] no healthy AUT for " + test.full() + ": " + e.what());
  }
}

AppHandle& LiveAppTest::app() {
  if (!app_) throw AutUnavailable("[livegui] no AUT handle: LiveAppTest::SetUp did not run or failed");
  return *app_;
}

HookClient& LiveAppTest::hook() {
  if (!hook_) throw AutUnavailable("[livegui] no AUT client: LiveAppTest::SetUp did not run or failed");
  return *hook_;
}

}  // namespace livegui
