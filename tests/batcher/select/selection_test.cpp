#include "batcher/select/selection.hpp"

#include <map>
#include <set>

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

std::vector<Unit> make_units(std::size_t n, const std::string& tier = "t") {
  std::vector<Unit> units;
  for (std::size_t i = 0; i < n; ++i) {
    Unit u;
    u.tier = tier;
    u.name = "e" + std::to_string(i);
    u.id = tier + "/" + u.name;
    u.order = i;
    units.push_back(u);
  }
  return units;
}

void expect_exact_cover(const std::vector<Unit>& units, int count, const std::map<std::string, double>& durations) {
  std::multiset<std::string> seen;
  for (int s = 0; s < count; ++s) {
    ShardSpec spec;
    spec.index = s;
    spec.count = count;
    auto shard = select_shard(units, spec, durations);
    for (std::size_t i = 1; i < shard.size(); ++i)
      EXPECT_LT(shard[i - 1].order, shard[i].order) << "a shard keeps plan order";
    for (const auto& u : shard) seen.insert(u.id);
  }
  ASSERT_EQ(seen.size(), units.size()) << units.size() << " units over " << count << " shards";
  for (const auto& u : units) EXPECT_EQ(seen.count(u.id), 1u) << u.id;
}

TEST(BatcherSelection, ShardsCoverEveryUnitExactlyOnceByCount) {
  for (std::size_t n : {0u, 1u, 2u, 5u, 7u, 100u, 1000u})
    for (int count : {1, 2, 3, 4, 7, 13}) expect_exact_cover(make_units(n), count, {});
}

TEST(BatcherSelection, ShardsCoverEveryUnitExactlyOnceByDuration) {
  auto units = make_units(50);
  std::map<std::string, double> durations;
  for (std::size_t i = 0; i < units.size(); i += 2) durations[units[i].id] = static_cast<double>((i * 37) % 11) + 0.1;
  durations["t/not-in-plan"] = 99;
  for (int count : {1, 2, 3, 5, 8}) expect_exact_cover(units, count, durations);
}

TEST(BatcherSelection, DurationsBalanceTheShards) {
  auto units = make_units(6);
  // One long unit and five short ones: the long one gets a shard to itself.
  std::map<std::string, double> durations{{"t/e0", 10}, {"t/e1", 1}, {"t/e2", 1},
                                          {"t/e3", 1},  {"t/e4", 1}, {"t/e5", 1}};
  auto shards = assign_shards(units, 2, durations);
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[0], std::vector<std::size_t>{0});
  EXPECT_EQ(shards[1].size(), 5u);
  // Without durations: dealt by count.
  auto by_count = assign_shards(units, 2, {});
  EXPECT_EQ(by_count[0].size(), 3u);
  EXPECT_EQ(by_count[1].size(), 3u);
}

TEST(BatcherSelection, ParsesTheShardFlagAndEnvironment) {
  auto s = parse_shard_flag("2/4");
  EXPECT_EQ(s.index, 1);
  EXPECT_EQ(s.count, 4);
  EXPECT_THROW(parse_shard_flag("0/4"), SelectionError);
  EXPECT_THROW(parse_shard_flag("5/4"), SelectionError);
  EXPECT_THROW(parse_shard_flag("x/4"), SelectionError);
  EXPECT_THROW(parse_shard_flag("2"), SelectionError);

  static std::map<std::string, std::string> env;
  auto lookup = [](const char* n) -> std::optional<std::string> {
    auto it = env.find(n);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  env = {};
  EXPECT_FALSE(shard_from_environment(lookup).has_value());
  env = {{"GTEST_TOTAL_SHARDS", "3"}, {"GTEST_SHARD_INDEX", "2"}};
  auto g = shard_from_environment(lookup);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->index, 2);
  EXPECT_EQ(g->count, 3);
  EXPECT_EQ(g->source, "GTEST_TOTAL_SHARDS");
  env = {{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "0"}};
  auto b = shard_from_environment(lookup);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->source, "TEST_TOTAL_SHARDS");
  env = {{"GTEST_TOTAL_SHARDS", "2"}};
  EXPECT_THROW(shard_from_environment(lookup), SelectionError);
  env = {{"GTEST_TOTAL_SHARDS", "2"}, {"GTEST_SHARD_INDEX", "2"}};
  EXPECT_THROW(shard_from_environment(lookup), SelectionError);
}

TEST(BatcherSelection, SelectsTiersAndMatches) {
  auto units = make_units(2, "unit");
  auto live = make_units(2, "live");
  live[1].listed = true;
  live[1].gtest = true;
  live[1].tests = {"Work.Flow", "Work.Other", "Sims.Exec"};
  units.insert(units.end(), live.begin(), live.end());
  EXPECT_EQ(select_tiers(units, {"live"}, {"unit", "live"}).size(), 2u);
  try {
    select_tiers(units, {"nope"}, {"unit", "live"});
    FAIL();
  } catch (const SelectionError& e) {
    EXPECT_NE(std::string(e.what()).find("the plan has: unit, live"), std::string::npos) << e.what();
  }
  auto by_id = select_matching(units, "^unit/e1$");
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].id, "unit/e1");
  auto by_test = select_matching(units, "Work\\.");
  ASSERT_EQ(by_test.size(), 1u);
  EXPECT_EQ(by_test[0].tests, (std::vector<std::string>{"Work.Flow", "Work.Other"}));
  // GoogleTest gets the pattern, not the listing's names: a main() may
  // register tests only when it is not listing (h18e item 1).
  EXPECT_EQ(by_test[0].gtest_filter, "*Work.*");
  // A pattern no --gtest_filter can say: the listed tests, by name.
  auto by_name = select_matching(units, "Work\\.(Flow|Other)");
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0].gtest_filter, "Work.Flow:Work.Other");
  EXPECT_THROW(select_matching(units, "("), SelectionError);
}

TEST(BatcherSelection, AGtestUnitWhoseListingFailedGetsTheFilterAsItsOwnOrSaysWhyNot) {
  // Issue 18 leftover 1: it used to be dropped, silently not run.
  auto units = make_units(1, "t");
  units[0].gtest = true;
  units[0].listing_failed = "counted: listing its tests (--gtest_list_tests) failed: exit code 1";
  auto sel = select_matching(units, "Counted\\.One");
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_TRUE(sel[0].runs());
  EXPECT_EQ(sel[0].gtest_filter, "*Counted.One*");
  EXPECT_TRUE(sel[0].tests.empty());  // still unknown: the run names them
  // No test of it can match: not selected, as a listing would say.
  EXPECT_TRUE(select_matching(units, "^other/").empty());
  // A pattern no --gtest_filter can say: kept, to be reported SKIPPED with why.
  sel = select_matching(units, "One|Two");
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_FALSE(sel[0].runs());
  EXPECT_NE(sel[0].not_run.find("cannot be passed to it as a --gtest_filter"), std::string::npos) << sel[0].not_run;
  // Its own --gtest_filter would be replaced by a second one: kept, SKIPPED with why.
  units[0].entry.args = {"--gtest_filter=Counted.*"};
  sel = select_matching(units, "One");
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_NE(sel[0].not_run.find("its own --gtest_filter"), std::string::npos) << sel[0].not_run;
}

}  // namespace
}  // namespace livegui::batch
