// report.html end to end: the real livegui-batch runs the demo plan
// (examples/demo/demo.toml, session scope, under Xvfb), then a real headless
// Chromium renders the report. The rendered PNG must show the timeline (its
// background, with the degraded, respawn, healthy and dirty-start colours
// inside it), and Chromium's DOM must still hold the timeline SVG and the
// embedded failure screenshot. Chromium runs in its own process group with a
// private profile, bounded, and nothing of it is left behind. Before that,
// the failure screenshot itself: the listener takes, saves, records and
// announces it for a failing live test, and skips a headless AUT quietly.
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <nlohmann/json.hpp>

#include "batcher/report/html_timeline.hpp"
#include "harness/subprocess.hpp"
#include "harness/xvfb.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kWindowWidth = 1400;
constexpr int kWindowHeight = 2000;

struct ChromiumRun {
  std::optional<ExitStatus> status;  ///< empty: it did not finish in time and was stopped
  std::string output;                ///< stdout + stderr
  std::vector<pid_t> left;           ///< processes of its group still alive after stop()
};

/// Runs headless Chromium on `url` with a private profile in `dir`, bounded.
ChromiumRun run_chromium(const fs::path& chromium, const TempDir& dir, const std::string& tag,
                         const std::vector<std::string>& action, const std::string& url) {
  SpawnOptions o;
  o.executable = chromium;
  o.args = {"--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--user-data-dir=" + (dir / ("profile-" + tag)).string(),
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars"};
  o.args.insert(o.args.end(), action.begin(), action.end());
  o.args.push_back(url);
  o.output_file = dir / ("chromium-" + tag + ".log");
  fs::path home = dir / ("home-" + tag);
  fs::create_directories(home);
  o.env_set = {{"HOME", home.string()},
               {"XDG_CONFIG_HOME", (home / ".config").string()},
               {"XDG_CACHE_HOME", (home / ".cache").string()}};
  o.env_unset = {"DISPLAY", "WAYLAND_DISPLAY"};
  Subprocess p = Subprocess::spawn(o);
  pid_t group = p.pgid();
  ChromiumRun run;
  run.status = p.wait_for(90s);
  p.stop(1000ms, 2000ms);  // its helpers, if the browser left any
  run.left = leftover_processes({group});
  run.output = read_text(o.output_file);
  return run;
}

struct Rgb {
  unsigned char r, g, b;
  bool operator==(const Rgb&) const = default;
};

Rgb rgb_of(const char* hex) {
  auto byte = [&](int at) { return static_cast<unsigned char>(std::stoi(std::string(hex + at, 2), nullptr, 16)); };
  return {byte(1), byte(3), byte(5)};
}

class Image {
 public:
  explicit Image(const fs::path& png) {
    int channels = 0;
    data_ = stbi_load(png.c_str(), &width_, &height_, &channels, 3);
  }
  ~Image() {
    if (data_) stbi_image_free(data_);
  }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;
  bool ok() const { return data_ != nullptr; }
  int width() const { return width_; }
  int height() const { return height_; }
  Rgb at(int x, int y) const {
    const unsigned char* p = data_ + (static_cast<std::size_t>(y) * width_ + x) * 3;
    return {p[0], p[1], p[2]};
  }

 private:
  unsigned char* data_ = nullptr;
  int width_ = 0;
  int height_ = 0;
};

struct Box {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
  bool empty() const { return x1 < 0; }
  int width() const { return x1 - x0 + 1; }
  int height() const { return y1 - y0 + 1; }
};

Box bounding_box(const Image& img, Rgb colour) {
  Box b;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x)
      if (img.at(x, y) == colour) {
        b.x0 = std::min(b.x0, x);
        b.y0 = std::min(b.y0, y);
        b.x1 = std::max(b.x1, x);
        b.y1 = std::max(b.y1, y);
      }
  return b;
}

int pixels_in(const Image& img, const Box& box, Rgb colour) {
  int n = 0;
  for (int y = box.y0; y <= box.y1; ++y)
    for (int x = box.x0; x <= box.x1; ++x)
      if (img.at(x, y) == colour) ++n;
  return n;
}

const json* find_test(const json& results, const std::string& entry, const std::string& test) {
  const json* e = find_entry(results, entry);
  return e ? livegui::test_support::find_test(*e, test) : nullptr;
}

struct BinaryRun {
  std::optional<ExitStatus> status;
  std::string output;
  json gtest;  ///< its GTEST_OUTPUT=json report
};

