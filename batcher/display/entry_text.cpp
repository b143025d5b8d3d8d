#include "batcher/display/entry_text.hpp"

#include <algorithm>

#include <cstdio>

#include "batcher/reproduce.hpp"
#include "common/text.hpp"

namespace livegui::batch {

std::string paint(const std::string& text, ResultCode code, bool color) {
  if (!color) return text;
  const char* esc = "";
  switch (code) {
    case ResultCode::Pass: esc = "\033[32m"; break;
    case ResultCode::Flaky:
    case ResultCode::XFail:
    case ResultCode::Skipped: esc = "\033[33m"; break;
    case ResultCode::Unresolved: esc = "\033[35m"; break;
    case ResultCode::Fail:
    case ResultCode::Crash:
    case ResultCode::Timeout:
    case ResultCode::XPass: esc = "\033[1;31m"; break;
  }
  return esc + text + "\033[0m";
}

std::string paint_warning(const std::string& text, bool color) {
  return color ? "\033[1;33m" + text + "\033[0m" : text;
}

std::string entry_label(const std::string& tier, const std::string& name) { return tier + " › " + name; }

std::string tests_phrase(const EntryResult& r) {
  std::size_t n = 0;
  for (const auto& t : r.tests)
    if (!t.synthetic) ++n;
  if (!r.gtest) return "";
  return "(" + std::to_string(n) + (n == 1 ? " test)" : " tests)");
}

std::string result_line(const EntryResult& r, std::size_t finished, std::size_t total, bool color) {
  std::string width = std::to_string(total);
  char counter[64];
  std::snprintf(counter, sizeof counter, "[%*zu/%zu] ", static_cast<int>(width.size()), finished, total);
  std::string code = name(r.code);
  code.resize(std::max<std::size_t>(code.size(), 10), ' ');
  std::string line = counter + paint(code, r.code, color) + " " + entry_label(r.tier, r.name);
  std::string tests = tests_phrase(r);
  if (!tests.empty()) line += " " + tests;
  line += " " + human_duration(r.duration);
  if (r.code != ResultCode::Pass && !r.reason.empty()) line += " — " + console_safe(r.reason);
  if (r.dirty_start) line += " [dirty start: " + std::string(to_string(r.dirty_start->kind)) + "]";
  return line;
}

namespace {

std::string head_lines(const std::string& text, std::size_t max) {
  std::string out;
  std::size_t lines = 0, start = 0;
  while (start < text.size() && lines < max) {
    auto nl = text.find('\n', start);
    out += text.substr(start, nl == std::string::npos ? std::string::npos : nl - start + 1);
    ++lines;
    if (nl == std::string::npos) return out;
    start = nl + 1;
  }
  if (start < text.size()) out += "…\n";
  return out;
}

}  // namespace

std::string console_safe(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool crlf = c == '\r' && i + 1 < text.size() && text[i + 1] == '\n';
    if ((c < 0x20 && c != '\n' && c != '\t' && !crlf) || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string attempt_line(const EntryResult& r, const AttemptRecord& a) {
  // A later process: a record without its kind (an older file) was a resume.
  AttemptRecord later = a;
  if (later.kind == AttemptKind::First) later.kind = AttemptKind::Resume;
  const bool retry = later.kind == AttemptKind::Retry;
  std::string how;
  if (r.gtest)
    how = ", " + (a.filter.empty() ? std::string("all its tests") : "--gtest_filter=" + a.filter);
  else if (!a.filter.empty())
    how = ", " + a.filter;  // the runner's own arguments ("--deselect t.py::a"), as they were given
  else if (!retry)
    how = ", no test deselected";
  return describe_attempt(later, r.uses_aut, !r.gtest) + " (attempt " + std::to_string(a.number) + how +
         "): " + a.exit;
}

std::string failure_block(const EntryResult& r, bool color) {
  std::string out;
  std::string header = std::string(name(r.code)) + ": " + entry_label(r.tier, r.name);
  std::string tests = tests_phrase(r);
  if (!tests.empty()) header += " " + tests;
  header += " " + human_duration(r.duration);
  out += paint("━━ " + header + " ━━", r.code, color) + "\n";
  if (r.dirty_start) out += "  " + paint_warning("dirty start: " + r.dirty_start->message, color) + "\n";
  std::size_t shown = 0, failing = 0;
  for (const auto& t : r.tests) {
    if (!is_failure(t.code)) continue;
    ++failing;
    if (shown == 10) continue;
    ++shown;
    std::string label = t.synthetic && !r.gtest ? r.name : t.name;
    out += "  " + paint(name(t.code), t.code, color) + " " + label + "\n";
    if (!t.message.empty()) out += indent(console_safe(head_lines(t.message, 8)), "      ");
    if (!out.empty() && out.back() != '\n') out += "\n";
    std::string repro = test_reproduce_line(r, t);
    out += "      reproduce: " + repro + "\n";
  }
  if (failing > shown) out += "  … and " + std::to_string(failing - shown) + " more failing tests (see the reports)\n";
  for (std::size_t i = 1; i < r.attempts.size(); ++i) {
    const auto& a = r.attempts[i];
    out += "  " + attempt_line(r, a) + "\n";
  }
  // When a test's own line differs from the entry's, the entry's is said apart.
  bool own_lines =
      std::any_of(r.tests.begin(), r.tests.end(), [](const TestResult& t) { return !t.reproduce.empty(); });
  if (r.attempts.size() > 1 || r.gtest || own_lines) out += "  reproduce the entry: " + r.reproduce + "\n";
  if (!r.output_tail.empty()) {
    // With several attempts, say which one the tail is of.
    std::string which =
        r.output_attempt > 0 && r.attempts.size() > 1 ? " of attempt " + std::to_string(r.output_attempt) : "";
    out += "  output tail" + which + (r.output_log.empty() ? std::string() : " (" + r.output_log + ")") + ":\n";
    out += indent(console_safe(r.output_tail), "  | ");
    if (out.back() != '\n') out += "\n";
  }
  return out;
}

}  // namespace livegui::batch
