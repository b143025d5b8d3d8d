// The environment overrides livegui::init applies for livegui-batch.
#include <cstdlib>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/gtest_integration.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui {
namespace {

/// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  void set(const std::string& name, const std::string& value) {
    remember(name);
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (auto& [name, old] : saved_) {
      if (old)
        ::setenv(name.c_str(), old->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }

 private:
  void remember(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(GtestOverrides, NothingSetKeepsTheSpec) {
  ScopedEnv env;
  for (const char* n : {"LIVEGUI_AUT_SPEC", "LIVEGUI_STATE_FILE", "LIVEGUI_LOG_DIR", "LIVEGUI_AUT_SCOPE"})
    env.set(n, "");
  AppSpec spec;
  spec.executable = "/x";
  EXPECT_EQ(apply_environment_overrides(spec), AutScope::File);
  EXPECT_EQ(spec.executable, "/x");
  EXPECT_TRUE(spec.state_file.empty());
}

TEST(GtestOverrides, BatcherVariablesWin) {
  test_support::TempDir dir("overrides");
  std::ofstream(dir / "aut.toml") << "executable = \"" << test_support::binary("tests/support/fake_app").string()
                                  << "\"\nargs = [\"--from-plan\"]\nrespawn = \"per_test\"\n";
  ScopedEnv env;
  env.set("LIVEGUI_AUT_SPEC", (dir / "aut.toml").string());
  env.set("LIVEGUI_STATE_FILE", (dir / "s.json").string());
  env.set("LIVEGUI_LOG_DIR", (dir / "logs").string());
  env.set("LIVEGUI_AUT_SCOPE", "session");
  AppSpec spec;
  spec.executable = "/from/main";
  EXPECT_EQ(apply_environment_overrides(spec), AutScope::Session);
  EXPECT_EQ(spec.executable, test_support::binary("tests/support/fake_app"));
  EXPECT_EQ(spec.args, std::vector<std::string>{"--from-plan"});
  EXPECT_EQ(spec.respawn, RespawnPolicy::PerTest);
  EXPECT_EQ(spec.state_file, dir / "s.json");
  EXPECT_EQ(spec.log_dir, dir / "logs");
  env.set("LIVEGUI_AUT_SCOPE", "file");
  EXPECT_EQ(apply_environment_overrides(spec), AutScope::File);
}

TEST(GtestOverrides, BadValuesAreNamed) {
  ScopedEnv env;
  env.set("LIVEGUI_AUT_SPEC", "");
  env.set("LIVEGUI_AUT_SCOPE", "tier");
  AppSpec spec;
  try {
    apply_environment_overrides(spec);
    FAIL() << "expected AppSpecError";
  } catch (const AppSpecError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("LIVEGUI_AUT_SCOPE is 'tier'"));
  }
  env.set("LIVEGUI_AUT_SCOPE", "");
  env.set("LIVEGUI_AUT_SPEC", "/nonexistent/aut.toml");
  EXPECT_THROW(apply_environment_overrides(spec), AppSpecError);
}

}  // namespace
}  // namespace livegui
