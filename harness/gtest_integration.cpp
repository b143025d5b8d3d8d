#include "harness/gtest_integration.hpp"

#include <cstdlib>

#include "common/environment.hpp"
#include "harness/batch_environment.hpp"

namespace livegui {

AutScope apply_environment_overrides(AppSpec& spec) {
  if (const char* v = std::getenv(env::kAutSpec); v && *v) {
    // The tier's table says what to run; a respawn policy the binary chose
    // itself (never, per_suite, per_test) is part of what its tests mean.
    RespawnPolicy own = spec.respawn;
    spec = AppSpec::from_toml_file(v, "");
    if (own != RespawnPolicy::OnDeathAndDegraded) spec.respawn = own;
  }
  return apply_batch_environment(spec);
}

void init(int* argc, char** argv, AppSpec spec) {
  ::testing::InitGoogleTest(argc, argv);
  const AutScope scope = apply_environment_overrides(spec);
  spec.validate();
  auto* env = new LiveEnvironment(std::move(spec), scope == AutScope::Session);
  ::testing::AddGlobalTestEnvironment(env);  // gtest owns it
  ::testing::UnitTest::GetInstance()->listeners().Append(new LiveListener(env));
}

}  // namespace livegui
