#include "batcher/select/selection.hpp"

#include <algorithm>
#include <numeric>
#include <regex>
#include <set>

#include "batcher/select/discovery.hpp"
#include "batcher/select/filter_translation.hpp"

namespace livegui::batch {
namespace {

int parse_int(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != text.size()) throw SelectionError(what + ": \"" + text + "\" is not a whole number");
  return v;
}

/// A GoogleTest unit whose listing failed: the pattern goes to the run as
/// its own --gtest_filter, and the run says which tests it selected; or,
/// when no --gtest_filter can say what the pattern says, the unit is kept to
/// be reported SKIPPED with the reason. False: no test of it can match.
bool select_unlisted(Unit& u, const std::string& pattern, const std::string& named_entry) {
  const std::string head = "--filter " + pattern + ": listing its tests failed, and ";
  if (!named_entry.empty()) {
    // The pattern selects entries by name (it matches another entry's id):
    // passed to this binary as a --gtest_filter it would most likely select
    // none of its tests, and a main() that checks its tests ran then fails.
    u.not_run = head + "the pattern names other entries (" + named_entry +
                "), not this one, so which of its tests it selects cannot be known; name this entry in --filter, or "
                "run it without --filter";
    return true;
  }
  if (!user_gtest_filter(u.entry).empty()) {
    u.not_run =
        head + "it sets its own --gtest_filter (" + user_gtest_filter(u.entry) +
        "), which a second one would replace; run it without --filter, or give it a filter that lists its tests";
    return true;
  }
  GtestFilterFor f = gtest_filter_for(pattern, u.id);
  if (!f.expressible) {
    u.not_run =
        head + "the pattern cannot be passed to it as a --gtest_filter: " + f.why_not +
        "; use literal text, '.', '.*', '.+', a leading '^' and a trailing '$' only, or run it without --filter";
    return true;
  }
  if (f.filter.empty()) return false;
  u.gtest_filter = f.filter;
  return true;
}

}  // namespace

ShardSpec parse_shard_flag(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos)
    throw SelectionError("--shard " + text + ": expected I/N, e.g. --shard 2/4 (the 2nd of 4 shards)");
  ShardSpec s;
  int index = parse_int(text.substr(0, slash), "--shard");
  s.count = parse_int(text.substr(slash + 1), "--shard");
  if (s.count < 1 || index < 1 || index > s.count)
    throw SelectionError("--shard " + text + ": I must be between 1 and N, and N at least 1");
  s.index = index - 1;
  s.source = "--shard";
  return s;
}

std::optional<ShardSpec> shard_from_environment(EnvLookup lookup) {
  for (auto [total_name, index_name] :
       {std::pair{"GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX"}, std::pair{"TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX"}}) {
    auto total = lookup(total_name);
    auto index = lookup(index_name);
    if (!total && !index) continue;
    if (!total || !index)
      throw SelectionError(std::string(total ? index_name : total_name) + " is not set but " +
                           (total ? total_name : index_name) + " is; set both or neither");
    ShardSpec s;
    s.count = parse_int(*total, total_name);
    s.index = parse_int(*index, index_name);
    if (s.count < 1 || s.index < 0 || s.index >= s.count)
      throw SelectionError(std::string(index_name) + "=" + *index + " and " + total_name + "=" + *total +
                           ": the index must be 0 … total-1");
    s.source = total_name;
    return s;
  }
  return std::nullopt;
}

std::vector<Unit> select_tiers(std::vector<Unit> units, const std::vector<std::string>& tiers,
                               const std::vector<std::string>& known_tiers) {
  if (tiers.empty()) return units;
  for (const auto& t : tiers) {
    if (std::find(known_tiers.begin(), known_tiers.end(), t) == known_tiers.end()) {
      std::string known;
      for (const auto& k : known_tiers) known += (known.empty() ? "" : ", ") + k;
      throw SelectionError("--tier " + t + ": no such tier (the plan has: " + known + ")");
    }
  }
  std::set<std::string> wanted(tiers.begin(), tiers.end());
  units.erase(std::remove_if(units.begin(), units.end(), [&](const Unit& u) { return !wanted.count(u.tier); }),
              units.end());
  return units;
}

