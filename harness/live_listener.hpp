#pragma once
// A GoogleTest listener (appended after the default printer, so its OnTestEnd
// runs first and failures it adds are printed) that tells the AUT handle which
// test runs, attributes an AUT death to the test during which it happened,
// records facts in the XML/JSON report (aut_pid, aut_respawns, aut_died) and,
// when a test failed while the AUT was degraded or dead, records
// kAutUnhealthyProperty (common/test_report_facts.hpp) and adds the degraded
// diagnostic to the failure. When a test failed and the AUT is healthy, it
// takes a failure screenshot (GET /screenshot, bounded by
// kFailureScreenshotBound), saves it as <LIVEGUI_ARTIFACT_DIR or the AUT log
// dir>/<Suite.Test>.png, records it as the test's "screenshot" property and
// prints `[livegui] failure screenshot: <path>`. Headless (501), degraded and
// dead AUTs are skipped with one debug log line. Never throws.

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace livegui {

class AppHandle;
class LiveEnvironment;

/// How long a failure screenshot may take (connect + render + transfer).
inline constexpr std::chrono::milliseconds kFailureScreenshotBound{2000};

/// Where the failure screenshot of `test_full_name` ("Suite.Name",
/// "Inst/Suite.Name/0") goes in `dir`: characters other than letters, digits,
/// '.', '-' and '_' become '_'.
std::filesystem::path failure_screenshot_path(const std::filesystem::path& dir, const std::string& test_full_name);

class LiveListener : public ::testing::EmptyTestEventListener {
 public:
  explicit LiveListener(LiveEnvironment* env) : env_(env) {}
  void OnTestStart(const ::testing::TestInfo& info) override;
  void OnTestEnd(const ::testing::TestInfo& info) override;

 private:
  /// Takes, saves and records the screenshot; logs and returns when it cannot.
  void save_failure_screenshot(AppHandle& handle, const std::string& test_full_name);

  LiveEnvironment* env_;
};

}  // namespace livegui
