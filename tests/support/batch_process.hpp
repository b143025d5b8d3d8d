#pragma once
// The one way tests start the real livegui-batch: its own process group,
// output (stdout and stderr, in order) to a file, a controlled environment
// (plain output, no colour, nothing ctest or a developer's shell set that
// would change the run), a bounded wait.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/subprocess.hpp"

namespace livegui::test_support {

/// A livegui-batch process started by a test; its output goes to `output`.
class BatchProcess {
 public:
  /// Starts build/batcher/livegui-batch with `args` in `cwd`; `env` is set
  /// on top of the cleaned environment. Throws what Subprocess::spawn throws.
  BatchProcess(const std::vector<std::string>& args, const std::filesystem::path& cwd,
               const std::filesystem::path& output, const std::map<std::string, std::string>& env = {});
  pid_t pid() const { return process_.pid(); }
  /// Waits at most `timeout`; when it has not ended, stops it (SIGTERM to its
  /// group, 2 s grace, SIGKILL) and returns std::nullopt.
  std::optional<ExitStatus> wait(std::chrono::seconds timeout);
  /// Everything it printed so far.
  std::string output() const;

 private:
  Subprocess process_;
  std::filesystem::path output_;
};

/// Exit status as a shell would show it: the code, or 128 + signal.
int shell_code(const ExitStatus& status);

}  // namespace livegui::test_support
