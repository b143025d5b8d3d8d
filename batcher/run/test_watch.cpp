#include "batcher/run/test_watch.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "batcher/run/unit_run.hpp"
#include "batcher/select/unit.hpp"

namespace livegui::batch {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

/// "Suite.Name (12 ms)" → "Suite.Name".
std::string test_name(const std::string& rest) {
  auto space = rest.find(' ');
  return space == std::string::npos ? rest : rest.substr(0, space);
}

}  // namespace

void TestWatch::update(Clock::time_point now) {
  std::ifstream in(log_, std::ios::binary);
  if (!in) return;
  in.seekg(0, std::ios::end);
  auto size = static_cast<std::uint64_t>(std::max<std::streamoff>(0, in.tellg()));
  if (size < offset_) offset_ = 0, partial_.clear();  // rotated or truncated: start over
  if (size == offset_) return;
  std::uint64_t want = std::min<std::uint64_t>(size - offset_, 1 << 20);
  std::string text(want, '\0');
  in.seekg(static_cast<std::streamoff>(offset_));
  in.read(text.data(), static_cast<std::streamsize>(want));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  offset_ += text.size();
  feed(text, now);
}

void TestWatch::feed(const std::string& text, Clock::time_point now) {
  partial_ += text;
  std::size_t start = 0;
  for (;;) {
    auto nl = partial_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string line = partial_.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    take_line(line, now);
  }
  partial_.erase(0, start);
  if (partial_.size() > 64 * 1024) partial_.clear();  // a runaway line is no marker
}

void TestWatch::take_line(const std::string& line, Clock::time_point now) {
  if (kind_ == WatchedFile::EventStream) {
    // {"event": "start", "test": "t.py::a"} / {"event": "end", "test": …}; anything else is no marker.
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("event") || !j.contains("test") || !j["event"].is_string() ||
        !j["test"].is_string())
      return;
    std::string event = j["event"], test = j["test"];
    if (event == "start") {
      running_ = test;
      since_ = now;
    } else if (event == "end" && running_ && *running_ == test) {
      running_.reset();
    }
    return;
  }
  if (starts_with(line, "[ RUN      ] ")) {
    running_ = test_name(line.substr(13));
    since_ = now;
  } else if (running_ && (starts_with(line, "[       OK ] ") || starts_with(line, "[  FAILED  ] ") ||
                          starts_with(line, "[  SKIPPED ] "))) {
    if (test_name(line.substr(13)) == *running_) running_.reset();
  }
}

std::chrono::nanoseconds TestWatch::running_for(Clock::time_point now) const {
  return running_ ? now - since_ : std::chrono::nanoseconds(0);
}

std::optional<TestWatch> watch_for(const Unit& unit, const AttemptSpec& attempt) {
  if (unit.gtest) return TestWatch(attempt.log, WatchedFile::GtestLog);
  if (unit.entry.format == EntryFormat::Pytest) return TestWatch(attempt.reports.events, WatchedFile::EventStream);
  return std::nullopt;
}

}  // namespace livegui::batch
