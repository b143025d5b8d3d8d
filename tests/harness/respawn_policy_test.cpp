// When a healthy AUT is replaced anyway: the respawn policy alone decides.
#include "harness/respawn_policy.hpp"

#include <gtest/gtest.h>

namespace livegui {
namespace {

const TestRef kNext{"Editor", "Saves"};

TEST(RespawnPolicyRule, PerTestReplacesOnlyAnAutThatAlreadyServedATest) {
  EXPECT_EQ(fresh_aut_reason(RespawnPolicy::PerTest, 0, std::nullopt, kNext), "");
  EXPECT_EQ(fresh_aut_reason(RespawnPolicy::PerTest, 1, std::string("Editor"), kNext),
            "fresh AUT for Editor.Saves (respawn policy per_test)");
}

TEST(RespawnPolicyRule, PerSuiteReplacesAtASuiteBoundaryOnly) {
  EXPECT_EQ(fresh_aut_reason(RespawnPolicy::PerSuite, 3, std::string("Editor"), kNext), "");
  EXPECT_EQ(fresh_aut_reason(RespawnPolicy::PerSuite, 3, std::nullopt, kNext), "") << "started outside a test";
  EXPECT_EQ(fresh_aut_reason(RespawnPolicy::PerSuite, 3, std::string("Viewer"), kNext),
            "fresh AUT for suite Editor (respawn policy per_suite)");
}

TEST(RespawnPolicyRule, TheOtherPoliciesNeverReplaceAHealthyAut) {
  for (RespawnPolicy p : {RespawnPolicy::OnDeathAndDegraded, RespawnPolicy::Never})
    EXPECT_EQ(fresh_aut_reason(p, 5, std::string("Viewer"), kNext), "");
}

}  // namespace
}  // namespace livegui
