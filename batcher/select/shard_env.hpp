#pragma once
// `--shard auto`: which shard this process is, read from the variables the CI
// engines and test runners set for parallel jobs, in a documented order
// (docs/ci.md). The first family whose variables are set wins.

#include <optional>
#include <string>
#include <vector>

#include "batcher/select/selection.hpp"

namespace livegui::batch {

/// One engine's pair of shard variables.
struct ShardVariables {
  const char* engine;  ///< "GoogleTest", "Bazel", "GitLab CI", …
  const char* total;   ///< the variable holding the number of shards
  const char* index;   ///< the variable holding this shard's index
  int first_index;     ///< 0 or 1: the engine's index of the first shard
};

/// The order --shard auto reads them in: GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX,
/// TEST_TOTAL_SHARDS/TEST_SHARD_INDEX (Bazel), CI_NODE_TOTAL/CI_NODE_INDEX
/// (GitLab, 1-based), CIRCLE_NODE_TOTAL/CIRCLE_NODE_INDEX (CircleCI),
/// BUILDKITE_PARALLEL_JOB_COUNT/BUILDKITE_PARALLEL_JOB (Buildkite),
/// LIVEGUI_SHARD_TOTAL/JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).
const std::vector<ShardVariables>& shard_variable_families();

/// --shard auto. A family counts when its index variable is set (a total of
/// "1" alone, as GitLab sets outside `parallel:`, counts as unset). Returns
/// the shard (0-based) with `source` saying which variables gave it, e.g.
/// "GitLab CI: CI_NODE_INDEX=2, CI_NODE_TOTAL=3 (1-based)"; std::nullopt
/// when no family is set (the whole plan runs). Throws SelectionError for a
/// half-set family, a non-number, or an index out of range.
std::optional<ShardSpec> shard_from_ci_environment(EnvLookup lookup);

}  // namespace livegui::batch
