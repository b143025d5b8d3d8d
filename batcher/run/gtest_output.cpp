#include "batcher/run/gtest_output.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/test_report_facts.hpp"

namespace livegui::batch {

std::vector<std::string> parse_test_list(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  std::string suite;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (auto hash = line.find("  #"); hash != std::string::npos) line.erase(hash);  // "# GetParam() = 1"
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (line.empty()) continue;
    if (line.rfind("  ", 0) == 0) {
      if (suite.empty()) continue;
      std::string name = line.substr(line.find_first_not_of(' '));
      if (name.find(' ') != std::string::npos) continue;
      out.push_back(suite + name);
    } else if (line[0] != ' ' && line.back() == '.' && line.find(' ') == std::string::npos) {
      suite = line;  // keeps the trailing '.'
    } else {
      suite.clear();  // something else ("Running main() from …")
    }
  }
  // A main() that calls RUN_ALL_TESTS() n times prints the whole listing n
  // times: the listing is its first copy. A name that repeats within one
  // copy is two tests (fixtures of one name in different namespaces), both
  // of which GoogleTest runs: kept.
  for (std::size_t period = 1; period <= out.size() / 2; ++period) {
    if (out.size() % period != 0) continue;
    bool repeats = true;
    for (std::size_t i = period; i < out.size() && repeats; ++i) repeats = out[i] == out[i - period];
    if (!repeats) continue;
    out.resize(period);
    break;
  }
  return out;
}

namespace {

constexpr const char* kRun = "[ RUN      ] ";
constexpr const char* kOk = "[       OK ] ";
constexpr const char* kFailed = "[  FAILED  ] ";
constexpr const char* kSkipped = "[  SKIPPED ] ";
constexpr const char* kDisabled = "[ DISABLED ] ";

/// The test name after a marker: up to ", where GetParam()…" or " (12 ms)".
std::string name_after(const std::string& line, std::size_t pos) {
  std::string rest = line.substr(pos);
  for (const char* stop : {", where ", " ("}) {
    auto at = rest.find(stop);
    if (at != std::string::npos) rest.erase(at);
  }
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r')) rest.pop_back();
  return rest;
}

std::chrono::milliseconds duration_after(const std::string& line) {
  auto open = line.rfind(" (");
  auto ms = line.rfind(" ms)");
  if (open == std::string::npos || ms == std::string::npos || ms < open) return std::chrono::milliseconds(0);
  try {
    return std::chrono::milliseconds(std::stoll(line.substr(open + 2, ms - open - 2)));
  } catch (...) {
    return std::chrono::milliseconds(0);
  }
}

/// Finds `marker` in `line`: normally at column 0, but a test that printed
/// without a trailing newline pushes it to the right.
std::size_t find_marker(const std::string& line, const char* marker) { return line.find(marker); }

class BoundedLines {
 public:
  explicit BoundedLines(std::size_t max) : max_(max) {}
  void add(const std::string& line) {
    if (max_ == 0) return;
    lines_.push_back(line);
    if (lines_.size() > max_) lines_.pop_front();
  }
  std::string text() const {
    std::string out;
    for (const auto& l : lines_) out += l + "\n";
    return out;
  }
  void clear() { lines_.clear(); }

 private:
  std::size_t max_;
  std::deque<std::string> lines_;
};

bool looks_like_test_name(const std::string& name) {
  // "1 test, listed below:" and other summary lines are not names.
  return !name.empty() && name.find(' ') == std::string::npos && name.find('.') != std::string::npos;
}

}  // namespace

