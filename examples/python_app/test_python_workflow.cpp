// The Python app driven like any C++ app: widgets set and clicked through the
// hook protocol, effects awaited with wait_until, errors typed. Nothing here
// knows the app is written in Python.
#include <string>

#include "examples/python_app/python_app_spec.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class PythonWorkflow : public livegui::LiveAppTest {};

// The AUT is shared (by the tests of a binary, and by files in session scope),
// so a test waits for the job it started: the projects_created count, not
// only the project name, which an earlier test may have left the same.
TEST_F(PythonWorkflow, NamedProjectBecomesCurrent) {
  hook().set("name", "from-cpp");
  int before = hook().state()["projects_created"].get<int>();
  hook().click("new_project");
  json state = hook().wait_until([&](const json& s) { return s["projects_created"].get<int>() > before; }, 30s,
                                 "the new project job done");
  EXPECT_EQ(state["values"]["project"], "from-cpp");
}

TEST_F(PythonWorkflow, UnnamedProjectGetsANumber) {
  hook().set("name", "");
  int before = hook().state()["projects_created"].get<int>();
  hook().click("new_project");
  json state = hook().wait_until([&](const json& s) { return s["projects_created"].get<int>() > before; }, 30s,
                                 "the new project job done");
  EXPECT_EQ(state["values"]["project"], "project-" + std::to_string(before + 1));
}

TEST_F(PythonWorkflow, AReadAfterAClickSeesItsEffect) {
  int before = hook().value("counter").get<int>();
  hook().click("increment");
  EXPECT_EQ(hook().value("counter").get<int>(), before + 1);
}

// Issue 12 item 8 in Python: GUI work slower than the 1 s heartbeat threshold
// (1.3 s) keeps the app healthy; the reply waits for it and is a success.
TEST_F(PythonWorkflow, SlowActionIsWaitedForNotDegraded) {
  auto start = std::chrono::steady_clock::now();
  hook().set("work_ms", 1300);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1300ms);
  livegui::Health health = hook().health();
  EXPECT_TRUE(health.ok) << (health.reasons.empty() ? "" : health.reasons.front());
  EXPECT_EQ(health.busy_ms, 0);
  EXPECT_TRUE(app().check().healthy()) << app().check().describe();
}

TEST_F(PythonWorkflow, HealthNamesThePythonProcess) {
  livegui::Health health = hook().health();
  EXPECT_TRUE(health.ok);
  EXPECT_EQ(health.protocol_version, 1);
  EXPECT_EQ(health.app, "python_hook_app");
  EXPECT_EQ(health.pid, app().pid());
  EXPECT_TRUE(health.reasons.empty());
}

TEST_F(PythonWorkflow, AppErrorsAreProtocolErrorsNotDegraded) {
  try {
    hook().click("no_such_button");
    FAIL() << "clicking an unknown widget succeeded";
  } catch (const livegui::HookProtocolError& e) {
    EXPECT_EQ(e.status(), 404) << e.what();
  }
  try {
    hook().set("name", 42);
    FAIL() << "setting the text field to a number succeeded";
  } catch (const livegui::HookProtocolError& e) {
    EXPECT_EQ(e.status(), 400) << e.what();
  }
  EXPECT_TRUE(hook().health().ok) << "an app-level error must leave the app healthy";
}

TEST_F(PythonWorkflow, ScreenshotsAreUnsupportedWithoutAWindow) {
  try {
    hook().screenshot(std::filesystem::temp_directory_path() / "python-app-never-written.png");
    FAIL() << "the windowless app returned a screenshot";
  } catch (const livegui::HookProtocolError& e) {
    EXPECT_EQ(e.status(), 501) << e.what();
  }
}

}  // namespace

int main(int argc, char** argv) { return python_app::run(argc, argv, python_app::spec()); }
