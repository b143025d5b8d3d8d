#include "batcher/run/entry_summary.hpp"

#include <algorithm>

#include "common/text.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

std::string first_line(const std::string& text) {
  auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

std::string output_tail(const fs::path& log, std::size_t lines, bool capped) {
  std::string tail = tail_file(log, lines);
  if (!capped) return tail;
  std::size_t have = static_cast<std::size_t>(std::count(tail.begin(), tail.end(), '\n'));
  if (!tail.empty() && tail.back() != '\n') ++have;
  if (have >= lines) return tail;
  fs::path rotated = log;
  rotated += ".1";
  std::string before = tail_file(rotated, lines - have);
  if (!before.empty() && before.back() != '\n' && !tail.empty()) before += '\n';
  return before + tail;
}

std::string human_bytes(std::uint64_t n) {
  if (n >= (1u << 20) && n % (1u << 20) == 0) return std::to_string(n >> 20) + " MiB";
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n >> 10) + " KiB";
  return std::to_string(n) + " bytes";
}

std::string describe(const EntryResult& e) {
  if (e.tests.size() == 1 && e.tests[0].synthetic)
    return e.tests[0].message.empty() ? std::string("exit code 0") : first_line(e.tests[0].message);
  // The worst test speaks for the entry; counts give the rest.
  const TestResult* worst_test = nullptr;
  for (const auto& t : e.tests)
    if (!worst_test || severity(t.code) > severity(worst_test->code)) worst_test = &t;
  std::string out;
  if (worst_test && worst_test->code != ResultCode::Pass && worst_test->code != ResultCode::Skipped)
    out = worst_test->name + ": " + first_line(worst_test->message);
  std::string tally = tally_of(e.tests);
  if (e.tests.empty()) tally = "no tests";
  if (auto resumed = resume_phrase(e.attempts, e.gtest); !resumed.empty()) tally += "; " + resumed;
  return out.empty() ? tally : out + " (" + tally + ")";
}

std::string resume_exit_warning(const std::string& entry_name, int attempt, const std::string& filter,
                                const std::string& message) {
  static const std::string kPrefix = "the test binary ";
  const std::string how = message.rfind(kPrefix, 0) == 0 ? message.substr(kPrefix.size()) : message;
  const std::string shown = filter.size() > 200 ? filter.substr(0, 200) + "…" : filter;
  return entry_name + ": attempt " + std::to_string(attempt) + ", a resume that ran part of its tests (" + shown +
         "), " + how +
         "; its main() may check how many tests ran, which a resume changes, so this is not a failure (run the "
         "binary whole to check)";
}

}  // namespace livegui::batch
