// live_gui tier, last file: a test the infrastructure breaks once. The first
// time it runs (no marker in its artifact directory) the AUT crashes under it
// — as an unrelated bug in the app would — and the test fails with
// "subprocess degraded". The tier's retry policy runs failures caused by a
// dead or degraded AUT once more, on a fresh AUT, where it passes: FLAKY
// (counted as passed, reported apart with both attempts' reasons). An
// assertion failure on a healthy AUT would not have been retried.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "examples/demo/demo_spec.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// True the first time it is asked in this artifact directory (one per batch run).
bool first_run() {
  const char* dir = std::getenv("LIVEGUI_ARTIFACT_DIR");
  if (!dir) return false;  // run on its own: no crash to recover from
  std::filesystem::create_directories(dir);
  auto marker = std::filesystem::path(dir) / "aut-crashed-once";
  if (std::filesystem::exists(marker)) return false;
  std::ofstream(marker) << "the AUT was crashed under FlakyAut once\n";
  return true;
}

class FlakyAut : public livegui::LiveAppTest {};

TEST_F(FlakyAut, SurvivesTheAutDyingUnderIt) {
  if (first_run()) {
    try {
      hook().inject_fault("crash");  // the app may die before its reply is read
    } catch (const livegui::HookError&) {
    }
  }
  hook().set("name", "retried");
  hook().click("new_project");
  hook().wait_until([](const json& s) { return s["values"]["project"] == "retried"; }, 120s,
                    "project switched to 'retried'");
}

}  // namespace

int main(int argc, char** argv) { return demo::run(argc, argv, demo::sample_app_spec(demo::Window::Xvfb)); }
