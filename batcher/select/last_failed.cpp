#include "batcher/select/last_failed.hpp"

#include <algorithm>
#include <optional>
#include <regex>

#include "batcher/reproduce.hpp"

namespace livegui::batch {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// Both lists of failing tests of one entry; empty (the whole entry) wins.
void add_failures(std::vector<std::string>& into, const std::vector<std::string>& more) {
  if (into.empty()) return;
  if (more.empty()) {
    into.clear();
    return;
  }
  for (const auto& t : more)
    if (!contains(into, t)) into.push_back(t);
}

/// What `previous` says of `tests` of entry `id`: the worst result among
/// them (recorded or carried), for the record that carries them.
ResultCode carried_code(const BatchResults& previous, const std::string& id, const std::vector<std::string>& tests) {
  std::optional<ResultCode> code;
  for (const auto& e : previous.entries) {
    if (e.id != id) continue;
    for (const auto& t : e.tests)
      if (is_failure(t.code) && (tests.empty() || contains(tests, t.name))) code = worst(code.value_or(t.code), t.code);
    if (!code && is_failure(e.code)) code = e.code;
  }
  for (const auto& c : previous.not_selected)
    if (c.id == id &&
        (tests.empty() || c.tests.empty() ||
         std::any_of(c.tests.begin(), c.tests.end(), [&](const std::string& t) { return contains(tests, t); })))
      code = worst(code.value_or(c.code), c.code);
  return code.value_or(ResultCode::Fail);
}

}  // namespace

LastFailures last_failures(const BatchResults& previous) {
  LastFailures out;
  for (const auto& e : previous.entries) {
    // An interrupted run did not get to everything: an entry it never
    // started (SKIPPED, no process) runs whole, and an entry whose tests the
    // interrupt did not reach (SKIPPED tests of a failed entry) runs whole
    // too — "Ctrl-C, then --last-failed" loses nothing (newcomer trial).
    const bool never_started = previous.interrupted && e.code == ResultCode::Skipped && e.attempts.empty();
    if (!is_failure(e.code) && !never_started) continue;
    std::vector<std::string> tests;
    // A command or junit entry runs whole; a pytest entry's failing node ids
    // are kept, and select_last_failed() runs only those of a pytest unit.
    bool whole =
        never_started || (previous.interrupted && std::any_of(e.tests.begin(), e.tests.end(), [](const TestResult& t) {
                            return t.code == ResultCode::Skipped;
                          }));
    for (const auto& t : e.tests) {
      if (!is_failure(t.code)) continue;
      // The process failed, not (only) a test, or a file could not be
      // collected (no node id selects its error): run it all.
      if (t.synthetic || t.error_in == ErrorIn::Collection)
        whole = true;
      else
        tests.push_back(t.name);
    }
    out[e.id] = whole ? std::vector<std::string>{} : tests;
  }
  // A failure carried for an entry the run also ran is one of its tests the
  // run did not select (--last-failed narrowed by --filter): both stand.
  for (const auto& c : previous.not_selected) {
    auto [it, added] = out.emplace(c.id, c.tests);
    if (!added) add_failures(it->second, c.tests);
  }
  return out;
}

namespace {

/// Whether running the listed test `test` runs the earlier failure `failure`
/// again: it is that test, or a result no listing names — a failure in a
/// suite's set-up/tear-down ("SU.<suite set-up/tear-down>", reproduced by
/// SU.*) or in a global environment (by *) — whose filter covers the test.
bool reruns(const std::string& failure, const std::string& test) {
  if (failure == test) return true;
  const std::string filter = reproduce_filter_for(failure);
  if (filter == failure || filter.empty() || filter.back() != '*') return false;
  return test.compare(0, filter.size() - 1, filter, 0, filter.size() - 1) == 0;
}

bool reruns_any(const std::vector<std::string>& failures, const std::string& test) {
  return std::any_of(failures.begin(), failures.end(), [&](const std::string& f) { return reruns(f, test); });
}

/// A unit --last-failed narrows to its failing tests (else it runs whole).
bool runs_by_its_tests(const Unit& u) { return u.gtest || u.entry.format == EntryFormat::Pytest; }

}  // namespace

std::vector<CarriedFailure> unselected_failures(const BatchResults& previous, const std::vector<Unit>& selected) {
  const LastFailures failures = last_failures(previous);
  // In the previous record's order: its entries, then what it carried.
  std::vector<std::string> ids;
  for (const auto& e : previous.entries)
    if (failures.count(e.id) && !contains(ids, e.id)) ids.push_back(e.id);
  for (const auto& c : previous.not_selected)
    if (!contains(ids, c.id)) ids.push_back(c.id);
  std::vector<CarriedFailure> out;
  for (const auto& id : ids) {
    const std::vector<std::string>& tests = failures.at(id);
    auto unit = std::find_if(selected.begin(), selected.end(), [&](const Unit& u) { return u.id == id; });
    if (unit == selected.end()) {
      out.push_back({id, carried_code(previous, id, tests), tests});
      continue;
    }
    // It runs: only its failing tests outside the run's selection are carried
    // (a unit that names no tests runs whatever its filter selects: nothing).
    if (tests.empty() || !runs_by_its_tests(*unit) || unit->tests.empty()) continue;
    std::vector<std::string> left;
    // A set-up failure is run again by its suite's pattern in the filter.
    const std::string patterns = ":" + unit->gtest_filter + ":";
    for (const auto& t : tests) {
      if (is_suite_level_name(t) && patterns.find(":" + reproduce_filter_for(t) + ":") != std::string::npos) continue;
      if (std::none_of(unit->tests.begin(), unit->tests.end(), [&](const std::string& x) { return reruns(t, x); }))
        left.push_back(t);
    }
    if (!left.empty()) out.push_back({id, carried_code(previous, id, left), left});
  }
  return out;
}

