#include "harness/app_spec.hpp"

#include <sys/stat.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using toml_doc = std::unique_ptr<toml::table>;
toml_doc parse_toml(const std::string& text) {
  return std::make_unique<toml::table>(toml::parse(std::string_view(text), std::string_view("spec.toml")));
}

std::string fake_app() { return test_support::binary("tests/support/fake_app").string(); }

std::string spec_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const AppSpecError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(AppSpec, DefaultsAreSensible) {
  AppSpec s;
  EXPECT_EQ(s.readiness, Readiness::AnnouncedPort);
  EXPECT_EQ(s.display, DisplayMode::Inherit);
  EXPECT_EQ(s.respawn, RespawnPolicy::OnDeathAndDegraded);
  EXPECT_EQ(s.max_consecutive_failed_starts, 3);
  EXPECT_TRUE(s.shutdown_request);
}

TEST(AppSpec, ValidateNamesTheExecutableProblem) {
  AppSpec s;
  EXPECT_THAT(spec_error([&] { s.validate(); }), StartsWith("AUT spec: executable: is empty; give the absolute path"));
  s.executable = "relative/app";
  EXPECT_THAT(spec_error([&] { s.validate(); }), HasSubstr("must be an absolute path"));
  s.executable = "/nonexistent/sample_app";
  auto err = spec_error([&] { s.validate(); });
  EXPECT_THAT(err, HasSubstr("/nonexistent/sample_app does not exist"));
  TempDir dir("spec");
  std::ofstream(dir / "script") << "#!/bin/sh\n";
  ::chmod((dir / "script").c_str(), 0644);
  s.executable = dir / "script";
  EXPECT_THAT(spec_error([&] { s.validate(); }), HasSubstr("is not executable"));
  s.executable = dir.path();
  EXPECT_THAT(spec_error([&] { s.validate(); }), HasSubstr("is a directory"));
  s.executable = fake_app();
  EXPECT_NO_THROW(s.validate());
}

TEST(AppSpec, ASpecErrorIsATomlFieldErrorWithItsFieldAndReason) {
  // One shape for every configuration error: a caller that handles a plan's
  // TomlFieldError handles a spec's too, by field, without parsing what().
  AppSpec s;
  s.executable = fake_app();
  s.port = 70000;
  try {
    s.validate();
    FAIL() << "expected AppSpecError";
  } catch (const TomlFieldError& e) {
    EXPECT_NE(dynamic_cast<const AppSpecError*>(&e), nullptr);
    EXPECT_EQ(e.field(), "port");
    EXPECT_EQ(e.reason(), "must be 0..65535, got 70000");
    EXPECT_STREQ(e.what(), "AUT spec: port: must be 0..65535, got 70000");
  }
  try {
    (void)AppSpec::from_toml_string("[aut]\nexecutable = \"" + fake_app() + "\"\nport = -1\n", "aut", "spec.toml");
    FAIL() << "expected AppSpecError";
  } catch (const TomlFieldError& e) {
    EXPECT_EQ(e.at().line, 3) << e.what();
    EXPECT_EQ(e.field(), "port");
    EXPECT_THAT(e.what(), StartsWith("spec.toml:3:"));
  }
}

TEST(AppSpec, ValidateNamesOtherFields) {
  AppSpec s;
  s.executable = fake_app();
  s.readiness = Readiness::FixedPort;
  EXPECT_THAT(spec_error([&] { s.validate(); }), HasSubstr("port: must be set"));
  s.port = 70000;
  EXPECT_THAT(spec_error([&] { s.validate(); }), HasSubstr("port: must be 0..65535"));
  s.port = 4000;
  s.max_consecutive_failed_starts = 0;
  EXPECT_THAT(spec_error([&] { s.validate(); }), HasSubstr("max_consecutive_failed_starts: "));
  s.max_consecutive_failed_starts = 1;
  s.ready_timeout = 0ms;
  EXPECT_THAT(spec_error([&] { s.validate(); }), HasSubstr("ready_timeout: must be positive"));
  s.ready_timeout = 1s;
  s.cwd = "/nonexistent-dir";
  EXPECT_THAT(spec_error([&] { s.validate(); }), HasSubstr("cwd: "));
}

