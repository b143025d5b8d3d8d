#pragma once
// The command line (CLI11): `livegui-batch [run] [PLAN.toml | EXECUTABLES...]`
// and `livegui-batch merge OUT IN...`.

#include <ostream>

namespace livegui::batch {

class InterruptSignals;

/// Parses argv and runs; returns the process exit code (0 passed, 1 failed,
/// 2 usage or plan error, 130 interrupted).
int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err, InterruptSignals* signals);

}  // namespace livegui::batch
