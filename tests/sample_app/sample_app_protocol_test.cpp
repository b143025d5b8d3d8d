// sample_app against docs/hook-protocol.md, with a plain HTTP client.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/sample_app/http.hpp"
#include "tests/support/app_launch.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class SampleAppProtocol : public ::testing::Test {
 protected:
  void TearDown() override {
    if (app_.process.valid()) {
      pid_t pgid = app_.process.pgid();
      app_.process.stop(2s, 2s);
      auto left = leftover_processes({pgid});
      EXPECT_TRUE(left.empty()) << describe_pids(left);
    }
  }
  void launch(std::vector<std::string> args = {"--headless"}, std::map<std::string, std::string> env = {}) {
    app_ = launch_sample_app(std::move(args), dir_ / "app.log", std::move(env));
  }
  TempDir dir_{"sample-app"};
  LaunchedApp app_;
};

TEST_F(SampleAppProtocol, AnnouncesAndReportsHealth) {
  launch();
  PlainHttp http(app_.port);
  auto h = http.get("/health");
  ASSERT_EQ(h.status, 200) << h.body;
  EXPECT_EQ(h.json["protocol_version"], 1);
  EXPECT_EQ(h.json["status"], "ok");
  EXPECT_EQ(h.json["pid"], app_.process.pid());
  EXPECT_EQ(h.json["app"], "sample_app");
  EXPECT_LT(h.json["last_frame_age_ms"].get<int>(), 1000);
  long long first = h.json["frame"];
  EXPECT_TRUE(eventually([&] { return http.get("/health").json["frame"].get<long long>() > first; }));
}

TEST_F(SampleAppProtocol, NewProjectSwitchesWhenTheIoJobCompletes) {
  launch({"--headless", "--job-ms", "50"});
  PlainHttp http(app_.port);
  EXPECT_EQ(http.get("/value?id=project").json["value"], "untitled");
  ASSERT_EQ(http.post("/set", {{"id", "name"}, {"value", "demo"}}).status, 200);
  EXPECT_EQ(http.get("/value?id=name").json["value"], "demo");  // visible as soon as the reply is
  ASSERT_EQ(http.post("/click", {{"id", "new_project"}}).status, 200);
  EXPECT_TRUE(eventually([&] { return http.get("/state").json["values"]["project"] == "demo"; }));
  ASSERT_EQ(http.post("/click", {{"id", "increment"}}).status, 200);
  EXPECT_EQ(http.get("/value?id=counter").json["value"], 1);
  EXPECT_EQ(http.post("/set", {{"id", "name"}, {"value", 5}}).status, 400);
  EXPECT_EQ(http.post("/click", {{"id", "nope"}}).status, 404);
}

TEST_F(SampleAppProtocol, HeadlessHasNoScreenshots) {
  launch();
  PlainHttp http(app_.port);
  auto shot = http.get("/screenshot");
  EXPECT_EQ(shot.status, 501);
  EXPECT_EQ(shot.json["degraded"], false);
}

TEST_F(SampleAppProtocol, WritesThePortFile) {
  launch({"--headless"}, {{"LIVEGUI_HOOK_PORT_FILE", (dir_ / "port").string()}});
  std::ifstream in(dir_ / "port");
  int port = 0;
  ASSERT_TRUE(in >> port);
  EXPECT_EQ(port, app_.port);
}

TEST_F(SampleAppProtocol, TokenAuth) {
  launch({"--headless"}, {{"LIVEGUI_HOOK_TOKEN", "letmein"}});
  EXPECT_EQ(PlainHttp(app_.port).get("/health").status, 401);
  EXPECT_EQ(PlainHttp(app_.port, "nope").post("/click", {{"id", "increment"}}).status, 401);
  EXPECT_EQ(PlainHttp(app_.port, "letmein").get("/health").status, 200);
  // The token never shows up in the app's output.
  std::ifstream log(app_.log);
  std::string all((std::istreambuf_iterator<char>(log)), {});
  EXPECT_EQ(all.find("letmein"), std::string::npos);
}

TEST_F(SampleAppProtocol, ShutdownExitsCleanly) {
  launch();
  EXPECT_EQ(PlainHttp(app_.port).post("/shutdown", json::object()).status, 202);
  auto st = app_.process.wait_for(10s);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(*st, ExitStatus::exited(0));
}

TEST_F(SampleAppProtocol, SigtermExitsCleanly) {
  launch();
  auto report = app_.process.stop(5s, 2s);
  EXPECT_FALSE(report.sent_sigkill);
  EXPECT_EQ(report.status, ExitStatus::exited(0));
}

TEST_F(SampleAppProtocol, FaultInjectionIsOffByDefault) {
  launch();
  auto r = PlainHttp(app_.port).post("/debug/fault", {{"kind", "crash"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(app_.process.running());
}

TEST_F(SampleAppProtocol, FixedPortAlreadyTakenIsReported) {
  launch();
  TempDir other("sample-app-2");
  try {
    launch_sample_app({"--headless", "--port", std::to_string(app_.port)}, other / "app.log");
    FAIL() << "a second app bound the same port";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("exit code 2"), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(app_.port)), std::string::npos) << what;
    EXPECT_NE(what.find("Address already in use"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace livegui::test_support
