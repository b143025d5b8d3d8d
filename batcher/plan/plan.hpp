#pragma once
// The batch plan: ordered tiers of entries (test executables or any command),
// loaded from TOML or built from a list of executables (the quick form).
//
//   [[tiers]]
//   name = "live_gui"
//   uses_aut = true            # entries share the AUT: run one at a time
//   timeout = "120s"           # per entry ("500ms", "2min"; a bare number of seconds is deprecated)
//   split = "binary"           # or "suite": one process per GoogleTest suite
//   env = { LIVEGUI_DISPLAY = "xvfb" }
//   aut = { executable = "${BUILD_DIR}/sample_app/sample_app", term_grace = "1s" }   # AppSpec
//
//   [[tiers.entries]]
//   executables = "${BUILD_DIR}/tests/live/test_*"   # a glob: one entry per match
//   args = ["--gtest_brief=0"]
//   expect = "fail"            # the whole entry is expected to fail
//   xfail = ["ExtendedSims.AssertFault"]             # or just these tests
//   retry = { on = ["crash", "timeout", "degraded"], max = 1 }   # (or per tier)
//   test_timeout = "30s"       # one GoogleTest test (or per tier)
//
//   [[tiers.entries]]
//   name = "pytest_smoke"
//   command = ["python3", "-m", "pytest", "tests/smoke.py"]   # judged by exit code
//   format = "pytest"          # or "junit": per-test results (docs/pytest.md)
//
// Strings may use ${VAR} and ${VAR:-default}; relative paths are relative to
// the plan file's directory.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "batcher/plan/retry_policy.hpp"
#include "common/duration.hpp"
#include "harness/app_spec.hpp"
#include "harness/toml_reader.hpp"

namespace livegui::batch {

/// Where something was written: "plan.toml:12:5" (harness/toml_reader.hpp).
using SourceLocation = TomlPosition;

/// The plan is unusable. what() is "file:line:column: field: why".
class PlanError : public TomlFieldError {
 public:
  PlanError(const SourceLocation& where, const std::string& field, const std::string& why);
  const SourceLocation& where() const { return at(); }
};

enum class SplitMode { Binary, Suite };
/// Auto: a GoogleTest binary when the file contains GoogleTest's flag names,
/// otherwise a command judged by its exit code. Junit: any runner that writes
/// a JUnit XML report to LIVEGUI_JUNIT_FILE (or `{junit}` in its argv); one
/// result per test case. Pytest: Junit plus the live event stream of
/// docs/test-events.md (LIVEGUI_EVENTS_FILE), which names the running test
/// when pytest dies and lets the batcher resume the file without it.
enum class EntryFormat { Auto, GTest, Command, Junit, Pytest };

/// True for the formats whose per-test results come from a JUnit report.
bool reads_junit(EntryFormat f);

const char* to_string(SplitMode m);
const char* to_string(EntryFormat f);

/// Where one value of the plan was written, for a message about it: its
/// place ("plan.toml:29:9") and its field ("tiers[0].entries[2].args[1]").
struct FieldSource {
  SourceLocation where;
  std::string field;
};

struct PlanEntry {
  std::string name;                  ///< unique within its tier
  std::string pattern;               ///< as written in the plan (for messages)
  std::filesystem::path executable;  ///< absolute; may not exist (see unresolved)
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  ///< tier env, then entry env
  std::filesystem::path cwd;               ///< empty: the batcher's cwd
  std::optional<std::chrono::milliseconds> timeout;
  bool uses_aut = false;
  SplitMode split = SplitMode::Binary;
  EntryFormat format = EntryFormat::Auto;
  bool expect_fail = false;        ///< the entry as a whole is expected to fail
  std::vector<std::string> xfail;  ///< tests expected to fail (gtest filter patterns)
  RetryPolicy retry;               ///< `retry = { on = [...], max = N }` (entry, else tier); none by default
  /// `test_timeout`: one GoogleTest test running longer is TIMEOUT, the binary
  /// is stopped and the rest resumed (entry, else tier).
  std::optional<std::chrono::milliseconds> test_timeout;
  std::string unresolved;  ///< non-empty: why this entry cannot run
  SourceLocation where;
  /// Where each element of `args` was written (same order; empty for the
  /// quick form's entries, which come from the command line).
  std::vector<FieldSource> args_source;
  /// Where each `env` variable was written (the tier's or the entry's table).
  std::map<std::string, FieldSource> env_source;
};

struct PlanTier {
  std::string name;
  bool uses_aut = false;
  std::optional<std::chrono::milliseconds> timeout;
  /// The tier's `aut` table, read and validated by AppSpec::from_toml (the
  /// one reader: a run, --list and --dry-run see the same spec).
  std::optional<AppSpec> aut;
  RetryPolicy retry;  ///< the tier's `retry` (entries inherit it unless they set their own)
  /// The tier's `test_timeout` (entries inherit it unless they set their own).
  std::optional<std::chrono::milliseconds> test_timeout;
  SourceLocation aut_where;
  std::vector<PlanEntry> entries;
  SourceLocation where;
};

struct Plan {
  std::filesystem::path source;  ///< empty for the quick form
  std::vector<PlanTier> tiers;
  /// Accepted but to be rewritten ("plan.toml:7:3: 'term_grace_ms' is
  /// deprecated …"), for the user to see; not errors.
  std::vector<std::string> notes;
};

/// Reads and validates a plan file, the tiers' `aut` tables included (an
/// unusable AUT spec is a PlanError naming file:line:column and the field).
/// Throws PlanError naming file:line:column and the field. A duration written
/// as a bare number of seconds is read, with one note in Plan::notes for all.
Plan load_plan(const std::filesystem::path& file);

/// Parses plan text; `source_name` is used in messages, `base_dir` resolves relative paths.
Plan parse_plan(const std::string& text, const std::string& source_name, const std::filesystem::path& base_dir);

/// The quick form: every path becomes an entry of one tier. Directories are
/// skipped; so are existing files that are not executable (e.g. a shell glob
/// over a build directory also matches CMake files); a missing path is kept
/// and becomes UNRESOLVED.
struct QuickPlanOptions {
  std::string tier = "default";
  bool uses_aut = false;
  SplitMode split = SplitMode::Binary;
  std::vector<std::string> args;
};
struct QuickPlan {
  Plan plan;
  std::vector<std::string> skipped;  ///< paths that were not test executables, and why
};
QuickPlan quick_plan(const std::vector<std::string>& paths, const QuickPlanOptions& options);

/// The one duration syntax ("90s", "500ms", "2min"; common/duration.hpp).
using livegui::parse_duration;

}  // namespace livegui::batch
