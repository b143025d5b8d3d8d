// The plan's `retry` and `test_timeout` (tier or entry; entries inherit).
#include <gtest/gtest.h>

#include "batcher/plan/plan.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;

std::string plan_error(const std::string& text) {
  try {
    parse_plan(text, "p.toml", "/nonexistent");
  } catch (const PlanError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(BatcherRetryPlan, TierRetryAndTestTimeoutAreInheritedAndEntriesOverrideThem) {
  Plan p = parse_plan(R"(
[[tiers]]
name = "live"
retry = { on = ["crash", "degraded"], max = 2 }
test_timeout = "30s"
[[tiers.entries]]
name = "inherits"
command = ["/bin/true"]
[[tiers.entries]]
name = "own"
command = ["/bin/true"]
retry = { on = ["timeout", "fail"] }
test_timeout = "500ms"
[[tiers]]
name = "plain"
[[tiers.entries]]
name = "none"
command = ["/bin/true"]
)",
                      "p.toml", "/nonexistent");
  const PlanEntry& a = p.tiers[0].entries[0];
  EXPECT_EQ(a.retry.max, 2);
  EXPECT_EQ(a.retry.on, (std::set<RetryOn>{RetryOn::Crash, RetryOn::Degraded}));
  EXPECT_EQ(a.test_timeout, std::chrono::milliseconds(30s));
  const PlanEntry& b = p.tiers[0].entries[1];
  EXPECT_EQ(b.retry.max, 1) << "max defaults to 1";
  EXPECT_EQ(b.retry.on, (std::set<RetryOn>{RetryOn::Timeout, RetryOn::Fail}));
  EXPECT_EQ(b.test_timeout, 500ms);
  const PlanEntry& c = p.tiers[1].entries[0];
  EXPECT_FALSE(c.retry.active());
  EXPECT_FALSE(c.test_timeout.has_value());
}

TEST(BatcherRetryPlan, BadRetryTablesNameFileLineColumnAndField) {
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"t\"\nretry = { on = [\"crash\", \"sometimes\"] }\n"),
            "p.toml:3:26: tiers[0].retry.on[1]: is 'sometimes'; expected one of: crash, timeout, degraded, fail");
  EXPECT_EQ(
      plan_error("[[tiers]]\nname = \"t\"\nretry = { max = 1 }\n").rfind("p.toml:3:9: tiers[0].retry.on: say which", 0),
      0u);
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"t\"\nretry = { on = [], max = 1 }\n"),
            "p.toml:3:16: tiers[0].retry.on: is empty: say which failures to retry (\"crash\", \"timeout\", "
            "\"degraded\", \"fail\"), or leave retry out");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"t\"\nretry = { on = [\"crash\"], max = -1 }\n"),
            "p.toml:3:33: tiers[0].retry.max: must be in 0..10, got -1");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"t\"\nretry = 1\n"),
            "p.toml:3:9: tiers[0].retry: must be a table like { on = [\"crash\"], max = 1 }, got an integer");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"t\"\nretry = { on = [\"crash\"], tries = 1 }\n"),
            "p.toml:3:27: tiers[0].retry.tries: is not a known field; known fields: on, max");
  EXPECT_EQ(plan_error("[[tiers]]\nname = \"t\"\ntest_timeout = \"soon\"\n"),
            "p.toml:3:16: tiers[0].test_timeout: is \"soon\"; expected a duration such as \"500ms\", \"1s\" or "
            "\"2min\"");
}

}  // namespace
}  // namespace livegui::batch
