#pragma once
// Discovery: which entries are GoogleTest binaries, which tests they have
// (--gtest_list_tests, only where a test list is needed before the run:
// split = "suite", --filter, --list), and the units to run (one per binary,
// or one per suite). A missing entry becomes an UNRESOLVED unit with the
// reason; a listing that fails is not a gate: the binary runs as one unit
// and its run says which tests it has. Discovery never stops the batch.

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "batcher/plan/plan.hpp"
#include "batcher/select/gtest_sniff.hpp"
#include "batcher/select/unit.hpp"

namespace livegui::batch {

/// Discovery was interrupted by a signal.
class DiscoveryInterrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How long one --gtest_list_tests run may take, before a run and after an
/// abnormal end alike: 10s. A listing takes milliseconds; one that hangs is
/// given up after this, not after the entry's timeout, and the binary runs
/// as one unit (unsplit), its warning saying why.
inline constexpr std::chrono::milliseconds kListTimeout{10'000};

struct DiscoveryOptions {
  std::chrono::milliseconds list_timeout{kListTimeout};  ///< per --gtest_list_tests run
  std::chrono::milliseconds default_timeout{600'000};
  std::filesystem::path scratch_dir;  ///< list outputs go here
  bool list_tests = false;            ///< true: list every GoogleTest entry; false: only split="suite" ones
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

/// A file-name-safe version of a name ("live/test_x/Suite" → "live__test_x__Suite"),
/// unique per name: when the mapping loses anything ("smoke (fast)" and
/// "smoke [fast]" both give "smoke__fast_"), a stable 8-hex-digit hash of the
/// name is appended ("smoke__fast_-1a2b3c4d").
std::string safe_file_name(const std::string& id);
/// The stem of every file named after a unit (logs, reports, artifacts, listings).
inline std::string file_stem(const std::string& unit_id) { return safe_file_name(unit_id); }

}  // namespace livegui::batch
