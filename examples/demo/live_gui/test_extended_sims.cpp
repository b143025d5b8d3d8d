// live_gui tier, file 1: four simulations on the shared windowed AUT. The
// fourth breaks the app the way real suites do: an assertion fires inside the
// GUI main loop mid-test. The loop dies, the io pool is shut down, the hook
// server lives on — a half-dead app for whoever comes next.
#include "examples/demo/demo_spec.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class ExtendedSims : public livegui::LiveAppTest {
 protected:
  void new_project(const std::string& name) {
    hook().set("name", name);
    hook().click("new_project");
    hook().wait_until([&](const json& s) { return s["values"]["project"] == name; }, 120s,
                      "project switched to '" + name + "'");
  }
};

TEST_F(ExtendedSims, CounterSim) {
  int start = hook().value("counter").get<int>();
  for (int i = 0; i < 5; ++i) hook().click("increment");
  EXPECT_EQ(hook().value("counter"), start + 5);
}

TEST_F(ExtendedSims, ProjectSim) { new_project("sim-project"); }

TEST_F(ExtendedSims, RenameSim) {
  hook().set("name", "renamed");
  EXPECT_EQ(hook().value("name"), "renamed");
}

TEST_F(ExtendedSims, ExecutionSim) {
  new_project("before-execution");
  // The simulation step trips an assertion inside the app's frame…
  hook().inject_fault("assert");
  // …and the next step of the test needs the app. livegui says what happened
  // at once instead of waiting 120 s.
  new_project("after-execution");
}

}  // namespace

int main(int argc, char** argv) { return demo::run(argc, argv, demo::sample_app_spec(demo::Window::Xvfb)); }
