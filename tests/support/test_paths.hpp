#pragma once
// Where the built binaries are, and a leak check for tests.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace livegui::test_support {

/// A binary built by this project, e.g. binary("sample_app/sample_app").
std::filesystem::path binary(const std::string& relative);
std::filesystem::path source(const std::string& relative);

/// Live descendants of this test process (children, grandchildren, …) plus
/// any live process whose process group is one of `groups`.
std::vector<pid_t> leftover_processes(const std::vector<pid_t>& groups = {});

/// "pid 123 (sample_app), pid 124 (sample_app)" for assertion messages.
std::string describe_pids(const std::vector<pid_t>& pids);

}  // namespace livegui::test_support
