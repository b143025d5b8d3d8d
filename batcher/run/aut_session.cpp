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
  ref.suite = "livegui-batch";
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

}  // namespace livegui::batch
