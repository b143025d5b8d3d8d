#pragma once
// What every fault-matrix cell needs: a small plan for the real
// livegui-batch, the batcher run (bounded, optionally signalled mid-run), the
// reports read back (every test accounted for in results.json and
// junit.xml), the process groups the run created, and the cell's outcome
// written as one JSON line for tools/reliability_table.py.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/subprocess.hpp"
#include "tests/support/batch_process.hpp"
#include "tests/support/files.hpp"
#include "tests/support/poll.hpp"

namespace livegui::test_support {

/// One entry of a generated plan: the reliability_entry binary in `mode`.
struct PlanEntrySpec {
  std::string name;
  std::string mode;
  std::string timeout;  ///< "" = the tier's
};

/// The tier's `aut` table and entries, as TOML.
struct MatrixPlan {
  std::filesystem::path aut_executable;           ///< default: sample_app
  std::vector<std::string> aut_args;              ///< default: --headless --enable-faults
  std::map<std::string, std::string> aut_fields;  ///< raw TOML values, e.g. {"port", "4242"}
  std::vector<PlanEntrySpec> entries;
  std::string tier_timeout = "30s";
  std::string to_toml(const std::filesystem::path& pid_dir) const;
};

/// TOML string literal (basic string, escaped).
std::string toml_quote(const std::string& text);

/// One test as the reports show it.
struct ReportedTest {
  std::string result;   ///< results.json
  std::string message;  ///< results.json (the test's, else its entry's reason)
  std::string junit;    ///< "pass", "failure", "error", "skipped", "missing"
  std::string junit_message;
};

/// "entry/Suite.Name" → what results.json and junit.xml say. Adds to
/// `problems` every test results.json has that junit.xml lacks (and the
/// other way round), and every SKIPPED without a reason.
std::map<std::string, ReportedTest> reported_tests(const nlohmann::json& results, const std::string& junit_xml,
                                                   const std::string& tier, std::vector<std::string>& problems);

/// The state file livegui-batch (pid `batcher`) used in `state_dir`:
/// "aut-state-<pid>-<start>.json", or that file moved aside by a later run
/// ("….stale-<time>"). An empty path when there is none.
std::filesystem::path run_state_file(const std::filesystem::path& state_dir, pid_t batcher);

/// Process groups a run created: entry pids (attempts), AUT pids (timeline,
/// state file), and what the entries recorded in pids.log (AUT pgid, grandchild).
std::set<pid_t> groups_of_run(const nlohmann::json* results, const std::filesystem::path& state_file,
                              const std::filesystem::path& pids_log);

/// Where cells write their outcome: $LIVEGUI_RELIABILITY_RESULTS, else
/// <build>/tests/reliability/results.
std::filesystem::path results_dir();

/// Writes `cell` (a JSON object with at least "row" and "scope") as one line
/// to <results_dir>/<row>__<scope>.json, atomically.
void write_cell_line(const nlohmann::json& cell);

}  // namespace livegui::test_support
