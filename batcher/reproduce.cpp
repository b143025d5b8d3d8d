#include "batcher/reproduce.hpp"

namespace livegui::batch {

std::string shell_quote(const std::string& word) {
  if (word.empty()) return "''";
  bool plain = true;
  for (char c : word) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
    if (!ok) {
      plain = false;
      break;
    }
  }
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

namespace {
constexpr std::string_view kSuiteLevel = ".<suite set-up/tear-down>";
constexpr std::string_view kGlobalLevel = "<global set-up/tear-down>";
}  // namespace

std::string suite_level_name(const std::string& suite) {
  return suite.empty() ? std::string(kGlobalLevel) : suite + std::string(kSuiteLevel);
}

bool is_suite_level_name(const std::string& name) {
  return name == kGlobalLevel || (name.size() > kSuiteLevel.size() &&
                                  name.compare(name.size() - kSuiteLevel.size(), kSuiteLevel.size(), kSuiteLevel) == 0);
}

std::string reproduce_filter_for(const std::string& name) {
  if (name == kGlobalLevel) return "*";
  if (name.size() > kSuiteLevel.size() &&
      name.compare(name.size() - kSuiteLevel.size(), kSuiteLevel.size(), kSuiteLevel) == 0)
    return name.substr(0, name.size() - kSuiteLevel.size()) + ".*";
  return name;
}

std::string reproduce_command(const EntryResult& entry, const std::string& filter) {
  std::string out;
  if (!entry.cwd.empty()) out += "cd " + shell_quote(entry.cwd) + " && ";
  for (const auto& [k, v] : entry.env) out += k + "=" + shell_quote(v) + " ";
  out += shell_quote(entry.executable);
  for (const auto& a : entry.args) out += " " + shell_quote(a);
  std::string f = filter.empty() ? entry.gtest_filter : reproduce_filter_for(filter);
  if (entry.gtest && !f.empty()) out += " " + shell_quote("--gtest_filter=" + f);
  return out;
}

}  // namespace livegui::batch
