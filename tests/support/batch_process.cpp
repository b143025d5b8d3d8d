#include "tests/support/batch_process.hpp"

#include <algorithm>

#include "tests/support/files.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {

BatchProcess::BatchProcess(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                           const std::filesystem::path& output, const std::map<std::string, std::string>& env)
    : output_(output) {
  SpawnOptions opt;
  opt.executable = binary("batcher/livegui-batch");
  opt.args = args;
  opt.cwd = cwd;
  opt.output_file = output;
  opt.env_set = {{"NO_COLOR", "1"}, {"TERM", "dumb"}};
  // What ctest or a developer's shell may have set must not change the run.
  opt.env_unset = {"GTEST_TOTAL_SHARDS",     "GTEST_SHARD_INDEX", "TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX",
                   "TEST_SHARD_STATUS_FILE", "GTEST_FILTER",      "GTEST_OUTPUT",      "LIVEGUI_STATE_DIR",
                   "LIVEGUI_STATE_FILE",     "LIVEGUI_AUT_SPEC",  "LIVEGUI_AUT_SCOPE", "LIVEGUI_LOG_DIR",
                   "LIVEGUI_HOOK_TOKEN",     "LIVEGUI_AUT_OWNER", "SPDLOG_LEVEL",      "DISPLAY",
                   "WAYLAND_DISPLAY"};
  for (const auto& [k, v] : env) opt.env_set[k] = v;
  process_ = Subprocess::spawn(opt);
}

std::optional<ExitStatus> BatchProcess::wait(std::chrono::seconds timeout) {
  auto status = process_.wait_for(timeout);
  if (!status) process_.stop(std::chrono::seconds(2), std::chrono::seconds(2));
  return status;
}

std::string BatchProcess::output() const { return read_text(output_); }

int shell_code(const ExitStatus& status) { return status.signaled ? 128 + status.signal : status.code; }

}  // namespace livegui::test_support
