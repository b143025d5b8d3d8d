// The Python app's faults, seen through livegui exactly as the C++ sample
// app's are: a dead main loop or a dead process turns the wait into a
// "subprocess degraded" error within about a second, with the app's own
// reason, instead of a timeout. Every test breaks the AUT; the next one gets a
// fresh AUT (respawn policy on_death_and_degraded).
#include <string>

#include "examples/python_app/python_app_spec.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

/// The bound for "fails fast": far below the 120 s the waits below allow.
constexpr auto kFast = 10s;

class PythonFaults : public livegui::LiveAppTest {
 protected:
  /// Waits for a project that never comes; returns what wait_until threw and how long it took.
  livegui::SubprocessDegraded wait_for_degraded(Clock::duration& took) {
    auto start = Clock::now();
    try {
      hook().wait_until([](const json& s) { return s["values"]["project"] == "never-arrives"; }, 120s,
                        "project switched to 'never-arrives'");
    } catch (const livegui::SubprocessDegraded& e) {
      took = Clock::now() - start;
      return e;
    }
    throw std::runtime_error("wait_until returned although the app was broken");
  }

  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(PythonFaults, AssertFailsTheWaitFastWithTheAppsReason) {
  hook().set("name", "never-arrives-either");
  hook().inject_fault("assert");
  Clock::duration took{};
  livegui::SubprocessDegraded e = wait_for_degraded(took);
  EXPECT_LT(took, kFast) << e.what();
  EXPECT_EQ(e.info().cause, livegui::DegradedCause::ReportsDegraded) << e.what();
  EXPECT_TRUE(contains(e.what(), "cannot schedule new futures after shutdown")) << e.what();
  EXPECT_TRUE(contains(e.what(), "assertion failed: simulation state consistent")) << e.what();
  EXPECT_EQ(e.info().pid, app().pid());

  // Later actions are refused as degraded at once, not timed out.
  auto start = Clock::now();
  EXPECT_THROW(hook().click("new_project"), livegui::SubprocessDegraded);
  EXPECT_LT(Clock::now() - start, kFast);
}

TEST_F(PythonFaults, CrashIsSeenAsTheProcessExiting) {
  hook().inject_fault("crash");
  Clock::duration took{};
  livegui::SubprocessDegraded e = wait_for_degraded(took);
  EXPECT_LT(took, kFast) << e.what();
  EXPECT_EQ(e.info().cause, livegui::DegradedCause::ProcessExited) << e.what();
  // Only the parent knows how a process ended; attached (session scope) we do not.
  if (app().owns_aut()) {
    EXPECT_TRUE(contains(e.info().exit_status, "SIGABRT")) << e.what();
  }
  EXPECT_TRUE(app().wait_for_exit(5s).has_value()) << "the AUT is still running after the crash";
}

TEST_F(PythonFaults, ExitIsSeenWithItsCode) {
  hook().inject_fault("exit", {{"code", 7}});
  Clock::duration took{};
  livegui::SubprocessDegraded e = wait_for_degraded(took);
  EXPECT_LT(took, kFast) << e.what();
  EXPECT_EQ(e.info().cause, livegui::DegradedCause::ProcessExited) << e.what();
  if (app().owns_aut()) {
    EXPECT_EQ(e.info().exit_status, "exit code 7") << e.what();
  }
}

TEST_F(PythonFaults, HungMainLoopIsSeenAsStalled) {
  hook().inject_fault("hang");
  Clock::duration took{};
  livegui::SubprocessDegraded e = wait_for_degraded(took);
  EXPECT_LT(took, kFast) << e.what();
  // Whoever notices first: the client's heartbeat check or the app's own.
  EXPECT_TRUE(e.info().cause == livegui::DegradedCause::StoppedAdvancingFrames ||
              contains(e.what(), "main loop stalled"))
      << e.what();
  EXPECT_TRUE(app().check().state == livegui::AutHealth::Degraded) << app().check().describe();
}

}  // namespace

int main(int argc, char** argv) { return python_app::run(argc, argv, python_app::spec()); }