namespace {

/// Reads lines of any length with bounded memory: a line longer than
/// kMaxKeptLineBytes keeps its head and tail around "…[N bytes]…".
class BoundedLineReader {
 public:
  /// Reads `in` one after the other, as one stream.
  explicit BoundedLineReader(std::vector<std::istream*> in) : in_(std::move(in)) {}
  bool next(std::string& line) {
    line.clear();
    std::string tail;
    std::size_t dropped = 0;
    constexpr std::size_t kHalf = kMaxKeptLineBytes / 2;
    bool any = false;
    for (;;) {
      while (pos_ == len_ && current_ < in_.size()) {
        in_[current_]->read(buf_, sizeof buf_);
        len_ = static_cast<std::size_t>(in_[current_]->gcount());
        pos_ = 0;
        if (len_ == 0) ++current_;
      }
      if (pos_ == len_) break;
      any = true;
      const char* start = buf_ + pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
      std::size_t n = nl ? static_cast<std::size_t>(nl - start) : len_ - pos_;
      std::size_t to_head = std::min(n, kHalf - std::min(kHalf, line.size()));
      line.append(start, to_head);
      if (n > to_head) {
        tail.append(start + to_head, n - to_head);
        if (tail.size() > 2 * kHalf) {  // keep the last kHalf bytes, bounded
          dropped += tail.size() - kHalf;
          tail.erase(0, tail.size() - kHalf);
        }
      }
      pos_ += n;
      if (nl) {
        ++pos_;
        break;
      }
    }
    if (tail.size() > kHalf) {
      dropped += tail.size() - kHalf;
      tail.erase(0, tail.size() - kHalf);
    }
    if (dropped > 0) line += "…[" + std::to_string(dropped) + " bytes]…";
    line += tail;
    return any;
  }

 private:
  std::vector<std::istream*> in_;
  std::size_t current_ = 0;
  char buf_[16384];
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
};

/// "[----------] 2 tests from W" (a suite opens) / "… from W (3 ms total)" (it closes).
bool suite_line(const std::string& line, std::string& suite, bool& closes) {
  static const std::string kRule = "[----------] ";
  if (line.rfind(kRule, 0) != 0) return false;
  auto from = line.find(" from ", kRule.size());
  if (from == std::string::npos) return false;
  std::string count = line.substr(kRule.size(), from - kRule.size());
  if (count.find(" test") == std::string::npos || count.find_first_of("0123456789") != 0) return false;
  std::string rest = line.substr(from + 6);
  auto total = rest.rfind(" ms total)");
  closes = total != std::string::npos;
  if (closes) rest.erase(rest.rfind(" ("));
  // "3 tests from Inst/P, where TypeParam = int"
  if (auto comma = rest.find(", where "); comma != std::string::npos) rest.erase(comma);
  suite = rest;
  return !suite.empty() && suite.find(' ') == std::string::npos;
}

}  // namespace

GtestProgress parse_gtest_progress(std::istream& in, std::size_t max_output_lines, const TestListing* listing,
                                   const GtestStream* stream) {
  return parse_gtest_progress_streams({&in}, max_output_lines, listing, stream);
}

