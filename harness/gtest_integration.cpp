#include "harness/gtest_integration.hpp"

#include <cstdlib>

#include "common/environment.hpp"

namespace livegui {

bool apply_environment_overrides(AppSpec& spec) {
  if (const char* v = std::getenv(env::kAutSpec); v && *v) {
    // The tier's table says what to run; a respawn policy the binary chose
    // itself (never, per_suite, per_test) is part of what its tests mean.
    RespawnPolicy own = spec.respawn;
    spec = AppSpec::from_toml_file(v, "");
    if (own != RespawnPolicy::OnDeathAndDegraded) spec.respawn = own;
  }
  if (const char* v = std::getenv(env::kStateFile); v && *v) spec.state_file = v;
  if (const char* v = std::getenv(env::kLogDir); v && *v) spec.log_dir = v;
  if (const char* v = std::getenv(env::kAutToken); v && *v) spec.token = v;
  const char* scope = std::getenv(env::kAutScope);
  std::string s = scope ? scope : "";
  if (s.empty() || s == "file") return false;
  if (s == "session") return true;
  throw AppSpecError("environment variable LIVEGUI_AUT_SCOPE is '" + s + "'; expected 'file' or 'session'");
}

void init(int* argc, char** argv, AppSpec spec) {
  ::testing::InitGoogleTest(argc, argv);
  bool session = apply_environment_overrides(spec);
  spec.validate();
  auto* env = new LiveEnvironment(std::move(spec), session);
  ::testing::AddGlobalTestEnvironment(env);  // gtest owns it
  ::testing::UnitTest::GetInstance()->listeners().Append(new LiveListener(env));
}

}  // namespace livegui
