#include "batcher/report/retry_text.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace livegui::batch {

namespace {

/// "retried for crash"; a run of a whole-entry retry another test caused:
/// "ran again with its entry".
std::string why_it_ran(RetriedFor why) {
  return why == RetriedFor::WithItsEntry ? std::string("ran again with its entry")
                                         : "retried for " + std::string(to_string(why));
}

}  // namespace

std::string describe_try(const TryRecord& r) {
  std::string why = r.interrupted
                        ? "its retry for " + std::string(to_string(r.retried_for)) + ", interrupted before it finished"
                        : why_it_ran(r.retried_for);
  return "attempt " + std::to_string(r.attempt) + ": " + name(r.code) + " (" + why + ")" +
         (r.message.empty() ? "" : ": " + r.message);
}

std::string tries_text(const TestResult& t) {
  if (t.tries.empty()) return {};
  std::string runs;
  bool own_said = false;
  for (const auto& r : t.tries) {
    // An interrupted retry comes after the run whose result the test keeps.
    if (!own_said && r.attempt > t.attempt) {
      runs += "attempt " + std::to_string(t.attempt) + ": " + name(t.code) + "\n";
      own_said = true;
    }
    runs +=
        "attempt " + std::to_string(r.attempt) + ": " + name(r.code) + " — " +
        (r.interrupted ? "its retry for " + std::string(to_string(r.retried_for)) + ", interrupted before it finished"
                       : why_it_ran(r.retried_for)) +
        (r.message.empty() ? "" : ": " + r.message) + "\n";
  }
  if (!own_said) runs += "attempt " + std::to_string(t.attempt) + ": " + name(t.code) + "\n";
  return runs;
}

std::string read_file_prefix(const std::filesystem::path& file, std::size_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::string text(max_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(max_bytes));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return text;
}

std::string column_name(ResultCode code) {
  if (code == ResultCode::Skipped) return "skip";
  std::string s = name(code);
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace livegui::batch