GtestProgress parse_gtest_progress_streams(std::vector<std::istream*> in, std::size_t max_output_lines,
                                           const TestListing* listing, const GtestStream* stream) {
  GtestProgress p;
  if (stream && !stream->connected) stream = nullptr;
  p.streamed = stream != nullptr;
  // With a listing and no stream, a name it does not list is never one of
  // this binary's tests. The stream, when there is one, is the judge: a
  // main() may register tests only when it is not listing.
  auto unlisted = [&](const std::string& name) { return listing && !stream && !listing->count(name); };
  BoundedLines output(max_output_lines);
  std::string line;
  auto finish = [&](const std::string& name, MarkerOutcome outcome, const std::string& l, std::size_t at,
                    std::string failure) {
    FinishedTest t;
    t.name = name;
    t.outcome = outcome;
    t.failure = std::move(failure);
    t.duration = duration_after(l);
    if (at > 0) output.add(l.substr(0, at));  // output printed without a newline
    t.output = output.text();
    output.clear();
    p.finished.push_back(std::move(t));
    if (!p.open_suite.empty()) ++p.open_suite_finished;
    if (p.running && *p.running == name) {
      p.running.reset();
      p.running_output.clear();
    }
  };
  // The stream's events, taken in order: the next one a marker must be.
  std::size_t next = 0;
  const std::size_t n_events = stream ? stream->events.size() : 0;
  auto is_event = [&](std::size_t i, StreamEvent::Kind kind, const std::string& name) {
    return i < n_events && stream->events[i].kind == kind && stream->events[i].name == name;
  };
  // Events the markers did not show (their lines lost to the log cap): taken from the stream alone.
  auto take_event = [&](const StreamEvent& ev) {
    if (ev.kind == StreamEvent::Kind::Start) {
      p.started_tests = true;
      p.running = ev.name;
      output.clear();
    } else if (p.running && *p.running == ev.name) {
      finish(ev.name, ev.passed ? MarkerOutcome::Passed : MarkerOutcome::Failed, "", 0, ev.failure);
    }
  };
  // A start line is GoogleTest's when the stream's next event is that start;
  // never while a test runs (one at a time). After the stream's last event
  // (GoogleTest prints the start line before it sends the event: a crash
  // between the two) a start line outside any test is taken as its own.
  auto stream_start = [&](const std::string& name) {
    if (p.running) return false;
    if (is_event(next, StreamEvent::Kind::Start, name)) return ++next, true;
    for (std::size_t j = next + 1; j < n_events; ++j)
      if (is_event(j, StreamEvent::Kind::Start, name)) {
        while (next < j) take_event(stream->events[next++]);
        return ++next, true;
      }
    return next == n_events && !stream->ended;
  };
  // An end line is GoogleTest's when the stream's next event is the running
  // test's end (the stream sends an end before the line is printed). Its
  // outcome is the stream's where they differ: a test printed the line.
  auto stream_end = [&](const std::string& name, MarkerOutcome& outcome, std::string& failure) {
    if (!p.running || *p.running != name || !is_event(next, StreamEvent::Kind::End, name)) return false;
    failure = stream->events[next].failure;
    if (stream->events[next].passed)
      outcome = MarkerOutcome::Passed;
    else if (outcome == MarkerOutcome::Passed)
      outcome = MarkerOutcome::Failed;
    ++next;
    return true;
  };
  BoundedLineReader reader(std::move(in));
  // What each suite printed outside its tests (set-up / tear-down failures).
  std::map<std::string, BoundedLines> outside;
  static const std::string kSuiteFailed = ": SetUpTestSuite or TearDownTestSuite";
  while (reader.next(line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (p.completed && line.rfind("[==========] Running ", 0) == 0) {
      // Another RUN_ALL_TESTS() call (a main() that calls it twice): its
      // tests run like the first call's, and a death in them is theirs.
      p.completed = false;
      p.reached_teardown = false;
    }
    if (p.completed) {
      // The summary repeats markers for failed tests; it also names suites
      // that failed outside any test.
      if (line.rfind(kFailed, 0) == 0 && line.size() > kSuiteFailed.size() &&
          line.compare(line.size() - kSuiteFailed.size(), kSuiteFailed.size(), kSuiteFailed) == 0) {
        std::string suite = line.substr(std::char_traits<char>::length(kFailed),
                                        line.size() - kSuiteFailed.size() - std::char_traits<char>::length(kFailed));
        auto it = outside.find(suite);
        p.failed_suites.emplace_back(suite, it == outside.end() ? std::string() : it->second.text());
      }
      continue;
    }
    // While one of its listed tests runs, GoogleTest prints no banner or
    // closing line of its own: those are a child binary's, output of the test.
    const bool inside_listed_test = (listing || stream) && p.running;
    if (!p.saw_banner && !p.started_tests &&
        line.rfind("This program contains tests written using Google Test.", 0) == 0)
      p.printed_help = true;
    if (!inside_listed_test && line.rfind("[==========] ", 0) == 0) {
      if (line.find(" ran.") != std::string::npos) {
        p.completed = true;
        ++p.runs_completed;
        continue;
      }
      if (line.rfind("[==========] Running ", 0) == 0) {
        p.saw_banner = true;
        if (++p.banners == 1) {
          // "[==========] Running 20000 tests from 1 test suite."
          const char* digits = line.c_str() + std::char_traits<char>::length("[==========] Running ");
          char* end = nullptr;
          const long n = std::strtol(digits, &end, 10);
          if (end != digits && *end == ' ' && n >= 0) p.announced_tests = n;
        }
      }
    }
    if (!inside_listed_test && line.find("Global test environment tear-down") != std::string::npos)
      p.reached_teardown = true;
    std::string suite;
    bool closes = false;
    if (!p.running && suite_line(line, suite, closes)) {
      if (closes) {
        if (suite == p.open_suite) {
          p.closed_suites.push_back(suite);
          p.open_suite.clear();
        }
      } else {
        p.open_suite = suite;
        p.open_suite_finished = 0;
      }
      continue;
    }
    std::size_t at;
    if ((at = find_marker(line, kRun)) != std::string::npos &&
        !unlisted(name_after(line, at + std::char_traits<char>::length(kRun))) &&
        (!stream || stream_start(name_after(line, at + std::char_traits<char>::length(kRun))))) {
      if (at > 0) output.add(line.substr(0, at));
      p.started_tests = true;
      p.running = name_after(line, at + std::char_traits<char>::length(kRun));
      output.clear();
      continue;
    }
    struct {
      const char* marker;
      MarkerOutcome outcome;
    } const ends[] = {{kOk, MarkerOutcome::Passed},
                      {kFailed, MarkerOutcome::Failed},
                      {kSkipped, MarkerOutcome::Skipped},
                      {kDisabled, MarkerOutcome::Disabled}};
    bool matched = false;
    for (const auto& e : ends) {
      if ((at = find_marker(line, e.marker)) == std::string::npos) continue;
      std::string name = name_after(line, at + std::char_traits<char>::length(e.marker));
      if (!looks_like_test_name(name) || unlisted(name)) break;
      MarkerOutcome outcome = e.outcome;
      std::string failure;
      if (stream && outcome != MarkerOutcome::Disabled && !stream_end(name, outcome, failure)) break;
      finish(name, outcome, line, at, std::move(failure));
      matched = true;
      break;
    }
    if (!matched && p.running) {
      output.add(line);
    } else if (!matched && !p.open_suite.empty()) {
      outside.try_emplace(p.open_suite, max_output_lines).first->second.add(line);
    }
  }
  while (next < n_events) take_event(stream->events[next++]);
  if (p.running) p.running_output = output.text();
  return p;
}

GtestProgress parse_gtest_progress_file(const std::filesystem::path& log, std::size_t max_output_lines,
                                        const TestListing* listing, const GtestStream* stream) {
  return parse_gtest_progress_files({log}, max_output_lines, listing, stream);
}

GtestProgress parse_gtest_progress_files(const std::vector<std::filesystem::path>& logs, std::size_t max_output_lines,
                                         const TestListing* listing, const GtestStream* stream) {
  std::vector<std::ifstream> files;
  files.reserve(logs.size());
  std::vector<std::istream*> streams;
  for (const auto& log : logs) {
    files.emplace_back(log, std::ios::binary);
    if (files.back()) streams.push_back(&files.back());
  }
  if (streams.empty()) return {};
  return parse_gtest_progress_streams(std::move(streams), max_output_lines, listing, stream);
}

namespace {

/// GoogleTest (1.12 at least) writes a failure outside any suite (a global
/// environment or listener) as a suite of this name with one nameless test.
constexpr std::string_view kNonTestSuiteFailure = "NonTestSuiteFailure";

/// GoogleTest 1.12 forgets the comma before that suite when other suites
/// precede it ("    }    {"), so its report is not JSON. Raw newlines never
/// occur inside JSON strings, so this exact line shape is GoogleTest's.
std::string with_missing_comma_restored(const std::string& text) {
  static const std::string kBroken = "\n    }    {\n";
  std::string out = text;
  for (auto at = out.find(kBroken); at != std::string::npos; at = out.find(kBroken, at + 1))
    out.replace(at, kBroken.size(), "\n    },\n    {\n");
  return out;
}

}  // namespace

std::optional<GtestJsonReport> parse_gtest_json(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    doc = nlohmann::json::parse(with_missing_comma_restored(text), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("testsuites") || !doc["testsuites"].is_array())
    return std::nullopt;
  GtestJsonReport out;
  auto count = [&](const char* key) {
    return doc.contains(key) && doc[key].is_number_integer() ? doc[key].get<int>() : 0;
  };
  out.total = count("tests");
  out.failures = count("failures");
  out.disabled = count("disabled");
  for (const auto& suite : doc["testsuites"]) {
    if (!suite.is_object() || !suite.contains("testsuite") || !suite["testsuite"].is_array()) continue;
    std::string suite_name = suite.value("name", "");
    for (const auto& t : suite["testsuite"]) {
      if (!t.is_object()) continue;
      JsonTestResult r;
      std::string test_name = t.value("name", "");
      // GoogleTest reports failures outside any test (SetUpTestSuite,
      // TearDownTestSuite, a global environment) as a test with no name.
      r.suite_level = test_name.empty();
      r.name = r.suite_level ? suite_name : suite_name + "." + test_name;
      if (r.suite_level && suite_name == kNonTestSuiteFailure && t.value("classname", "").empty()) r.name.clear();
      std::string status = t.value("status", "RUN");
      std::string result = t.value("result", "COMPLETED");
      if (status == "NOTRUN" || result == "SUPPRESSED")
        r.result = JsonTestResult::Result::NotRun;
      else if (result == "SKIPPED")
        r.result = JsonTestResult::Result::Skipped;
      if (t.contains("failures") && t["failures"].is_array() && !t["failures"].empty()) {
        r.failed = true;
        for (const auto& f : t["failures"]) {
          if (!r.failure.empty()) r.failure += "\n";
          if (f.is_object()) r.failure += f.value("failure", "");
        }
      }
      if (t.contains("screenshot") && t["screenshot"].is_string()) r.screenshot = t["screenshot"].get<std::string>();
      const std::string unhealthy(kAutUnhealthyProperty);
      if (t.contains(unhealthy) && t[unhealthy].is_string()) r.aut_unhealthy = t[unhealthy].get<std::string>();
      std::string time = t.value("time", "0s");
      try {
        r.duration = std::chrono::milliseconds(static_cast<long long>(std::stod(time) * 1000.0));
      } catch (...) {}
      out.tests.push_back(std::move(r));
    }
  }
  return out;
}

std::string first_unlisted_start(const GtestStream& stream, const std::vector<std::string>& listed) {
  if (!stream.connected) return "";
  const std::set<std::string> known(listed.begin(), listed.end());
  for (const auto& ev : stream.events)
    if (ev.kind == StreamEvent::Kind::Start && !known.count(ev.name)) return ev.name;
  return "";
}

bool names_unlisted_tests(const GtestJsonReport& report, const TestListing& listing, const GtestStream* stream) {
  std::set<std::string> started;
  if (stream && stream->connected)
    for (const auto& ev : stream->events)
      if (ev.kind == StreamEvent::Kind::Start) started.insert(ev.name);
  return std::any_of(report.tests.begin(), report.tests.end(), [&](const JsonTestResult& t) {
    return !t.suite_level && !listing.count(t.name) && !started.count(t.name);
  });
}

std::string screenshot_in_output(const std::string& output) {
  static const std::string kPrefix = "[livegui] failure screenshot: ";
  auto at = output.rfind(kPrefix);
  if (at == std::string::npos) return "";
  auto end = output.find('\n', at);
  std::string path =
      output.substr(at + kPrefix.size(), end == std::string::npos ? std::string::npos : end - at - kPrefix.size());
  while (!path.empty() && (path.back() == '\r' || path.back() == ' ')) path.pop_back();
  return path;
}

std::string aut_unhealthy_in_output(const std::string& output) {
  auto at = output.find(kAutUnhealthyLine);
  if (at == std::string::npos) return "";
  auto start = output.find('\n', at);
  if (start == std::string::npos) return "";
  auto end = output.find('\n', start + 1);
  std::string line = output.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::optional<GtestJsonReport> parse_gtest_json_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_gtest_json(text.str());
}

namespace {

bool wildcard_match(const char* pattern, const char* str) {
  // Iterative '*' / '?' matcher (GoogleTest's semantics, without recursion).
  const char* star = nullptr;
  const char* resume = nullptr;
  while (*str) {
    if (*pattern == '?' || *pattern == *str) {
      ++pattern, ++str;
    } else if (*pattern == '*') {
      star = pattern++;
      resume = str;
    } else if (star) {
      pattern = star + 1;
      str = ++resume;
    } else {
      return false;
    }
  }
  while (*pattern == '*') ++pattern;
  return *pattern == '\0';
}

bool matches_any(const std::string& test, const std::string& patterns) {
  std::size_t start = 0;
  while (start <= patterns.size()) {
    auto colon = patterns.find(':', start);
    std::string p = patterns.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!p.empty() && wildcard_match(p.c_str(), test.c_str())) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

}  // namespace

bool matches_wildcard(const std::string& test, const std::string& pattern) {
  return wildcard_match(pattern.c_str(), test.c_str());
}

bool matches_gtest_filter(const std::string& test, const std::string& filter) {
  auto dash = filter.find('-');
  std::string positive = dash == std::string::npos ? filter : filter.substr(0, dash);
  std::string negative = dash == std::string::npos ? "" : filter.substr(dash + 1);
  if (positive.empty()) positive = "*";
  return matches_any(test, positive) && !matches_any(test, negative);
}

}  // namespace livegui::batch
