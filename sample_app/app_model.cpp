#include "sample_app/app_model.hpp"

namespace sample_app {

nlohmann::json AppModel::to_json(std::int64_t frame, int busy_jobs) const {
  return {{"frame", frame},
          {"values", {{"project", project}, {"name", name}, {"counter", counter}}},
          {"projects_created", projects_created},
          {"busy_jobs", busy_jobs},
          {"grandchild_pid", static_cast<long long>(grandchild_pid)}};
}

void Mailbox::post(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  items_.push_back(std::move(fn));
}

void Mailbox::drain() {
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(items_);
  }
  for (auto& fn : batch) fn();
}

}  // namespace sample_app
