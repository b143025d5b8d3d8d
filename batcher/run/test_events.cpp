#include "batcher/run/test_events.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/test_report_facts.hpp"

namespace livegui::batch {
namespace {

constexpr std::size_t kMaxText = 4000;
// A longer line is not an event (and would cost memory); a "collected" line
// of a large suite is the longest one expected (100,000 ids of ~100 bytes).
constexpr std::size_t kMaxLine = 16 << 20;
constexpr std::size_t kMaxCollected = 200'000;

std::string bounded(std::string s) {
  if (s.size() > kMaxText) s = s.substr(0, kMaxText) + " …";
  return s;
}

std::string bounded_string(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return bounded(it->get<std::string>());
}

/// The "tests" of a "collected" event; std::nullopt when it is not a list of strings.
std::optional<std::vector<std::string>> collected_tests(const nlohmann::json& j) {
  auto it = j.find("tests");
  if (it == j.end() || !it->is_array() || it->size() > kMaxCollected) return std::nullopt;
  std::vector<std::string> tests;
  for (const auto& t : *it) {
    if (!t.is_string() || t.get_ref<const std::string&>().empty()) return std::nullopt;
    tests.push_back(bounded(t.get<std::string>()));
  }
  return tests;
}

/// The "phase" field's words; empty when absent or any word is unknown.
std::vector<TestPhase> failed_phases(const nlohmann::json& j) {
  std::vector<TestPhase> phases;
  std::istringstream words(bounded_string(j, "phase"));
  for (std::string word; words >> word;) {
    auto phase = test_phase_from_string(word);
    if (!phase) return {};
    phases.push_back(*phase);
  }
  return phases;
}

}  // namespace

std::optional<TestPhase> test_phase_from_string(const std::string& s) {
  if (s == "collect") return TestPhase::Collect;
  if (s == "setup") return TestPhase::Setup;
  if (s == "call") return TestPhase::Call;
  if (s == "teardown") return TestPhase::Teardown;
  return std::nullopt;
}

std::optional<EventOutcome> event_outcome_from_string(const std::string& s) {
  if (s == "passed") return EventOutcome::Passed;
  if (s == "failed") return EventOutcome::Failed;
  if (s == "error") return EventOutcome::Errored;
  if (s == "skipped") return EventOutcome::Skipped;
  if (s == "xfailed") return EventOutcome::XFailed;
  if (s == "xpassed") return EventOutcome::XPassed;
  return std::nullopt;
}

TestEvents parse_test_events(std::istream& in) {
  TestEvents out;
  std::vector<std::string> open;  ///< started, not ended, in start order
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.size() > kMaxLine) {
      ++out.bad_lines;
      continue;
    }
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("event") || !j["event"].is_string()) {
      ++out.bad_lines;
      continue;
    }
    const std::string event = j["event"].get<std::string>();
    if (event == "finish") {
      out.finished = true;
      continue;
    }
    if (event == "collected") {
      auto tests = collected_tests(j);
      if (tests && !out.collected)
        out.collected = std::move(tests);
      else
        ++out.bad_lines;  // malformed, or a second one: the first listing stands
      continue;
    }
    std::string test = bounded_string(j, "test");
    if (test.empty() || (event != "start" && event != "end")) {
      ++out.bad_lines;
      continue;
    }
    if (event == "start") {
      if (std::find(open.begin(), open.end(), test) == open.end()) open.push_back(test);
      continue;
    }
    auto outcome = event_outcome_from_string(bounded_string(j, "outcome"));
    if (!outcome) {
      ++out.bad_lines;
      continue;
    }
    EndedTest t;
    t.test = test;
    t.outcome = *outcome;
    t.message = bounded_string(j, "message");
    t.note = bounded_string(j, "note");
    t.aut_unhealthy = bounded_string(j, std::string(kAutUnhealthyProperty).c_str());
    t.failed_in = failed_phases(j);
    auto d = j.find("duration_ms");
    if (d != j.end() && d->is_number() && d->get<double>() >= 0 && d->get<double>() < 1e12)
      t.duration = std::chrono::milliseconds(static_cast<long long>(d->get<double>()));
    out.ended.push_back(std::move(t));
    open.erase(std::remove(open.begin(), open.end(), test), open.end());
  }
  if (!open.empty()) {
    out.running = open.front();
    out.also_running.assign(open.begin() + 1, open.end());
  }
  return out;
}

TestEvents read_test_events(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};
  return parse_test_events(in);
}

}  // namespace livegui::batch
