#pragma once
// Selection: which units run in this invocation — by tier, by a regular
// expression over unit ids and test names, and by shard. Shards are balanced
// by the durations of a previous run when known, else by count; every unit
// lands in exactly one shard, and each shard keeps plan order.

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "batcher/select/unit.hpp"

namespace livegui::batch {

/// A bad --tier / --filter / --shard / shard environment; what() says which and why.
class SelectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ShardSpec {
  int index = 0;  ///< 0-based
  int count = 1;
  std::string source;  ///< "--shard", "GTEST_TOTAL_SHARDS", "TEST_TOTAL_SHARDS"
  bool active() const { return count > 1; }
};

/// "2/3" → index 1 of 3 (the flag is 1-based). Throws SelectionError.
ShardSpec parse_shard_flag(const std::string& text);

/// GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX, else Bazel's TEST_TOTAL_SHARDS/
/// TEST_SHARD_INDEX (0-based). std::nullopt when neither is set. Throws SelectionError.
using EnvLookup = std::optional<std::string> (*)(const char*);
std::optional<ShardSpec> shard_from_environment(EnvLookup lookup);

/// Keeps units of the named tiers (all when empty). Throws SelectionError for
/// an unknown tier, naming the known ones.
std::vector<Unit> select_tiers(std::vector<Unit> units, const std::vector<std::string>& tiers,
                               const std::vector<std::string>& known_tiers);

/// Keeps units whose id ("tier/name") matches `pattern` (ECMAScript regex,
/// searched), or — for listed GoogleTest units — only their tests whose
/// "tier/name/Suite.Test" matches. A GoogleTest unit whose listing failed
/// gets the pattern as its --gtest_filter (filter_translation.hpp) when a
/// test of it can match, or is kept with Unit::not_run (SKIPPED) saying why
/// the pattern cannot be passed on — among them a pattern that matches
/// another entry's id (it selects entries by name, so this one's tests
/// cannot be known). When no unit matches at all, the listed GoogleTest
/// units whose filter the pattern can be passed as are kept with it as
/// their --gtest_filter and Unit::skip_if_no_test set (a main() may register
/// tests only when it is not listing: the run decides). Throws
/// SelectionError for a bad regex.
std::vector<Unit> select_matching(std::vector<Unit> units, const std::string& pattern);

/// Splits units into `count` shards. `durations` (unit id → seconds, from a
/// previous run) balances them; without any, they are dealt by count. Each
/// returned shard lists unit indexes in plan order.
std::vector<std::vector<std::size_t>> assign_shards(const std::vector<Unit>& units, int count,
                                                    const std::map<std::string, double>& durations);

/// The units of one shard, in plan order.
std::vector<Unit> select_shard(const std::vector<Unit>& units, const ShardSpec& shard,
                               const std::map<std::string, double>& durations);

}  // namespace livegui::batch
