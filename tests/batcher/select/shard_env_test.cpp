#include "batcher/select/shard_env.hpp"

#include <map>

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

// The lookup is a plain function pointer: the variables live in a global the test sets.
std::map<std::string, std::string> g_env;
std::optional<std::string> lookup(const char* name) {
  auto it = g_env.find(name);
  return it == g_env.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<ShardSpec> shard_for(std::map<std::string, std::string> env) {
  g_env = std::move(env);
  return shard_from_ci_environment(lookup);
}

std::string error_for(std::map<std::string, std::string> env) {
  try {
    shard_for(std::move(env));
  } catch (const SelectionError& e) {
    return e.what();
  }
  return "<no error>";
}

struct Family {
  std::string total, index;
  int first_index;
  std::string engine;
};

// Every family, as its engine sets it for the 2nd of 3 jobs (0-based index 1).
TEST(ShardAuto, EveryFamilyGivesTheSecondOfThree) {
  const Family families[] = {
      {"GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", 0, "GoogleTest"},
      {"TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", 0, "Bazel"},
      {"CI_NODE_TOTAL", "CI_NODE_INDEX", 1, "GitLab CI"},
      {"CIRCLE_NODE_TOTAL", "CIRCLE_NODE_INDEX", 0, "CircleCI"},
      {"BUILDKITE_PARALLEL_JOB_COUNT", "BUILDKITE_PARALLEL_JOB", 0, "Buildkite"},
      {"LIVEGUI_SHARD_TOTAL", "JOB_COMPLETION_INDEX", 0, "Kubernetes Indexed Job"},
  };
  for (const auto& f : families) {
    SCOPED_TRACE(f.engine);
    std::string index = std::to_string(1 + f.first_index);
    auto s = shard_for({{f.total, "3"}, {f.index, index}});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->index, 1);
    EXPECT_EQ(s->count, 3);
    EXPECT_EQ(s->source, f.engine + ": " + f.index + "=" + index + ", " + f.total + "=3 (" +
                             (f.first_index ? "1-based" : "0-based") + ")");
    // The edges of the engine's range, and one past it.
    EXPECT_EQ(shard_for({{f.total, "3"}, {f.index, std::to_string(f.first_index)}})->index, 0);
    EXPECT_EQ(shard_for({{f.total, "3"}, {f.index, std::to_string(f.first_index + 2)}})->index, 2);
    EXPECT_NE(error_for({{f.total, "3"}, {f.index, std::to_string(f.first_index + 3)}}).find("the index must be"),
              std::string::npos);
    EXPECT_NE(error_for({{f.total, "3"}, {f.index, std::to_string(f.first_index - 1)}}).find("the index must be"),
              std::string::npos);
  }
}

TEST(ShardAuto, OneBasedEnginesDoNotShiftByOne) {
  // GitLab's CI_NODE_INDEX=1 is the first shard, =3 of 3 the last.
  EXPECT_EQ(shard_for({{"CI_NODE_TOTAL", "3"}, {"CI_NODE_INDEX", "1"}})->index, 0);
  EXPECT_EQ(shard_for({{"CI_NODE_TOTAL", "3"}, {"CI_NODE_INDEX", "3"}})->index, 2);
  EXPECT_NE(error_for({{"CI_NODE_TOTAL", "3"}, {"CI_NODE_INDEX", "0"}})
                .find("GitLab CI: CI_NODE_INDEX=0 with "
                      "CI_NODE_TOTAL=3: the index must be 1 … 3"),
            std::string::npos);
}

TEST(ShardAuto, TheDocumentedOrderDecides) {
  // GoogleTest before Bazel before GitLab before CircleCI before Buildkite before Kubernetes.
  auto s = shard_for(
      {{"CI_NODE_TOTAL", "4"}, {"CI_NODE_INDEX", "4"}, {"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "0"}});
  EXPECT_EQ(s->count, 2);
  EXPECT_EQ(s->source.rfind("Bazel", 0), 0u);
  s = shard_for({{"CIRCLE_NODE_TOTAL", "5"},
                 {"CIRCLE_NODE_INDEX", "4"},
                 {"JOB_COMPLETION_INDEX", "0"},
                 {"LIVEGUI_SHARD_TOTAL", "2"}});
  EXPECT_EQ(s->count, 5);
  EXPECT_EQ(s->index, 4);
}

TEST(ShardAuto, NoVariableMeansTheWholePlan) {
  EXPECT_FALSE(shard_for({}));
  // GitLab sets CI_NODE_TOTAL=1 in jobs without `parallel:`: not a shard.
  EXPECT_FALSE(shard_for({{"CI_NODE_TOTAL", "1"}}));
  // CircleCI always sets both; one node is the whole plan.
  auto one = shard_for({{"CIRCLE_NODE_TOTAL", "1"}, {"CIRCLE_NODE_INDEX", "0"}});
  ASSERT_TRUE(one);
  EXPECT_FALSE(one->active());
}

TEST(ShardAuto, HalfSetOrMalformedVariablesAreErrors) {
  EXPECT_EQ(error_for({{"JOB_COMPLETION_INDEX", "2"}}),
            "--shard auto: Kubernetes Indexed Job: JOB_COMPLETION_INDEX is set but LIVEGUI_SHARD_TOTAL is not; set "
            "both (LIVEGUI_SHARD_TOTAL: the Job's completions)");
  EXPECT_EQ(error_for({{"BUILDKITE_PARALLEL_JOB_COUNT", "4"}}),
            "--shard auto: Buildkite: BUILDKITE_PARALLEL_JOB_COUNT is set but BUILDKITE_PARALLEL_JOB is not; set both");
  EXPECT_EQ(error_for({{"CIRCLE_NODE_TOTAL", "three"}, {"CIRCLE_NODE_INDEX", "0"}}),
            "--shard auto: CIRCLE_NODE_TOTAL=\"three\" is not a whole number");
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

// Found by trying --shard auto as a new user: an empty variable is unset, a
// number is digits only, and a zero total says so.
TEST(ShardAuto, EmptyVariablesAreUnsetNumbersAreDigitsOnlyAndAZeroTotalIsNamed) {
  auto s = shard_for({{"GTEST_TOTAL_SHARDS", ""}, {"CI_NODE_INDEX", "3"}, {"CI_NODE_TOTAL", "3"}});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 3);
  EXPECT_NE(error_for({{"CI_NODE_INDEX", " 2"}, {"CI_NODE_TOTAL", "3"}}).find("is not a whole number"),
            std::string::npos);
  EXPECT_NE(error_for({{"CI_NODE_INDEX", "+2"}, {"CI_NODE_TOTAL", "3"}}).find("is not a whole number"),
            std::string::npos);
  EXPECT_NE(error_for({{"CI_NODE_INDEX", "2 "}, {"CI_NODE_TOTAL", "3"}}).find("is not a whole number"),
            std::string::npos);
  EXPECT_NE(error_for({{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "0"}}).find("the total must be at least 1"),
            std::string::npos);
}

}  // namespace
}  // namespace livegui::batch