/// Runs the demo's failing live test on its own (file scope: it owns its AUT).
BinaryRun run_failing_live_test(const TempDir& dir, const std::map<std::string, std::string>& env) {
  SpawnOptions o;
  o.executable = binary("examples/demo/live_gui/test_failure_screenshot");
  o.output_file = dir / "test-output.log";
  o.env_set = {{"LIVEGUI_STATE_DIR", (dir / "state").string()},
               {"LIVEGUI_LOG_DIR", (dir / "aut-logs").string()},
               {"GTEST_OUTPUT", "json:" + (dir / "gtest.json").string()},
               {"SPDLOG_LEVEL", "debug"}};
  for (const auto& [k, v] : env) o.env_set[k] = v;
  o.env_unset = {"LIVEGUI_ARTIFACT_DIR", "LIVEGUI_AUT_SPEC",   "LIVEGUI_AUT_SCOPE", "LIVEGUI_STATE_FILE",
                 "GTEST_FILTER",         "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX"};
  Subprocess p = Subprocess::spawn(o);
  BinaryRun run;
  run.status = p.wait_for(60s);
  p.stop(1000ms, 2000ms);
  run.output = read_text(o.output_file);
  run.gtest = json::parse(read_text(dir / "gtest.json"), nullptr, false);
  return run;
}

const json* gtest_case(const json& report, const std::string& suite, const std::string& name) {
  if (!report.is_object() || !report.contains("testsuites")) return nullptr;
  for (const auto& s : report["testsuites"])
    if (s["name"] == suite)
      for (const auto& t : s["testsuite"])
        if (t["name"] == name) return &t;
  return nullptr;
}

TEST(FailureScreenshot, ListenerSavesRecordsAndAnnouncesItWithoutTheBatcher) {
  if (!XvfbServer::available()) GTEST_SKIP() << "Xvfb is not installed; a screenshot needs a window";
  TempDir dir("shot");
  BinaryRun run = run_failing_live_test(dir, {});
  ASSERT_TRUE(run.status.has_value()) << run.output;
  EXPECT_EQ(run.status->code, 1) << run.output;
  // Without LIVEGUI_ARTIFACT_DIR it goes beside the AUT logs.
  fs::path expected = dir / "aut-logs" / "FailureScreenshot.WindowShowsTheExpectedTitle.png";
  EXPECT_NE(run.output.find("[livegui] failure screenshot: " + expected.string() + "\n"), std::string::npos)
      << run.output;
  const json* t = gtest_case(run.gtest, "FailureScreenshot", "WindowShowsTheExpectedTitle");
  ASSERT_NE(t, nullptr) << run.gtest.dump(2);
  EXPECT_EQ(t->value("screenshot", ""), expected.string());
  std::string png = read_text(expected);
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)), 0);
  auto left = leftover_processes();
  EXPECT_TRUE(left.empty()) << describe_pids(left);
}

