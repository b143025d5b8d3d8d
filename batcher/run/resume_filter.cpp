#include "batcher/run/resume_filter.hpp"

#include <map>
#include <set>

namespace livegui::batch {
namespace {

std::string suite_of(const std::string& test) {
  auto dot = test.find('.');
  return dot == std::string::npos ? test : test.substr(0, dot);
}

}  // namespace

std::string exclude_from_filter(const std::string& base, const std::vector<std::string>& excluded) {
  if (excluded.empty()) return base;
  auto dash = base.find('-');
  std::string positive = dash == std::string::npos ? base : base.substr(0, dash);
  std::string negative = dash == std::string::npos ? "" : base.substr(dash + 1);
  if (positive.empty()) positive = "*";
  for (const auto& t : excluded) negative += (negative.empty() ? "" : ":") + t;
  return positive + "-" + negative;
}

std::vector<std::string> compress_decided(const std::vector<std::string>& decided,
                                          const std::vector<std::string>& known, const FinishedSuites& finished) {
  if (known.empty() && finished.empty()) return decided;
  const std::set<std::string> done(decided.begin(), decided.end());
  std::map<std::string, bool> suite_done;  // suite → every known test of it decided
  for (const auto& t : known) {
    auto [it, inserted] = suite_done.try_emplace(suite_of(t), true);
    it->second = it->second && done.count(t) > 0;
  }
  // A suite the run finished is whole, whatever a listing says of it.
  for (const auto& s : finished) suite_done[s] = true;
  std::vector<std::string> out;
  std::set<std::string> written;
  for (const auto& d : decided) {
    const std::string suite = suite_of(d);
    auto it = suite_done.find(suite);
    if (it == suite_done.end() || !it->second)
      out.push_back(d);
    else if (written.insert(suite).second)
      out.push_back(suite + ".*");
  }
  return out;
}

ResumePlan name_chunk(const std::vector<std::string>& tests, std::size_t max_bytes) {
  ResumePlan plan;
  plan.kind = ResumePlan::Kind::Chunk;
  for (const auto& t : tests) {
    std::size_t grown = plan.filter.size() + (plan.filter.empty() ? 0 : 1) + t.size();
    if (!plan.tests.empty() && grown > max_bytes) break;
    plan.filter += (plan.filter.empty() ? "" : ":") + t;
    plan.tests.push_back(t);
  }
  if (!plan.tests.empty() && plan.filter.size() <= max_bytes) return plan;
  plan = {};
  plan.why_not = "the next test's name alone is longer than " + std::to_string(max_bytes) + " bytes";
  return plan;
}

ResumePlan plan_resume(const std::string& base, const std::vector<std::string>& decided,
                       const std::vector<std::string>& known, const std::vector<std::string>& remaining,
                       const FinishedSuites& finished, std::size_t max_bytes) {
  // Everything left in one process, when its filter fits: it covers what no
  // listing named too. Once every known test is decided, every listed suite
  // is whole: this is the rest after the chunks.
  std::string all_left = exclude_from_filter(base, compress_decided(decided, known, finished));
  if (all_left.size() <= max_bytes) {
    ResumePlan plan;
    plan.kind = ResumePlan::Kind::Exclude;
    plan.filter = std::move(all_left);
    return plan;
  }
  if (!remaining.empty()) return name_chunk(remaining, max_bytes);
  ResumePlan plan;
  plan.why_not = "its --gtest_filter leaving out the " + std::to_string(decided.size()) + " decided tests would be " +
                 std::to_string(all_left.size()) + " bytes, more than " + std::to_string(max_bytes) +
                 " (the kernel refuses one argument over 128 KiB)" +
                 (known.empty() ? ", and its tests are not listed, so the rest cannot be named" : "");
  return plan;
}

}  // namespace livegui::batch
