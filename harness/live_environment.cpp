#include "harness/live_environment.hpp"

#include <atomic>

#include "common/log.hpp"

namespace livegui {
namespace {
std::atomic<LiveEnvironment*> g_instance{nullptr};
}  // namespace

LiveEnvironment::LiveEnvironment(AppSpec spec, bool session_scope)
    : spec_(std::move(spec)), session_scope_(session_scope) {
  g_instance = this;
}

LiveEnvironment::~LiveEnvironment() {
  LiveEnvironment* self = this;
  g_instance.compare_exchange_strong(self, nullptr);
  std::lock_guard lock(mutex_);
  handle_.reset();  // never throws, bounded
}

LiveEnvironment* LiveEnvironment::instance() { return g_instance.load(); }

AppHandle& LiveEnvironment::handle() {
  std::lock_guard lock(mutex_);
  if (!handle_) handle_ = session_scope_ ? AppHandle::attach_or_start(spec_) : std::make_unique<AppHandle>(spec_);
  return *handle_;
}

AppHandle* LiveEnvironment::handle_if_created() {
  std::lock_guard lock(mutex_);
  return handle_.get();
}

void LiveEnvironment::TearDown() {
  std::unique_ptr<AppHandle> handle;
  {
    std::lock_guard lock(mutex_);
    handle = std::move(handle_);
  }
  if (!handle) return;
  auto report = handle->stop();
  if (report.stuck)
    logger("harness")->error("the AUT group did not die within the SIGKILL wait; it may be left behind");
  // The destructor stops Xvfb (if any) last.
}

}  // namespace livegui