TEST(AppSpec, LoadsEveryKeyFromToml) {
  TempDir dir("spec");
  std::string toml = R"(
[aut]
executable = ")" + fake_app() +
                     R"("
args = ["--headless", "--fps", "120"]
env = { SPDLOG_LEVEL = "info", X = "1" }
cwd = "."
readiness = "fixed_port"
port = 45678
ready_timeout_ms = 5000
heartbeat_threshold_ms = 800
term_grace_ms = 250
kill_wait_ms = 1500
shutdown_request = false
log_dir = "logs"
token = "s3cret"
display = "xvfb"
xvfb_executable = "/usr/bin/Xvfb"
respawn = "per_suite"
max_consecutive_failed_starts = 5
state_file = "state/aut-state.json"
)";
  std::ofstream(dir / "plan.toml") << toml;
  AppSpec s = AppSpec::from_toml_file(dir / "plan.toml");
  EXPECT_EQ(s.executable, fake_app());
  EXPECT_EQ(s.args, (std::vector<std::string>{"--headless", "--fps", "120"}));
  EXPECT_EQ(s.env.at("SPDLOG_LEVEL"), "info");
  EXPECT_EQ(s.env.at("X"), "1");
  EXPECT_EQ(s.cwd, std::filesystem::absolute(dir.path()).lexically_normal());
  EXPECT_EQ(s.readiness, Readiness::FixedPort);
  EXPECT_EQ(s.port, 45678);
  EXPECT_EQ(s.ready_timeout, 5000ms);
  EXPECT_EQ(s.heartbeat_threshold, 800ms);
  EXPECT_EQ(s.term_grace, 250ms);
  EXPECT_EQ(s.kill_wait, 1500ms);
  EXPECT_FALSE(s.shutdown_request);
  EXPECT_EQ(s.log_dir, dir / "logs");
  EXPECT_EQ(s.token, "s3cret");
  EXPECT_EQ(s.display, DisplayMode::Xvfb);
  EXPECT_EQ(s.xvfb_executable, "/usr/bin/Xvfb");
  EXPECT_EQ(s.respawn, RespawnPolicy::PerSuite);
  EXPECT_EQ(s.max_consecutive_failed_starts, 5);
  EXPECT_EQ(s.state_file, dir / "state" / "aut-state.json");
  EXPECT_EQ(s.resolved_log_dir(), dir / "logs");
}

TEST(AppSpec, RelativeExecutableIsResolvedAgainstTheTomlFile) {
  TempDir dir("spec");
  std::filesystem::create_directory(dir / "bin");
  std::filesystem::copy_file(fake_app(), dir / "bin" / "app");
  std::ofstream(dir / "plan.toml") << "[tiers.live.aut]\nexecutable = \"bin/app\"\n";
  AppSpec s = AppSpec::from_toml_file(dir / "plan.toml", "tiers.live.aut");
  EXPECT_EQ(s.executable, dir / "bin" / "app");
}

TEST(AppSpec, AWholeDocumentThatIsOneAutTableIsThatTable) {
  // LIVEGUI_AUT_SPEC set by hand to a file written for `livegui-aut --spec`.
  TempDir dir("spec");
  std::ofstream(dir / "aut.toml") << "[aut]\nexecutable = \"" << fake_app() << "\"\nargs = [\"--headless\"]\n";
  AppSpec s = AppSpec::from_toml_file(dir / "aut.toml", "");
  EXPECT_EQ(s.executable, fake_app());
  EXPECT_EQ(s.args, (std::vector<std::string>{"--headless"}));
  // Beside other keys, "aut" is one more key, and not a known one.
  std::ofstream(dir / "mixed.toml") << "executable = \"" << fake_app() << "\"\n[aut]\nargs = []\n";
  std::string err = spec_error([&] { AppSpec::from_toml_file(dir / "mixed.toml", ""); });
  EXPECT_NE(err.find("aut: is not a known field"), std::string::npos) << err;
}

TEST(AppSpec, TomlErrorsNameTheFieldAndLine) {
  const std::string exe = "executable = \"" + fake_app() + "\"\n";
  struct Case {
    std::string body;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {exe + "ready_timeout_ms = \"10s\"\n", {"ready_timeout_ms: must be an integer", "spec.toml:3:"}},
      {exe + "respawn = \"sometimes\"\n",
       {"respawn: is 'sometimes'", "on_death_and_degraded, never, per_suite, per_test", ":3:"}},
      {exe + "display = \"wayland\"\n", {"display: is 'wayland'", "inherit, xvfb, none"}},
      {exe + "readiness = 3\n", {"readiness: must be a string, got an integer"}},
      {exe + "args = [\"--a\", 3]\n", {"args[1]: must be a string"}},
      {exe + "env = { A = 1 }\n", {"env.A: must be a string"}},
      {exe + "port = 70000\n", {"port: must be in 0..65535", ":3:"}},
      {exe + "term_grace_ms = -1\n", {"term_grace_ms: must be in"}},
      {exe + "shutdown_request = \"yes\"\n", {"shutdown_request: must be true or false"}},
      {exe + "max_consecutive_failed_starts = 0\n", {"max_consecutive_failed_starts: must be in 1..1000"}},
      {exe + "readyness = \"port_file\"\n",
       {"spec.toml:3:1: readyness: is not a known field (did you mean 'readiness'?)"}},
      {"args = []\n", {"executable: is missing"}},
      {"executable = \"/nonexistent/app\"\n", {"executable: ", "/nonexistent/app does not exist", "spec.toml:2:"}},
      {exe + "readiness = \"fixed_port\"\n", {"port: must be set"}},
  };
  for (const auto& c : cases) {
    std::string err = spec_error([&] { AppSpec::from_toml_string("[aut]\n" + c.body, "aut", "spec.toml"); });
    for (const auto& want : c.expect) EXPECT_THAT(err, HasSubstr(want)) << c.body;
    EXPECT_THAT(err, HasSubstr("spec.toml")) << c.body;
  }
}

