#pragma once
// The whole run, layer by layer: plan → discovery → selection → run (with
// state checks) → classify → display → summary → reports. And `merge`.

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "batcher/bazel_test_env.hpp"
#include "batcher/display/display.hpp"
#include "batcher/select/selection.hpp"
#include "common/aut_scope.hpp"

namespace livegui::batch {

class InterruptSignals;

/// Exit codes of livegui-batch.
inline constexpr int kExitPassed = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
/// Interrupted: 128 + the signal, as a shell reports it (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
inline constexpr int kExitInterrupted = 130;

struct BatchOptions {
  std::vector<std::string> inputs;  ///< one plan file (*.toml), or executables (the quick form)
  std::vector<std::string> tiers;
  std::string filter;
  bool list = false;
  bool dry_run = false;
  int jobs = 1;
  std::optional<ShardSpec> shard;  ///< from --shard or the environment
  /// --durations: balance shards by this file (results JSON or durations.json);
  /// unset: REPORT_DIR/results.json when present.
  std::optional<std::filesystem::path> durations_file;
  BazelTestEnv bazel;  ///< set under `bazel test` (bazel_test_env.hpp)
  /// Run only what failed in report_dir's previous results.json (entries,
  /// and of GoogleTest entries only the failing tests).
  bool last_failed = false;
  bool fail_fast = false;
  std::chrono::milliseconds timeout{600'000};  ///< per entry, unless the plan says otherwise
  std::chrono::milliseconds term_grace{3000};
  std::chrono::milliseconds kill_wait{2000};
  std::filesystem::path report_dir = "livegui-report";
  std::optional<std::filesystem::path> state_dir;
  AutScope aut_scope = AutScope::File;  ///< --aut-scope
  bool verbose = false;
  DisplayOptions display;
  // The quick form:
  std::string quick_tier = "default";
  bool quick_uses_aut = false;
  SplitMode quick_split = SplitMode::Binary;  ///< --split
  std::vector<std::string> command_line;
};

/// Runs a batch; returns the exit code. Progress and summary go to `out`,
/// errors to `err`. `signals` may be null (no interrupt handling).
int run_batch(const BatchOptions& options, std::ostream& out, std::ostream& err, InterruptSignals* signals);

/// "results.json", or "results-shard-2-of-4.json" for a shard (`stem` "results", `ext` ".json").
std::string report_file_name(const std::string& stem, const std::string& ext, const ShardSpec& shard);

}  // namespace livegui::batch
