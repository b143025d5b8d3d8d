#pragma once
// The batcher's side of format = "junit" and format = "pytest" (the narrow
// hook unit_run uses): where each attempt writes its report and event
// stream, what its argv and environment get, and how its end is read.
//
// Every attempt gets LIVEGUI_JUNIT_FILE (and `{junit}` in its argv replaced
// by the same path); a pytest attempt also gets LIVEGUI_EVENTS_FILE, the
// plugin (`-p livegui_pytest`) and `--junitxml` unless the argv has them,
// LIVEGUI_AUT_BIN (the livegui-aut next to this livegui-batch) unless set,
// and, when resumed, `--deselect <id>` for every test already decided.

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

/// Sets `spawn`'s env and args for one attempt and returns the files it will
/// write (`stem` names them in `log_dir`). `decided`: tests of earlier attempts.
ReportFiles prepare_report_attempt(EntryFormat format, SpawnOptions& spawn, const std::filesystem::path& log_dir,
                                   const std::string& stem, const std::vector<std::string>& decided);

/// Reads what the attempt left and classifies it (interpret_junit_attempt /
/// interpret_pytest_attempt).
AttemptOutcome read_report_attempt(EntryFormat format, const ReportFiles& files, const std::string& entry_name,
                                   const ExitStatus& status, StopCause stopped_for, std::chrono::milliseconds timeout,
                                   const std::string& interrupt_signal, int attempt,
                                   std::chrono::milliseconds test_timeout = std::chrono::milliseconds(0));

}  // namespace livegui::batch
