#include "batcher/reproduce.hpp"

#include <array>
#include <filesystem>
#include <string_view>
#include <system_error>

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

std::string test_reproduce_line(const EntryResult& entry, const TestResult& test) {
  if (!test.reproduce.empty()) return test.reproduce;
  if (entry.gtest && !test.synthetic) return reproduce_command(entry, test.name);
  return entry.reproduce;
}

namespace {

/// pytest options whose value is the next argument (a path among them is not a test selection).
// clang-format off
constexpr std::array<std::string_view, 24> kPytestValueOptions = {
    "-c", "--config-file", "--rootdir", "--confcutdir", "--basetemp", "-p", "-k", "-m", "-o", "--override-ini",
    "--deselect", "--ignore", "--ignore-glob", "--junitxml", "--junit-xml", "--junit-prefix", "--log-file", "-W",
    "--pythonwarnings", "--import-mode", "--tb", "-r", "--durations", "--maxfail"};
// clang-format on

bool takes_value(const std::string& arg) {
  for (auto o : kPytestValueOptions)
    if (arg == o) return true;
  return false;
}

bool selects_tests(const std::string& arg, const std::string& cwd) {
  if (arg.empty() || arg[0] == '-') return false;
  if (arg.find("::") != std::string::npos) return true;
  if (arg.size() > 3 && arg.compare(arg.size() - 3, 3, ".py") == 0) return true;
  std::error_code ec;
  std::filesystem::path p(arg);
  if (p.is_relative() && !cwd.empty()) p = std::filesystem::path(cwd) / p;
  return std::filesystem::is_directory(p, ec);
}

}  // namespace

std::vector<std::string> pytest_args_selecting(const std::vector<std::string>& args, const std::string& node_id,
                                               const std::string& cwd) {
  std::vector<std::string> out;
  bool value_next = false;
  for (const auto& a : args) {
    if (!value_next && selects_tests(a, cwd)) continue;
    value_next = !value_next && takes_value(a);
    out.push_back(a);
  }
  out.push_back(node_id);
  return out;
}

}  // namespace livegui::batch