TEST(AppSpec, DurationsAreWrittenAsInThePlan) {
  const std::string exe = "executable = \"" + fake_app() + "\"\n";
  std::vector<AppSpecNote> notes;
  toml_doc doc = parse_toml("[aut]\n" + exe +
                            "ready_timeout = \"2min\"\nheartbeat_threshold = \"500ms\"\nterm_grace = \"1s\"\n"
                            "kill_wait = \"1.5s\"\n");
  AppSpec s = AppSpec::from_toml(*doc->get_as<toml::table>("aut"), "spec.toml", "/", &notes);
  EXPECT_EQ(s.ready_timeout, 2min);
  EXPECT_EQ(s.heartbeat_threshold, 500ms);
  EXPECT_EQ(s.term_grace, 1s);
  EXPECT_EQ(s.kill_wait, 1500ms);
  EXPECT_TRUE(notes.empty());
}

TEST(AppSpec, DeprecatedMillisecondFieldsAreReadWithANote) {
  const std::string exe = "executable = \"" + fake_app() + "\"\n";
  std::vector<AppSpecNote> notes;
  toml_doc doc = parse_toml("[aut]\n" + exe + "term_grace_ms = 1000\nready_timeout_ms = 250\n");
  AppSpec s = AppSpec::from_toml(*doc->get_as<toml::table>("aut"), "spec.toml", "/", &notes);
  EXPECT_EQ(s.term_grace, 1s);
  EXPECT_EQ(s.ready_timeout, 250ms);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].str(),
            "spec.toml:4:20: 'ready_timeout_ms' is deprecated and goes away in the next release: write "
            "ready_timeout = \"250ms\"");
  EXPECT_EQ(notes[1].at.line, 3);
  EXPECT_THAT(notes[1].text, HasSubstr("write term_grace = \"1s\""));
}

TEST(AppSpec, DurationErrorsNameTheUsersFileLineAndColumn) {
  const std::string exe = "executable = \"" + fake_app() + "\"\n";
  struct Case {
    std::string body;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {exe + "term_grace = \"oops\"\n",
       "spec.toml:3:14: term_grace: is \"oops\"; expected a duration such as \"500ms\", \"1s\" or \"2min\""},
      {exe + "term_grace = 1000\n", "spec.toml:3:14: term_grace: must be a duration such as"},
      {exe + "ready_timeout = \"0ms\"\n", "spec.toml:3:17: ready_timeout: is \"0ms\"; must be positive"},
      {exe + "term_grace = \"1s\"\nterm_grace_ms = 1000\n", "spec.toml:4:17: term_grace_ms: repeats 'term_grace'"},
      {exe + "heartbeat_threshold_ms = \"1s\"\n", "spec.toml:3:26: heartbeat_threshold_ms: must be an integer"},
  };
  for (const auto& c : cases) {
    std::string err = spec_error([&] { AppSpec::from_toml_string("[aut]\n" + c.body, "aut", "spec.toml"); });
    EXPECT_THAT(err, HasSubstr(c.expect)) << c.body;
  }
}

TEST(AppSpec, ValidationErrorsPointAtTheValueAsWritten) {
  // validate() finds these; the reader maps them back to the user's line.
  std::string err = spec_error(
      [] { AppSpec::from_toml_string("[aut]\n\n\nexecutable = \"/nonexistent/app\"\n", "aut", "spec.toml"); });
  EXPECT_THAT(err, HasSubstr("spec.toml:4:14: executable: /nonexistent/app does not exist"));
}

