// live_gui tier, file 2: starts right after test_extended_sims broke the AUT.
// It must pass — on a fresh AUT — and the batcher must say, before it runs,
// that this file did not get to deal with the dirty state.
#include "examples/demo/demo_spec.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class LiveWorkflow : public livegui::LiveAppTest {};

TEST_F(LiveWorkflow, FullWorkflow) {
  hook().set("name", "demo");
  hook().click("new_project");
  hook().wait_until([](const json& s) { return s["values"]["project"] == "demo"; }, 120s,
                    "project switched to 'demo'");
  hook().click("increment");
  EXPECT_GE(hook().value("counter").get<int>(), 1);
}

TEST_F(LiveWorkflow, SecondProject) {
  hook().set("name", "second");
  hook().click("new_project");
  hook().wait_until([](const json& s) { return s["values"]["project"] == "second"; }, 120s,
                    "project switched to 'second'");
}

}  // namespace

int main(int argc, char** argv) { return demo::run(argc, argv, demo::sample_app_spec(demo::Window::Xvfb)); }
