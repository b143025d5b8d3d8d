#include "batcher/run/gtest_stream.hpp"

#include <csignal>
#include <fstream>
#include <utility>

#include "common/text.hpp"

namespace livegui::batch {
namespace {

/// GoogleTest's UrlEncode escapes '%', '=', '&' and '\n' as %XX.
std::string url_decoded(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) {
      return c >= '0' && c <= '9'   ? c - '0'
             : c >= 'A' && c <= 'F' ? c - 'A' + 10
             : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                    : -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// The value of `key` in "event=X&key=value&…", "" when absent.
std::string field(const std::string& line, const std::string& key) {
  std::size_t start = 0;
  while (start <= line.size()) {
    auto amp = line.find('&', start);
    std::string part = line.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (part.rfind(key + "=", 0) == 0) return url_decoded(part.substr(key.size() + 1));
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return {};
}

}  // namespace

std::optional<StreamEvent> GtestStreamParser::take_line(const std::string& text) {
  std::string line = text;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::string event = field(line, "event");
  if (event == "TestProgramStart") {
    connected_ = true;
  } else if (event == "TestProgramEnd") {
    ended_ = true;
  } else if (event == "TestCaseStart") {
    suite_ = field(line, "name");
  } else if (event == "TestCaseEnd" && !suite_.empty()) {
    // The event names no suite: it closes the one TestCaseStart opened.
    ended_suites_.push_back(std::exchange(suite_, {}));
  } else if (event == "TestStart") {
    test_ = suite_ + "." + field(line, "name");
    failure_.clear();
    return StreamEvent{StreamEvent::Kind::Start, test_, false, {}};
  } else if (event == "TestPartResult" && !test_.empty()) {
    // As GoogleTest's JSON report writes a failure: its location, then its message.
    const std::string file = field(line, "file"), at = field(line, "line");
    std::string location = file.empty() ? "unknown file" : at.empty() || at[0] == '-' ? file : file + ":" + at;
    if (!failure_.empty()) failure_ += "\n";
    failure_ += location + "\n" + field(line, "message");
  } else if (event == "TestEnd" && !test_.empty()) {
    StreamEvent end{StreamEvent::Kind::End, test_, field(line, "passed") == "1", std::exchange(failure_, {})};
    test_.clear();
    return end;
  }
  return std::nullopt;
}

GtestStream parse_gtest_stream(std::istream& in) {
  GtestStream out;
  GtestStreamParser parser;
  std::string line;
  while (std::getline(in, line))
    if (auto ev = parser.take_line(line)) out.events.push_back(std::move(*ev));
  out.connected = parser.connected();
  out.ended = parser.ended();
  out.ended_suites = parser.ended_suites();
  return out;
}

GtestStream read_gtest_stream(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  return parse_gtest_stream(in);
}

bool stream_aborted_a_second_run(const GtestStream& stream, const ExitStatus& status,
                                 const std::filesystem::path& log) {
  if (!stream.ended || !status.signaled || status.signal != SIGABRT) return false;
  return tail_file(log, 20).find("can be called only when there is a connection") != std::string::npos;
}

std::string stream_flag(int port) { return "--gtest_stream_result_to=127.0.0.1:" + std::to_string(port); }

}  // namespace livegui::batch
