#pragma once
// GoogleTest integration of the harness. In the test binary's own main():
//
//   int main(int argc, char** argv) {
//     livegui::AppSpec spec;
//     spec.executable = "/abs/path/sample_app";
//     spec.args = {"--headless"};
//     livegui::init(&argc, argv, spec);
//     return RUN_ALL_TESTS();
//   }
//
// and derive fixtures from livegui::LiveAppTest. Environment overrides (used
// by livegui-batch): LIVEGUI_AUT_SPEC (a TOML file holding an AUT table, see
// app_spec.hpp, replacing the spec from main; relative paths in it are
// resolved against its directory), LIVEGUI_STATE_FILE (state file path),
// LIVEGUI_LOG_DIR (AUT logs), LIVEGUI_AUT_SCOPE=session (attach to the AUT
// recorded in the state file instead of owning one; "file" or unset: own one),
// LIVEGUI_AUT_TOKEN (the hook token: livegui-batch keeps it out of the
// LIVEGUI_AUT_SPEC file, which reports name, and passes it here).

#include "common/aut_scope.hpp"
#include "harness/app_handle.hpp"
#include "harness/app_spec.hpp"
#include "harness/live_app_test.hpp"
#include "harness/live_environment.hpp"
#include "harness/live_listener.hpp"

namespace livegui {

/// Calls ::testing::InitGoogleTest(argc, argv), applies the environment
/// overrides to `spec`, validates it (throws AppSpecError naming the field),
/// registers the Environment owning the AUT handle, and appends the listener
/// after the default printer. Call once, before RUN_ALL_TESTS().
void init(int* argc, char** argv, AppSpec spec);

/// Applies LIVEGUI_AUT_SPEC (replaces the spec, but a non-default respawn
/// policy the binary chose stays), then the rest of the batch's environment
/// (apply_batch_environment: state file, log dir, token) to `spec`; returns
/// the scope LIVEGUI_AUT_SCOPE asks for. Throws AppSpecError for an unusable
/// spec file or an unknown scope.
AutScope apply_environment_overrides(AppSpec& spec);

}  // namespace livegui
