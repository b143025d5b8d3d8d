#pragma once
// What a process livegui-batch started takes from its environment for the AUT
// it drives (the contract: common/environment.hpp): where to record state and
// logs, the hook token, and whether to own the AUT or attach to the batch's.
// Read by both kinds of guest: a GoogleTest binary (gtest_integration.cpp) and
// livegui-aut under the pytest plugin (supervisor/livegui_aut_main.cpp).

#include "common/aut_scope.hpp"
#include "harness/app_spec.hpp"

namespace livegui {

/// Applies LIVEGUI_STATE_FILE, LIVEGUI_LOG_DIR and LIVEGUI_AUT_TOKEN (when set
/// and not empty) to `spec` and returns the scope LIVEGUI_AUT_SCOPE asks for
/// (unset or empty: AutScope::File). Throws AppSpecError naming the variable
/// and its value when the scope is neither "file" nor "session".
AutScope apply_batch_environment(AppSpec& spec);

}  // namespace livegui
