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

std::string reproduce_command(const EntryResult& entry, const std::string& filter) {
  std::string out;
  if (!entry.cwd.empty()) out += "cd " + shell_quote(entry.cwd) + " && ";
  for (const auto& [k, v] : entry.env) out += k + "=" + shell_quote(v) + " ";
  out += shell_quote(entry.executable);
  for (const auto& a : entry.args) out += " " + shell_quote(a);
  std::string f = filter.empty() ? entry.gtest_filter : filter;
  if (entry.gtest && !f.empty()) out += " " + shell_quote("--gtest_filter=" + f);
  return out;
}

}  // namespace livegui::batch