std::vector<Unit> select_last_failed(std::vector<Unit> units, const LastFailures& failures, const std::string& filter) {
  std::optional<std::regex> re;
  if (!filter.empty()) {
    try {
      re = std::regex(filter, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      // select_matching refused it already; nothing to narrow by.
    }
  }
  std::vector<Unit> out;
  for (auto& u : units) {
    auto it = failures.find(u.id);
    if (it == failures.end()) continue;
    if (u.entry.format == EntryFormat::Pytest && !it->second.empty()) {
      // The plugin runs only these node ids (LIVEGUI_SELECT_FILE): exact
      // ids, so parametrized ones and ids with "[" or "::" inside select
      // themselves alone.
      std::vector<std::string> wanted = it->second;
      if (re && !std::regex_search(u.id, *re))
        std::erase_if(wanted, [&](const std::string& t) { return !std::regex_search(u.id + "/" + t, *re); });
      if (wanted.empty()) continue;  // none of its failures is selected: carried, not run
      u.tests = wanted;
    } else if (u.gtest && !it->second.empty()) {
      // Both selections hold: of a unit already narrowed to listed tests
      // (--filter, a suite of a split), only its failing ones run.
      std::vector<std::string> wanted;
      if (u.listed) {
        for (const auto& t : u.tests)
          if (reruns_any(it->second, t)) wanted.push_back(t);
      } else {
        wanted = it->second;
        // Its --filter could not be checked against a listing: check it
        // against the failing tests' names (both selections hold).
        if (re && !std::regex_search(u.id, *re))
          std::erase_if(wanted, [&](const std::string& t) { return !std::regex_search(u.id + "/" + t, *re); });
      }
      if (wanted.empty()) continue;  // none of its failures is selected: carried, not run
      std::string filter;
      for (const auto& t : wanted) filter += (filter.empty() ? "" : ":") + reproduce_filter_for(t);
      u.gtest_filter = filter;
      // A suite's (or the global) set-up failure is no test to expect: its
      // filter runs the suite's tests, which report for themselves, and the
      // failure comes back only if the set-up fails again.
      std::erase_if(wanted, [](const std::string& t) { return is_suite_level_name(t); });
      u.tests = wanted;
    }
    out.push_back(std::move(u));
  }
  return out;
}

namespace {

bool ran(const CarriedFailure& carried, const std::vector<Unit>& selected) {
  return std::any_of(selected.begin(), selected.end(), [&](const Unit& u) { return u.id == carried.id; });
}

/// Whether describe_carried() names the carried failure by its tests (else by its entry).
bool named_by_tests(const CarriedFailure& carried, const std::vector<Unit>& selected) {
  return !carried.tests.empty() && ran(carried, selected);
}

std::string counted(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string describe_carried(const CarriedFailure& carried, const std::vector<Unit>& selected) {
  std::string out = carried.id;
  if (named_by_tests(carried, selected)) {
    std::string tests;
    for (const auto& t : carried.tests) tests += (tests.empty() ? "" : ", ") + t;
    out += " " + tests;
  }
  return out + " (" + name(carried.code) + ")";
}

std::string describe_failures(const std::vector<CarriedFailure>& carried) {
  std::string out;
  for (const auto& c : carried) {
    std::string tests;
    for (const auto& t : c.tests) tests += (tests.empty() ? " " : ", ") + t;
    out += (out.empty() ? "" : "; ") + c.id + tests + " (" + name(c.code) + ")";
  }
  return out;
}

std::string not_selected_note(const std::vector<CarriedFailure>& carried, const std::vector<Unit>& selected,
                              const std::string& kept_in, const std::string& read_from, const std::string& who) {
  if (carried.empty()) return {};
  std::size_t entries = 0, tests = 0, entries_of_tests = 0;
  std::string list;
  for (const auto& c : carried) {
    if (named_by_tests(c, selected)) {
      tests += c.tests.size();
      ++entries_of_tests;
    } else {
      ++entries;
    }
    list += (list.empty() ? "" : "; ") + describe_carried(c, selected);
  }
  std::string what;
  if (entries > 0) what = counted(entries, "earlier failing entry", "earlier failing entries");
  if (tests > 0)
    what += (what.empty() ? "" : " and ") + counted(tests, "earlier failing test", "earlier failing tests") + " of " +
            counted(entries_of_tests, "entry", "entries") + " it ran";
  std::string where = kept_in + " not_selected";
  if (kept_in != read_from) where += " — --last-failed reads " + read_from + ": merge the shards' files into it";
  return who + " did not select " + what + ", kept for the next --last-failed (" + where +
         "; not run, not counted): " + list;
}

}  // namespace livegui::batch
