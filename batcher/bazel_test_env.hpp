#pragma once
// The Bazel test encyclopedia's contract, as livegui-batch honours it when
// run by `bazel test` (e.g. through the livegui_plan_test macro, bazel/):
//
//   TEST_UNDECLARED_OUTPUTS_DIR  the report directory (unless --report-dir)
//   TEST_TMPDIR                  the AUT state directory (unless --state-dir
//                                or LIVEGUI_STATE_DIR)
//   TESTBRIDGE_TEST_ONLY         --test_filter: used as --filter (unless given)
//   XML_OUTPUT_FILE              this shard's JUnit XML is also written here
//   TEST_PREMATURE_EXIT_FILE     created at start, removed on a normal end
//   TEST_INFRASTRUCTURE_FAILURE_FILE  written when the AUT could not start
//                                at all (no test could run against it)
//   TEST_TIMEOUT                 seconds; the batch stops itself a margin
//                                before it, so the reports are written before
//                                Bazel's kill
//   TEST_TOTAL_SHARDS/TEST_SHARD_INDEX/TEST_SHARD_STATUS_FILE  sharding
//
// Outside Bazel none is set and nothing changes.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace livegui::batch {

struct BazelTestEnv {
  std::filesystem::path undeclared_outputs_dir;
  std::filesystem::path tmpdir;
  std::string test_only;  ///< TESTBRIDGE_TEST_ONLY
  std::filesystem::path xml_output_file;
  std::filesystem::path premature_exit_file;
  std::filesystem::path infrastructure_failure_file;
  std::optional<std::chrono::seconds> test_timeout;
  bool any() const;
};

using EnvGet = std::optional<std::string> (*)(const char*);

/// Reads the variables above through `get`. A TEST_TIMEOUT that is not a
/// positive whole number is ignored (Bazel always sets one).
BazelTestEnv read_bazel_test_env(EnvGet get);

/// How long before TEST_TIMEOUT the batch stops itself: time to stop the
/// running entry (`stop_budget`: its grace and kill wait) and write reports,
/// at least 2 s, at most a third of the timeout.
std::chrono::milliseconds deadline_margin(std::chrono::seconds test_timeout, std::chrono::milliseconds stop_budget);

/// A SIGTERM to this process at `after` from now (a POSIX timer, no thread):
/// the batch stops as on an interrupt — running entries stopped, the rest
/// SKIPPED, reports written. Disarmed by the destructor.
class SelfDeadline {
 public:
  /// Throws std::system_error when the timer cannot be created.
  explicit SelfDeadline(std::chrono::milliseconds after);
  ~SelfDeadline();
  SelfDeadline(const SelfDeadline&) = delete;
  SelfDeadline& operator=(const SelfDeadline&) = delete;
  /// True once the deadline has passed.
  bool reached() const;

 private:
  void* timer_ = nullptr;  // timer_t
  std::chrono::steady_clock::time_point at_;
};

}  // namespace livegui::batch
