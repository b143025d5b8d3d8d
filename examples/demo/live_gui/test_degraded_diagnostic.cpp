// live_gui tier, file 3: what a failure looks like with livegui. The respawn
// policy is `never`, so nothing papers over the problem: the app's main loop
// hangs mid-test, and the test fails in about a second with the "subprocess
// degraded" diagnostic instead of sitting in a 120 s timeout. The second test
// shows that every later test then fails fast with the reason.
#include "examples/demo/demo_spec.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class DegradedDiagnostic : public livegui::LiveAppTest {};

TEST_F(DegradedDiagnostic, HungMainLoopFailsFast) {
  hook().inject_fault("hang");
  hook().set("name", "never-arrives");
  hook().wait_until([](const json& s) { return s["values"]["project"] == "never-arrives"; }, 120s,
                    "project switched to 'never-arrives'");
}

TEST_F(DegradedDiagnostic, LaterTestsFailFastToo) { hook().click("increment"); }

}  // namespace

int main(int argc, char** argv) {
  auto spec = demo::sample_app_spec(demo::Window::Xvfb);
  spec.respawn = livegui::RespawnPolicy::Never;
  return demo::run(argc, argv, std::move(spec));
}