std::vector<Unit> select_matching(std::vector<Unit> units, const std::string& pattern) {
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw SelectionError("--filter " + pattern + ": not a valid regular expression (" + e.what() + ")");
  }
  // An entry-name filter: the first entry (tier/name) the pattern matches.
  std::string named_entry;
  for (const auto& u : units)
    if (named_entry.empty() && std::regex_search(u.id, re)) named_entry = u.id;
  // A main() may register tests only when it is not listing: when no
  // listing names a matching test, the binaries are asked by their run.
  std::vector<Unit> ask_by_run;
  if (named_entry.empty())
    for (const auto& u : units)
      if (u.gtest && u.listed && u.runs() && u.gtest_filter.empty() && user_gtest_filter(u.entry).empty())
        if (GtestFilterFor f = gtest_filter_for(pattern, u.id); f.expressible && !f.filter.empty()) {
          Unit asked = u;
          asked.listed = false;
          asked.tests.clear();
          asked.gtest_filter = f.filter;
          asked.skip_if_no_test = "--filter " + pattern +
                                  ": no test of it matches (its listing names none, and its run with "
                                  "--gtest_filter=" +
                                  f.filter + " selected none)";
          ask_by_run.push_back(std::move(asked));
        }
  std::vector<Unit> out;
  for (auto& u : units) {
    if (std::regex_search(u.id, re)) {
      out.push_back(std::move(u));
      continue;
    }
    if (!u.listed) {
      if (u.gtest && !u.listing_failed.empty() && u.runs() && select_unlisted(u, pattern, named_entry))
        out.push_back(std::move(u));
      continue;
    }
    std::vector<std::string> tests;
    for (const auto& t : u.tests)
      if (std::regex_search(u.id + "/" + t, re)) tests.push_back(t);
    if (tests.empty()) continue;
    // The listing says whether the unit runs, never which tests: a main()
    // may register tests only when it is not listing. GoogleTest gets the
    // pattern itself when a --gtest_filter can say it (and the unit has no
    // filter of its own, or of a split, that a second one would replace);
    // otherwise the listed tests are named one by one.
    GtestFilterFor f = gtest_filter_for(pattern, u.id);
    const bool own_filter = !u.gtest_filter.empty() || !user_gtest_filter(u.entry).empty();
    std::string named;
    for (const auto& t : tests) named += (named.empty() ? "" : ":") + t;
    u.tests = tests;
    u.gtest_filter = f.expressible && !f.filter.empty() && !own_filter ? f.filter : named;
    out.push_back(std::move(u));
  }
  if (out.empty()) return ask_by_run;
  return out;
}

std::vector<std::vector<std::size_t>> assign_shards(const std::vector<Unit>& units, int count,
                                                    const std::map<std::string, double>& durations) {
  std::vector<std::vector<std::size_t>> shards(static_cast<std::size_t>(std::max(count, 1)));
  std::vector<double> weight(units.size(), 1.0);
  std::vector<double> known;
  for (const auto& u : units)
    if (auto it = durations.find(u.id); it != durations.end()) known.push_back(std::max(it->second, 0.0));
  if (!known.empty()) {
    // Units without a previous duration weigh as much as a typical one.
    std::sort(known.begin(), known.end());
    double median = known[known.size() / 2];
    for (std::size_t i = 0; i < units.size(); ++i) {
      auto it = durations.find(units[i].id);
      weight[i] = it != durations.end() ? std::max(it->second, 0.0) : median;
    }
  }
  // Longest processing time first, onto the least loaded shard. Ties keep
  // plan order, so every shard process computes the same split.
  std::vector<std::size_t> idx(units.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return weight[a] > weight[b]; });
  std::vector<double> load(shards.size(), 0.0);
  for (std::size_t i : idx) {
    std::size_t best = 0;
    for (std::size_t s = 1; s < shards.size(); ++s)
      if (load[s] < load[best]) best = s;
    load[best] += weight[i];
    shards[best].push_back(i);
  }
  for (auto& s : shards) std::sort(s.begin(), s.end());
  return shards;
}

std::vector<Unit> select_shard(const std::vector<Unit>& units, const ShardSpec& shard,
                               const std::map<std::string, double>& durations) {
  if (!shard.active()) return units;
  auto shards = assign_shards(units, shard.count, durations);
  std::vector<Unit> out;
  for (std::size_t i : shards[static_cast<std::size_t>(shard.index)]) out.push_back(units[i]);
  return out;
}

}  // namespace livegui::batch
