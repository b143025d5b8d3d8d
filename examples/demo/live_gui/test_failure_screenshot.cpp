// live_gui tier, file 5: a failing live test leaves a screenshot of the AUT's
// window behind, so a reader sees what the app showed when the check failed.
#include <fstream>

#include "examples/demo/demo_spec.hpp"

namespace {

using namespace std::chrono_literals;

class FailureScreenshot : public livegui::LiveAppTest {
 protected:
  void TearDown() override {
    if (!HasFailure()) return;
    const char* dir = std::getenv("LIVEGUI_ARTIFACT_DIR");
    std::filesystem::path out = std::filesystem::path(dir ? dir : ::testing::TempDir()) /
                                (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                                 ".png");
    try {
      std::filesystem::create_directories(out.parent_path());
      hook().screenshot(out);
      std::cout << "[livegui] failure screenshot: " << out.string() << "\n";
      RecordProperty("screenshot", out.string());
    } catch (const std::exception& e) {
      std::cout << "[livegui] no failure screenshot: " << e.what() << "\n";
    }
  }
};

TEST_F(FailureScreenshot, WindowShowsTheExpectedTitle) {
  hook().set("name", "screenshot-demo");
  // An intentional failure: the label never says this.
  EXPECT_EQ(hook().value("project"), "a project that does not exist");
}

}  // namespace

int main(int argc, char** argv) { return demo::run(argc, argv, demo::sample_app_spec(demo::Window::Xvfb)); }
