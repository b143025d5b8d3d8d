#include "tests/support/test_paths.hpp"

#include <unistd.h>

#include <algorithm>

#include "common/proc_info.hpp"

namespace livegui::test_support {

std::filesystem::path binary(const std::string& relative) {
  return std::filesystem::path(LIVEGUI_BUILD_DIR) / relative;
}

std::filesystem::path source(const std::string& relative) {
  return std::filesystem::path(LIVEGUI_SOURCE_DIR) / relative;
}

std::vector<pid_t> leftover_processes(const std::vector<pid_t>& groups) {
  std::vector<pid_t> out = descendants_of(::getpid());
  for (pid_t g : groups)
    for (pid_t p : processes_in_group(g)) out.push_back(p);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string describe_pids(const std::vector<pid_t>& pids) {
  std::string out;
  for (pid_t p : pids) {
    if (!out.empty()) out += ", ";
    auto st = read_proc_stat(p);
    out += "pid " + std::to_string(p) + " (" + (st ? st->comm : std::string("?")) + ")";
  }
  return out.empty() ? "none" : out;
}

}  // namespace livegui::test_support