TEST(AppSpec, BareExecutableNamesAreFoundOnPath) {
  TempDir dir("spec");
  fs::create_directories(dir / "bin");
  std::ofstream(dir / "bin" / "my_aut") << "#!/bin/sh\n";
  fs::permissions(dir / "bin" / "my_aut", fs::perms::owner_all);
  const char* old = std::getenv("PATH");
  std::string saved = old ? old : "";
  ::setenv("PATH", ((dir / "bin").string() + ":" + saved).c_str(), 1);
  AppSpec s = AppSpec::from_toml_string("[aut]\nexecutable = \"my_aut\"\n", "aut", "spec.toml", "/elsewhere");
  std::string missing = spec_error(
      [] { AppSpec::from_toml_string("[aut]\nexecutable = \"no_such_aut_xyz\"\n", "aut", "spec.toml", "/"); });
  AppSpec sleep = AppSpec::from_toml_string("[aut]\nexecutable = \"sleep\"\n", "aut", "spec.toml", "/elsewhere");
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(s.executable, dir / "bin" / "my_aut") << "not <base dir>/my_aut";
  EXPECT_TRUE(sleep.executable.is_absolute());
  EXPECT_EQ(sleep.executable.filename(), "sleep");
  EXPECT_THAT(missing, HasSubstr("spec.toml:2:14: executable: is 'no_such_aut_xyz', which is not found in PATH"));
  // A name with a slash is a path, relative to the file's directory, never looked up.
  std::string rel = spec_error(
      [] { AppSpec::from_toml_string("[aut]\nexecutable = \"./sleep\"\n", "aut", "s.toml", "/nonexistent"); });
  EXPECT_THAT(rel, HasSubstr("/nonexistent/sleep does not exist"));
}

TEST(AppSpec, WrittenTomlReadsBackEqual) {
  TempDir dir("spec");
  AppSpec s;
  s.executable = fake_app();
  s.args = {"--a", "b c"};
  s.env = {{"X", "1"}};
  s.cwd = dir.path();
  s.readiness = Readiness::FixedPort;
  s.port = 4321;
  s.ready_timeout = 2min;
  s.heartbeat_threshold = 750ms;
  s.term_grace = 0ms;
  s.kill_wait = 3s;
  s.shutdown_request = false;
  s.log_dir = dir / "logs";
  s.max_log_bytes = 1234;
  s.token = "secret";
  s.display = DisplayMode::None;
  s.respawn = RespawnPolicy::PerTest;
  s.max_consecutive_failed_starts = 5;
  s.state_file = dir / "state.json";
  std::string text = s.to_toml(true);
  EXPECT_THAT(text, HasSubstr("ready_timeout = '2min'"));
  EXPECT_THAT(text, HasSubstr("heartbeat_threshold = '750ms'"));
  EXPECT_THAT(text, HasSubstr("term_grace = '0ms'"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("_ms")));
  AppSpec back = AppSpec::from_toml_string(text, "", "written.toml");
  EXPECT_EQ(back.to_toml(true), text);
  EXPECT_EQ(back.kill_wait, 3s);
  EXPECT_EQ(back.token, "secret");
  EXPECT_THAT(s.to_toml(false), ::testing::Not(HasSubstr("secret")));
}

TEST(AppSpec, TomlSyntaxErrorsGiveFileAndLine) {
  auto err = spec_error([] { AppSpec::from_toml_string("[aut]\nexecutable = \n", "aut", "broken.toml"); });
  EXPECT_THAT(err, HasSubstr("broken.toml:2:"));
  err = spec_error([] { AppSpec::from_toml_string("[other]\n", "aut", "plan.toml"); });
  EXPECT_THAT(err, HasSubstr("no [aut] section"));
  err = spec_error([] { AppSpec::from_toml_string("aut = 3\n", "aut", "plan.toml"); });
  EXPECT_THAT(err, HasSubstr("aut: must be a table"));
  TempDir dir("spec");
  err = spec_error([&] { AppSpec::from_toml_file(dir / "missing.toml"); });
  EXPECT_THAT(err, HasSubstr("missing.toml"));
}

TEST(AppSpec, EnumNames) {
  EXPECT_STREQ(to_string(RespawnPolicy::OnDeathAndDegraded), "on_death_and_degraded");
  EXPECT_STREQ(to_string(RespawnPolicy::PerTest), "per_test");
  EXPECT_STREQ(to_string(Readiness::PortFile), "port_file");
  EXPECT_STREQ(to_string(DisplayMode::None), "none");
}

TEST(AppSpec, DefaultLogDirIsTheStateFilesDirectory) {
  AppSpec s;
  s.state_file = "/run/x/livegui/aut-state.json";
  EXPECT_EQ(s.resolved_log_dir(), std::filesystem::path("/run/x/livegui"));
}

}  // namespace
}  // namespace livegui
