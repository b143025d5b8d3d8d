#include "batcher/run/aut_session.hpp"

#include "common/log.hpp"

namespace livegui::batch {

AutSession::AutSession(AppSpec spec, const std::filesystem::path& state_file, const std::filesystem::path& log_dir) {
  spec.state_file = state_file;
  spec.log_dir = log_dir;
  handle_ = std::make_unique<AppHandle>(std::move(spec));
}

AutSession::~AutSession() { stop(); }

ReadyEvent AutSession::ensure(const std::string& entry) {
  TestRef ref;
  ref.suite = kBatcherSuite;
  ref.name = entry;
  return handle_->ensure_ready(ref);
}

void AutSession::stop() {
  if (!handle_) return;
  try {
    handle_->stop();
  } catch (const std::exception& e) {
    logger("batcher")->error("stopping the session AUT: {}", e.what());
  }
}

pid_t AutSession::pid() const { return handle_ ? handle_->pid() : 0; }

void AutSession::observe() {
  try {
    // Only a death: a health check would judge degradation with our pseudo-test.
    if (handle_) handle_->wait_for_exit(std::chrono::milliseconds(0));
  } catch (const std::exception& e) {
    logger("batcher")->debug("checking the session AUT: {}", e.what());
  }
}

bool AutSession::degraded() {
  try {
    return handle_ && handle_->check().state == AutHealth::Degraded;
  } catch (const std::exception&) {
    return false;
  }
}

bool AutSession::respawn_never() const { return handle_ && handle_->spec().respawn == RespawnPolicy::Never; }

}  // namespace livegui::batch
