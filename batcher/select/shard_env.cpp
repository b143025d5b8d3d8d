#include "batcher/select/shard_env.hpp"

#include <algorithm>
#include <string_view>

#include "common/environment.hpp"

namespace livegui::batch {
namespace {

// Digits only, with an optional '-' (then out of range): no '+', no spaces.
int whole_number(const std::string& text, const char* name) {
  std::size_t from = !text.empty() && text[0] == '-' ? 1 : 0;
  bool digits = text.size() > from && text.size() - from <= 9 &&
                std::all_of(text.begin() + from, text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) throw SelectionError(std::string("--shard auto: ") + name + "=\"" + text + "\" is not a whole number");
  return std::stoi(text);
}

// An empty variable is as good as unset (a CI template that expands to "").
std::optional<std::string> non_empty(EnvLookup lookup, const char* name) {
  auto v = lookup(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

}  // namespace

const std::vector<ShardVariables>& shard_variable_families() {
  static const std::vector<ShardVariables> families = {
      {"GoogleTest", "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", 0},
      {"Bazel", "TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", 0},
      {"GitLab CI", "CI_NODE_TOTAL", "CI_NODE_INDEX", 1},
      {"CircleCI", "CIRCLE_NODE_TOTAL", "CIRCLE_NODE_INDEX", 0},
      {"Buildkite", "BUILDKITE_PARALLEL_JOB_COUNT", "BUILDKITE_PARALLEL_JOB", 0},
      {"Kubernetes Indexed Job", env::kShardTotal, "JOB_COMPLETION_INDEX", 0},
  };
  return families;
}

std::optional<ShardSpec> shard_from_ci_environment(EnvLookup lookup) {
  for (const ShardVariables& f : shard_variable_families()) {
    auto total = non_empty(lookup, f.total);
    auto index = non_empty(lookup, f.index);
    if (!index && (!total || *total == "1")) continue;
    if (!index || !total)
      throw SelectionError(std::string("--shard auto: ") + f.engine + ": " + (index ? f.index : f.total) +
                           " is set but " + (index ? f.total : f.index) + " is not; set both" +
                           (std::string_view(f.total) == env::kShardTotal
                                ? " (" + std::string(env::kShardTotal) + ": the Job's completions)"
                                : std::string()));
    ShardSpec s;
    s.count = whole_number(*total, f.total);
    int i = whole_number(*index, f.index);
    if (s.count < 1)
      throw SelectionError(std::string("--shard auto: ") + f.engine + ": " + f.total + "=" + *total +
                           ": the total must be at least 1");
    int last = s.count - 1 + f.first_index;
    if (i < f.first_index || i > last)
      throw SelectionError(std::string("--shard auto: ") + f.engine + ": " + f.index + "=" + *index + " with " +
                           f.total + "=" + *total + ": the index must be " + std::to_string(f.first_index) + " … " +
                           std::to_string(last));
    s.index = i - f.first_index;
    s.source = std::string(f.engine) + ": " + f.index + "=" + *index + ", " + f.total + "=" + *total + " (" +
               (f.first_index == 1 ? "1-based" : "0-based") + ")";
    return s;
  }
  return std::nullopt;
}

}  // namespace livegui::batch
