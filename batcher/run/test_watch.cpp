#include "batcher/run/test_watch.hpp"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "batcher/reproduce.hpp"
#include "batcher/run/unit_run.hpp"
#include "batcher/select/unit.hpp"

namespace livegui::batch {
namespace {

/// "Suite.Name (12 ms)" / "Inst/P.T/0, where GetParam() = 1 (0 ms)" → the name.
std::string test_name(const std::string& rest) {
  auto end = rest.find_first_of(" ,");
  return end == std::string::npos ? rest : rest.substr(0, end);
}

constexpr std::size_t kMarkerBytes = 13;  ///< "[ RUN      ] " and the end markers alike

/// The name after `marker` anywhere in `line` (a test that printed without
/// a newline pushes it right), "" when the line has none.
std::string name_after_marker(const std::string& line, const char* marker) {
  auto at = line.find(marker);
  return at == std::string::npos ? std::string() : test_name(line.substr(at + kMarkerBytes));
}

}  // namespace

std::string TestWatch::Followed::read_new(bool& shrank) {
  shrank = false;
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  auto size = static_cast<std::uint64_t>(std::max<std::streamoff>(0, in.tellg()));
  if (size < offset) {
    offset = 0, partial.clear();
    shrank = true;
  }
  if (size == offset) return {};
  std::uint64_t want = std::min<std::uint64_t>(size - offset, 1 << 20);
  std::string text(want, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(text.data(), static_cast<std::streamsize>(want));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  offset += text.size();
  return text;
}

template <typename Take>
void TestWatch::Followed::lines(const std::string& text, Take take) {
  partial += text;
  std::size_t start = 0;
  for (;;) {
    auto nl = partial.find('\n', start);
    if (nl == std::string::npos) break;
    std::string line = partial.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    take(line);
  }
  partial.erase(0, start);
  // A runaway line: only its end can still hold a marker (output printed
  // without a newline pushes it there); keep that, bounded.
  constexpr std::size_t kKeptBytes = 64 * 1024;
  if (partial.size() > kKeptBytes) partial.erase(0, partial.size() - kKeptBytes / 2);
}

void TestWatch::update(Clock::time_point now) {
  // The stream first: GoogleTest connects it before it prints any marker,
  // so a log read after it never shows a test the stream has not spoken for.
  bool shrank = false;
  if (std::string text = stream_.read_new(shrank); !text.empty()) feed_gtest_stream(text, now);
  std::string text = log_.read_new(shrank);
  // Capped (cap_log): what it dropped may hold the running test's end, so
  // the next start line is taken as a test's start whatever runs.
  if (shrank) lost_bytes_ = true;
  if (!text.empty()) feed(text, now);
}

void TestWatch::feed(const std::string& text, Clock::time_point now) {
  log_.lines(text, [&](const std::string& line) { take_line(line, now); });
}

void TestWatch::feed_gtest_stream(const std::string& text, Clock::time_point now) {
  stream_.lines(text, [&](const std::string& line) { take_stream_line(line, now); });
}

void TestWatch::take_stream_line(const std::string& line, Clock::time_point now) {
  // Once it has connected the stream alone speaks (take_line reads no
  // marker); a start read from the markers just before keeps its clock only
  // when the stream names the same test next.
  auto ev = stream_parser_.take_line(line);
  if (stream_parser_.ended()) {
    running_.reset();
    return;
  }
  if (ev && ev->kind == StreamEvent::Kind::Start) {
    if (!running_ || *running_ != ev->name) since_ = now;
    running_ = ev->name;
  } else if (ev && running_ && *running_ == ev->name) {
    running_.reset();
  }
  // Outside a test but inside a suite: its SetUpTestSuite or
  // TearDownTestSuite runs (or, for a few microseconds, nothing between two
  // of its tests), and test_timeout bounds it as it bounds a test — named by
  // the suite's own result (suite_level_name), which classify() blames.
  const std::string& suite = stream_parser_.open_suite();
  const bool in_test = running_ && !is_suite_level_name(*running_);
  if (in_test) return;
  if (suite.empty()) {
    running_.reset();
  } else if (const std::string level = suite_level_name(suite); running_ != level) {
    running_ = level;
    since_ = now;
  }
}

void TestWatch::take_line(const std::string& line, Clock::time_point now) {
  // GoogleTest's own stream speaks for this process: a marker line is output.
  if (stream_parser_.connected()) return;
  if (kind_ == WatchedFile::EventStream) {
    // {"event": "start", "test": "t.py::a"} / {"event": "end", "test": …}; anything else is no marker.
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("event") || !j.contains("test") || !j["event"].is_string() ||
        !j["test"].is_string())
      return;
    std::string event = j["event"], test = j["test"];
    auto at = std::find_if(open_.begin(), open_.end(), [&](const auto& o) { return o.first == test; });
    if (event == "start" && at == open_.end())
      open_.emplace_back(test, now);
    else if (event == "end" && at != open_.end())
      open_.erase(at);
    if (open_.empty()) {
      running_.reset();
    } else {
      running_ = open_.front().first;
      since_ = open_.front().second;
    }
    return;
  }
  if (running_) {
    // One GoogleTest process runs one test at a time: while a test runs,
    // only its own end ends it. A start line meanwhile is its output (a
    // child GoogleTest binary it runs, or a line it prints), and must not
    // restart its clock.
    for (const char* end : {"[       OK ] ", "[  FAILED  ] ", "[  SKIPPED ] "})
      if (name_after_marker(line, end) == *running_) {
        running_.reset();
        return;
      }
    if (!lost_bytes_) return;
  }
  if (std::string name = name_after_marker(line, "[ RUN      ] "); !name.empty()) {
    running_ = name;
    since_ = now;
    lost_bytes_ = false;
  }
}

std::chrono::nanoseconds TestWatch::running_for(Clock::time_point now) const {
  return running_ ? now - since_ : std::chrono::nanoseconds(0);
}

std::optional<TestWatch> watch_for(const Unit& unit, const AttemptSpec& attempt, bool stream_open) {
  if (unit.gtest)
    return TestWatch(attempt.log, WatchedFile::GtestLog, stream_open ? attempt.stream : std::filesystem::path());
  if (unit.entry.format == EntryFormat::Pytest) return TestWatch(attempt.reports.events, WatchedFile::EventStream);
  return std::nullopt;
}

}  // namespace livegui::batch
