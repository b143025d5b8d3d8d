#include "batcher/select/last_failed.hpp"

#include <algorithm>

#include "batcher/reproduce.hpp"

namespace livegui::batch {

LastFailures last_failures(const BatchResults& previous) {
  LastFailures out;
  for (const auto& e : previous.entries) {
    if (!is_failure(e.code)) continue;
    std::vector<std::string> tests;
    bool whole = !e.gtest;
    for (const auto& t : e.tests) {
      if (!is_failure(t.code)) continue;
      if (t.synthetic)
        whole = true;  // the process failed, not (only) a test: run it all
      else
        tests.push_back(t.name);
    }
    out[e.id] = whole ? std::vector<std::string>{} : tests;
  }
  for (const auto& c : previous.not_selected) out.emplace(c.id, c.tests);  // a run's own result wins
  return out;
}

std::vector<CarriedFailure> unselected_failures(const BatchResults& previous, const std::vector<Unit>& selected) {
  auto runs = [&](const std::string& id) {
    return std::any_of(selected.begin(), selected.end(), [&](const Unit& u) { return u.id == id; });
  };
  std::vector<CarriedFailure> out;
  const LastFailures failures = last_failures(previous);
  for (const auto& e : previous.entries)
    if (failures.count(e.id) && !runs(e.id)) out.push_back({e.id, e.code, failures.at(e.id)});
  for (const auto& c : previous.not_selected)
    if (!runs(c.id) && std::none_of(out.begin(), out.end(), [&](const CarriedFailure& o) { return o.id == c.id; }))
      out.push_back(c);
  return out;
}

std::vector<Unit> select_last_failed(std::vector<Unit> units, const LastFailures& failures) {
  std::vector<Unit> out;
  for (auto& u : units) {
    auto it = failures.find(u.id);
    if (it == failures.end()) continue;
    if (u.gtest && !it->second.empty()) {
      std::string filter;
      for (const auto& t : it->second) filter += (filter.empty() ? "" : ":") + reproduce_filter_for(t);
      u.gtest_filter = filter;
      if (u.listed) {
        std::vector<std::string> kept;
        for (const auto& t : u.tests)
          if (std::find(it->second.begin(), it->second.end(), t) != it->second.end()) kept.push_back(t);
        u.tests = kept;
      } else {
        u.tests = it->second;
      }
    }
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace livegui::batch
