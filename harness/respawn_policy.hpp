#pragma once
// The respawn policy's own rule: when a *healthy* AUT is replaced anyway
// (per_test, per_suite). A dead or degraded AUT is replaced under every
// policy but "never" (AppHandle::ensure_ready; docs/plan.md, "respawn").

#include <optional>
#include <string>

#include "harness/app_spec.hpp"
#include "harness/state_file.hpp"

namespace livegui {

/// Why `next` gets a fresh AUT although the current one is healthy, e.g.
/// "fresh AUT for suite S (respawn policy per_suite)"; empty = reuse it.
/// `tests_served`: tests that ran on the current AUT; `started_for_suite`:
/// the suite it was started for (none when started outside a test).
std::string fresh_aut_reason(RespawnPolicy policy, int tests_served,
                             const std::optional<std::string>& started_for_suite, const TestRef& next);

}  // namespace livegui
