#pragma once
// The batcher's side of format = "junit" and format = "pytest" (the narrow
// hook unit_run uses): where each attempt writes its report and event
// stream, what its argv and environment get, and how its end is read.
//
// Every attempt gets LIVEGUI_JUNIT_FILE (and `{junit}` in its argv replaced
// by the same path); a pytest attempt also gets LIVEGUI_EVENTS_FILE, the
// plugin (`-p livegui_pytest`) and `--junitxml` unless the argv has them,
// LIVEGUI_AUT_BIN (the livegui-aut next to this livegui-batch) unless set,
// and, when resumed, LIVEGUI_DESELECT_FILE naming every test already decided
// (the plugin deselects them by exact node id; pytest's --deselect would
// match by prefix).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "batcher/plan/plan.hpp"
#include "batcher/run/classify.hpp"
#include "harness/subprocess.hpp"

namespace livegui::batch {

struct ReportFiles {
  std::filesystem::path junit;   ///< always set for these formats
  std::filesystem::path events;  ///< format = "pytest" only
  /// format = "pytest" only: where livegui_pytest's faulthandler writes every
  /// thread's Python stack when the batcher asks (python_stacks.hpp).
  std::filesystem::path python_stacks;
  /// The argv's own `--junit-prefix` (pytest puts "X." before every
  /// classname of its report); "" = none. format = "pytest" only.
  std::string junit_prefix;
  /// format = "pytest", resumed: the JSON array of the node ids the plugin
  /// deselects (LIVEGUI_DESELECT_FILE); "" = none.
  std::filesystem::path deselect;
  std::vector<std::string> deselected;  ///< those ids, in order
  /// format = "pytest" with a selection (--last-failed): the JSON array of
  /// the only node ids the plugin runs (LIVEGUI_SELECT_FILE); "" = all.
  std::filesystem::path select;
  std::vector<std::string> selected;  ///< those ids, in order
};

/// What running an entry by hand needs that the batcher gives every attempt
/// of it (its reproduce line adds these).
struct RunByHandNeeds {
  std::vector<std::string> args;           ///< appended to the entry's argv
  std::map<std::string, std::string> env;  ///< set in its environment
};

/// For format = "pytest": `-p livegui_pytest` unless `args` name the plugin,
/// and LIVEGUI_AUT_BIN unless `env` sets it (the batcher's own
/// $LIVEGUI_AUT_BIN, else the livegui-aut next to this livegui-batch; none
/// when neither exists). Nothing for other formats. Does not block.
RunByHandNeeds run_by_hand_needs(EntryFormat format, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env);

/// `{junit}` replaced by `path` in every argument of `args` (format =
/// "junit" / "pytest": the report file the runner is to write). True when
/// an argument held it.
bool substitute_junit_placeholder(std::vector<std::string>& args, const std::string& path);

/// The argv that runs `args` of a `format` entry by hand: run_by_hand_needs'
/// additions, and `{junit}` replaced by `junit_by_hand` (a file beside the
/// batcher's own reports of the entry, never one of them). With `pytest_test`
/// (a node id) a pytest argv runs that test alone (pytest_args_selecting).
std::vector<std::string> by_hand_args(EntryFormat format, const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env, const std::string& cwd,
                                      const std::string& junit_by_hand, const std::string& pytest_test = {});

/// Sets `spawn`'s env and args for one attempt and returns the files it will
/// write (`stem` names them in `log_dir`). `decided`: tests of earlier
/// attempts; for a pytest entry they are written to `<stem>.deselect.json`
/// in `log_dir` now (throws std::system_error naming the file when it cannot
/// be written: a resume must not run them again). `selected`: of a pytest
/// entry, the only node ids it runs (--last-failed), written to
/// `<stem>.select.json` the same way; empty = all.
ReportFiles prepare_report_attempt(EntryFormat format, SpawnOptions& spawn, const std::filesystem::path& log_dir,
                                   const std::string& stem, const std::vector<std::string>& decided,
                                   const std::vector<std::string>& selected = {});

/// Reads what the attempt left and classifies it (interpret_junit_attempt /
/// interpret_pytest_attempt).
AttemptOutcome read_report_attempt(EntryFormat format, const ReportFiles& files, const std::string& entry_name,
                                   const ExitStatus& status, StopCause stopped_for, std::chrono::milliseconds timeout,
                                   const std::string& interrupt_signal, int attempt,
                                   std::chrono::milliseconds test_timeout = std::chrono::milliseconds(0),
                                   const std::filesystem::path& output_log = {});

}  // namespace livegui::batch
