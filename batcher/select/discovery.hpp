#pragma once
// Discovery: which entries are GoogleTest binaries, which tests they have
// (--gtest_list_tests), and the units to run (one per binary, or one per
// suite). A missing, non-executable or unlistable entry becomes an
// UNRESOLVED unit with the reason; discovery never stops the batch.

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "batcher/plan/plan.hpp"
#include "batcher/select/unit.hpp"

namespace livegui::batch {

/// True when the file looks like a GoogleTest binary (it contains GoogleTest's
/// flag names or links libgtest). Scripts ("#!") are never GoogleTest.
bool looks_like_gtest(const std::filesystem::path& file);

/// Discovery was interrupted by a signal.
class DiscoveryInterrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DiscoveryOptions {
  std::chrono::milliseconds list_timeout{60'000};  ///< per --gtest_list_tests run
  std::chrono::milliseconds default_timeout{600'000};
  std::filesystem::path scratch_dir;  ///< list outputs go here
  bool list_tests = true;             ///< false: only split="suite" entries are listed
  bool start_nothing = false;         ///< true: list nothing at all (after an interrupt)
  int interrupt_fd = -1;              ///< readable = stop (a signalfd); -1 = none
};

/// Runs `exe args --gtest_list_tests` (bounded). Throws std::runtime_error
/// saying what went wrong (exit status, timeout, last output lines).
std::vector<std::string> list_gtest_tests(const PlanEntry& entry, const std::filesystem::path& output_file,
                                          std::chrono::milliseconds timeout, int interrupt_fd);

/// Units of the whole plan, in plan order. Throws DiscoveryInterrupted.
std::vector<Unit> discover(const Plan& plan, const DiscoveryOptions& options);

/// The --gtest_filter the entry sets itself (its args, else GTEST_FILTER in
/// its env or ours); "" when none.
std::string user_gtest_filter(const PlanEntry& entry);

/// A file-name-safe version of a unit id ("live_gui/test_x/Suite" → "live_gui__test_x__Suite").
std::string safe_file_name(const std::string& id);

}  // namespace livegui::batch
