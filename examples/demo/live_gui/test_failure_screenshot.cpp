// live_gui tier, file 5: a failing live test leaves a screenshot of the AUT's
// window behind, so a reader sees what the app showed when the check failed.
// Nothing to write for it: livegui's listener takes the screenshot when a
// test fails on a healthy AUT, saves it in $LIVEGUI_ARTIFACT_DIR, records it
// as the test's "screenshot" property, and livegui-batch's report.html shows it.
#include "examples/demo/demo_spec.hpp"

namespace {

class FailureScreenshot : public livegui::LiveAppTest {};

TEST_F(FailureScreenshot, WindowShowsTheExpectedTitle) {
  hook().set("name", "screenshot-demo");
  // An intentional failure: the label never says this.
  EXPECT_EQ(hook().value("project").get<std::string>(), "a project that does not exist");
}

}  // namespace

int main(int argc, char** argv) { return demo::run(argc, argv, demo::sample_app_spec(demo::Window::Xvfb)); }
