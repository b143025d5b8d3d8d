// integration tier: the hook protocol against a headless AUT.
#include "examples/demo/demo_spec.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class HookProtocol : public livegui::LiveAppTest {};

TEST_F(HookProtocol, HealthIsOk) {
  auto h = hook().health();
  EXPECT_TRUE(h.ok);
  EXPECT_EQ(h.app, "sample_app");
  EXPECT_EQ(h.pid, app().pid());
}

TEST_F(HookProtocol, SetThenRead) {
  hook().set("name", "integration");
  EXPECT_EQ(hook().value("name"), "integration");
}

TEST_F(HookProtocol, CounterIncrements) {
  int before = hook().value("counter").get<int>();
  hook().click("increment");
  EXPECT_EQ(hook().value("counter"), before + 1);
}

TEST_F(HookProtocol, NewProjectSwitchesTheLabel) {
  hook().set("name", "alpha");
  hook().click("new_project");
  hook().wait_until([](const json& s) { return s["values"]["project"] == "alpha"; }, 10s,
                    "project switched to 'alpha'");
}

TEST_F(HookProtocol, UnknownWidgetIsAProtocolError) {
  EXPECT_THROW(hook().click("no_such_button"), livegui::HookProtocolError);
}

}  // namespace

int main(int argc, char** argv) { return demo::run(argc, argv, demo::sample_app_spec(demo::Window::Headless)); }
