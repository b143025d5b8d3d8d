#pragma once
// The command line (CLI11): `livegui-batch [run] [PLAN.toml | EXECUTABLES...]`
// and `livegui-batch merge OUT IN...`.

#include <ostream>
#include <string>

namespace livegui::batch {

class InterruptSignals;

/// Parses argv and runs; returns the process exit code (0 passed, 1 failed,
/// 2 usage or plan error, 130 interrupted).
int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err, InterruptSignals* signals);

/// A note main() has before the command line is parsed (no run cgroup, and
/// why): logged at info level (batcher) by cli_main once `--log-level` is in
/// force, so that `--log-level info` shows it. Not thread-safe: call from
/// main() before cli_main.
void defer_startup_note(std::string note);

}  // namespace livegui::batch
