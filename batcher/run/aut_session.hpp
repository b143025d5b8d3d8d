#pragma once
// --aut-scope session: the batcher owns one AUT per tier that uses it
// (through the harness's AppHandle, spec from the tier's `aut` table). Test
// binaries attach to it through the state file (LIVEGUI_AUT_SCOPE=session);
// between entries the batcher checks it and lazily respawns it.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "harness/app_handle.hpp"

namespace livegui::batch {

class AutSession {
 public:
  /// The tier's AUT spec as the plan reader validated it; `state_file` and
  /// `log_dir` replace the spec's. Starts nothing. Throws AppSpecError when
  /// the spec no longer validates (e.g. its executable was removed since).
  AutSession(AppSpec spec, const std::filesystem::path& state_file, const std::filesystem::path& log_dir);
  ~AutSession();
  AutSession(const AutSession&) = delete;
  AutSession& operator=(const AutSession&) = delete;

  /// Before `entry`: a healthy AUT, started or respawned as needed. Bounded
  /// by the spec's ready timeout. Throws (StartError, AutUnavailable) with the reason.
  ReadyEvent ensure(const std::string& entry);

  /// Stops the AUT (bounded). Never throws.
  void stop();

  pid_t pid() const;

  /// Looks at the AUT (without blocking) so that a death is recorded in the
  /// state file with the status only its parent knows — merged with the test
  /// a guest recorded it in. Starts nothing. Never throws.
  void observe();

  /// The AUT is running but degraded (one health check). Never throws.
  bool degraded();

  /// The tier's `respawn = "never"`: ensure() never replaces a dead or degraded AUT.
  bool respawn_never() const;

 private:
  std::unique_ptr<AppHandle> handle_;
};

}  // namespace livegui::batch
