// live_gui tier, file 4: the test binary itself crashes in its second test.
// livegui-batch resumes the remaining tests in a fresh process, so the crash
// costs one test, not the rest of the file.
#include <csignal>

#include "examples/demo/demo_spec.hpp"

namespace {

class RunnerSegfault : public livegui::LiveAppTest {};

TEST_F(RunnerSegfault, BeforeTheCrash) { hook().click("increment"); }

TEST_F(RunnerSegfault, CrashesTheTestBinary) {
  hook().click("increment");
  std::raise(SIGSEGV);  // a bug in the test code, not in the app
}

TEST_F(RunnerSegfault, AfterTheCrash) { EXPECT_TRUE(hook().health().ok); }

TEST_F(RunnerSegfault, LastOne) { hook().click("increment"); }

}  // namespace

int main(int argc, char** argv) { return demo::run(argc, argv, demo::sample_app_spec(demo::Window::Xvfb)); }
