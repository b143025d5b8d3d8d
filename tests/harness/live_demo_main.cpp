// A small test binary using the gtest integration the way users do: its own
// main() calls livegui::init, fixtures derive from LiveAppTest. Run as a
// subprocess by gtest_integration_test.cpp (not registered with ctest itself).
#include <chrono>

#include <gtest/gtest.h>

#include "harness/gtest_integration.hpp"
#include "tests/support/test_paths.hpp"

namespace {

using namespace std::chrono_literals;

class LiveRespawn : public livegui::LiveAppTest {};

// The first test kills the AUT...
TEST_F(LiveRespawn, A_KillsTheAut) {
  hook().click("increment");
  try {
    hook().inject_fault("crash");
  } catch (const livegui::HookUnreachable&) {
    // It may die before its reply is read; the exit below is what counts.
  }
  auto exit = app().wait_for_exit(10s);
  ASSERT_TRUE(exit.has_value());
}

// ...and the second must pass on a respawned one.
TEST_F(LiveRespawn, B_PassesOnAFreshAut) {
  hook().click("increment");
  EXPECT_EQ(hook().value("counter"), 1);
}

// Fails on purpose while the AUT is degraded: the listener must add the
// degraded diagnostic to the failure. Run only with --gtest_also_run_disabled_tests.
class LiveDegraded : public livegui::LiveAppTest {};
TEST_F(LiveDegraded, DISABLED_FailsWhileDegraded) {
  hook().inject_fault("assert");
  // Throws SubprocessDegraded once the app reports its assertion: the test fails.
  hook().wait_until([](const nlohmann::json& s) { return s["values"]["project"] == "never"; }, 10s,
                    "a project that never comes");
}

// Run with a spec whose respawn policy is "never" (LIVEGUI_AUT_SPEC) and
// --gtest_also_run_disabled_tests: A leaves the AUT degraded (and passes), B
// gets no AUT and fails in SetUp, saying why.
class LiveKeptDegraded : public livegui::LiveAppTest {};
TEST_F(LiveKeptDegraded, DISABLED_A_LeavesTheAutDegraded) {
  hook().inject_fault("assert");
  EXPECT_THROW(hook().wait_until([](const nlohmann::json& s) { return s["values"]["project"] == "never"; }, 10s,
                                 "a project that never comes"),
               livegui::SubprocessDegraded);
}
TEST_F(LiveKeptDegraded, DISABLED_B_GetsNoAut) { hook().click("increment"); }

}  // namespace

int main(int argc, char** argv) {
  livegui::AppSpec spec;
  spec.executable = livegui::test_support::binary("sample_app/sample_app");
  spec.args = {"--headless", "--enable-faults"};
  spec.term_grace = 1s;
  livegui::init(&argc, argv, spec);
  return RUN_ALL_TESTS();
}
