#pragma once
// Fixture base for tests that drive the AUT: SetUp makes sure a healthy AUT
// serves this test (respawning it per the policy, and saying so on stdout),
// then app() is the handle and hook() the client.
//
//   class LiveWorkflow : public livegui::LiveAppTest {};
//   TEST_F(LiveWorkflow, FullWorkflow) { hook().click("new_project"); ... }

#include <memory>

#include <gtest/gtest.h>

#include "harness/app_handle.hpp"
#include "hookclient/hook_client.hpp"

namespace livegui {

class LiveAppTest : public ::testing::Test {
 protected:
  /// ensure_ready(current test); a failure to provide an AUT is a fatal
  /// failure of this test (its body does not run) with the reason.
  void SetUp() override;

  AppHandle& app();
  /// The client for the AUT that SetUp provided.
  HookClient& hook();

 private:
  AppHandle* app_ = nullptr;
  std::shared_ptr<HookClient> hook_;
};

}  // namespace livegui
