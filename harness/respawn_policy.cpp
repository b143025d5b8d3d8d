#include "harness/respawn_policy.hpp"

namespace livegui {

std::string fresh_aut_reason(RespawnPolicy policy, int tests_served,
                             const std::optional<std::string>& started_for_suite, const TestRef& next) {
  switch (policy) {
    case RespawnPolicy::PerTest:
      if (tests_served > 0) return "fresh AUT for " + next.full() + " (respawn policy per_test)";
      break;
    case RespawnPolicy::PerSuite:
      if (started_for_suite && *started_for_suite != next.suite)
        return "fresh AUT for suite " + next.suite + " (respawn policy per_suite)";
      break;
    case RespawnPolicy::OnDeathAndDegraded:
    case RespawnPolicy::Never: break;
  }
  return {};
}

}  // namespace livegui