TEST(FailureScreenshot, AHeadlessAutIsSkippedQuietly) {
  TempDir dir("shot");
  fs::path spec = dir / "headless.toml";
  {
    std::ofstream out(spec);
    out << "executable = \"" << binary("sample_app/sample_app").string()
        << "\"\nargs = [\"--headless\"]\ndisplay = \"none\"\n";
  }
  BinaryRun run = run_failing_live_test(
      dir, {{"LIVEGUI_AUT_SPEC", spec.string()}, {"LIVEGUI_ARTIFACT_DIR", (dir / "artifacts").string()}});
  ASSERT_TRUE(run.status.has_value()) << run.output;
  EXPECT_EQ(run.status->code, 1) << run.output;
  EXPECT_EQ(run.output.find("[livegui] failure screenshot"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("[livegui] no failure screenshot"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("the AUT cannot take screenshots (headless)"), std::string::npos)
      << "one debug line says why:\n"
      << run.output;
  const json* t = gtest_case(run.gtest, "FailureScreenshot", "WindowShowsTheExpectedTitle");
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->contains("screenshot"));
  EXPECT_FALSE(fs::exists(dir / "artifacts" / "FailureScreenshot.WindowShowsTheExpectedTitle.png"));
  auto left = leftover_processes();
  EXPECT_TRUE(left.empty()) << describe_pids(left);
}

TEST(HtmlReport, DemoReportRendersInHeadlessChromiumWithTheTimelineAndTheScreenshot) {
  if (!XvfbServer::available()) GTEST_SKIP() << "Xvfb is not installed; the demo's live_gui tier needs it";
  fs::path chromium = find_executable("chromium");
  if (chromium.empty())
    GTEST_SKIP() << "chromium is not installed (Debian package `chromium`, in tools/setup.sh); it renders the report";

  TempDir dir("html-e2e");
  fs::path report = dir / "report";
  auto run = run_livegui_batch({source("examples/demo/demo.toml").string(), "--aut-scope", "session", "--report-dir",
                                report.string(), "--state-dir", (dir / "state").string()},
                               dir.path(), {{"LIVEGUI_BUILD_DIR", LIVEGUI_BUILD_DIR}}, 240s);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(report.string() + "/report.html"), std::string::npos) << "the summary names the page";

  // The listener's failure screenshot made it into results.json, relative to the report dir.
  json results = json::parse(read_text(report / "results.json"));
  const json* shot = find_test(results, "test_failure_screenshot", "FailureScreenshot.WindowShowsTheExpectedTitle");
  ASSERT_NE(shot, nullptr);
  ASSERT_TRUE(shot->contains("screenshot")) << *shot;
  std::string shot_path = (*shot)["screenshot"];
  EXPECT_EQ(shot_path, "artifacts/live_gui__test_failure_screenshot/FailureScreenshot.WindowShowsTheExpectedTitle.png");
  std::string png = read_text(report / shot_path);
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)), 0);

  fs::path page = report / "report.html";
  std::string html = read_text(page);
  ASSERT_FALSE(html.empty());
  ::testing::Test::RecordProperty("report_bytes", std::to_string(html.size()));
  std::cout << "report.html: " << html.size() << " bytes (screenshot " << png.size() << " bytes)\n";
  EXPECT_LT(html.size(), 4u * 1024 * 1024);
  std::string why;
  EXPECT_TRUE(xml_is_balanced(html, &why)) << why;
  for (const char* remote : {"src=\"http", "href=\"http", "src=\"//", "href=\"//", "url("})
    EXPECT_EQ(html.find(remote), std::string::npos) << "the page must load nothing: found " << remote;

  // 1. The rendered page shows the timeline.
  fs::path rendered = dir / "rendered.png";
  std::string url = "file://" + page.string();
  ChromiumRun shot_run =
      run_chromium(chromium, dir, "screenshot",
                   {"--screenshot=" + rendered.string(),
                    "--window-size=" + std::to_string(kWindowWidth) + "," + std::to_string(kWindowHeight)},
                   url);
  ASSERT_TRUE(shot_run.status.has_value()) << "chromium did not finish within 90 s:\n" << shot_run.output;
  EXPECT_TRUE(shot_run.left.empty()) << describe_pids(shot_run.left);
  ASSERT_TRUE(fs::exists(rendered)) << shot_run.output;
  EXPECT_GT(fs::file_size(rendered), 10u * 1024) << "a blank page compresses to almost nothing";
  Image img(rendered);
  ASSERT_TRUE(img.ok()) << stbi_failure_reason();
  EXPECT_EQ(img.width(), kWindowWidth);
  EXPECT_EQ(img.height(), kWindowHeight);

  Box timeline = bounding_box(img, rgb_of(batch::TimelineColours::kBackground));
  ASSERT_FALSE(timeline.empty()) << "the timeline's background is nowhere in " << rendered;
  EXPECT_GT(timeline.width(), 1000) << "the timeline spans the page";
  EXPECT_GT(timeline.height(), 150);
  EXPECT_GT(pixels_in(img, timeline, rgb_of(batch::TimelineColours::kHealthy)), 100);
  EXPECT_GT(pixels_in(img, timeline, rgb_of(batch::TimelineColours::kDegraded)), 20)
      << "test_extended_sims degrades the AUT: the timeline must show it";
  EXPECT_GT(pixels_in(img, timeline, rgb_of(batch::TimelineColours::kRespawn)), 20);
  EXPECT_GT(pixels_in(img, timeline, rgb_of(batch::TimelineColours::kDirty)), 20)
      << "test_live_workflow starts dirty: the timeline must mark it";
  Box whole{0, 0, img.width() - 1, img.height() - 1};
  int outside = pixels_in(img, whole, rgb_of(batch::TimelineColours::kDegraded)) -
                pixels_in(img, timeline, rgb_of(batch::TimelineColours::kDegraded));
  EXPECT_EQ(outside, 0) << "the degraded colour belongs to the timeline alone";

  // 2. Chromium's DOM still holds the timeline and the embedded screenshot.
  ChromiumRun dom = run_chromium(chromium, dir, "dom", {"--dump-dom"}, url);
  ASSERT_TRUE(dom.status.has_value()) << "chromium --dump-dom did not finish within 90 s:\n" << dom.output;
  EXPECT_TRUE(dom.left.empty()) << describe_pids(dom.left);
  EXPECT_NE(dom.output.find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""), std::string::npos)
      << dom.output.substr(0, 4000);
  EXPECT_NE(dom.output.find("class=\"aut-degraded\""), std::string::npos);
  EXPECT_NE(dom.output.find("class=\"aut-respawn\""), std::string::npos);
  EXPECT_NE(dom.output.find("class=\"dirty-start\""), std::string::npos);
  auto img_at = dom.output.find(
      "<img class=\"screenshot\" alt=\"failure screenshot of "
      "FailureScreenshot.WindowShowsTheExpectedTitle\" src=\"data:image/png;base64,iVBORw0KGgo");
  EXPECT_NE(img_at, std::string::npos);

  auto left = leftover_processes();
  EXPECT_TRUE(left.empty()) << describe_pids(left);
}

}  // namespace
}  // namespace livegui::test_support
