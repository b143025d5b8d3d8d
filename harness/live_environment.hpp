#pragma once
// The GoogleTest Environment that owns the AUT handle of a test binary. The
// handle is created on first use (a binary whose filter selects no live test
// starts no AUT) and stopped in TearDown, after the last test.

#include <memory>
#include <mutex>

#include <gtest/gtest.h>

#include "harness/app_handle.hpp"

namespace livegui {

class LiveEnvironment : public ::testing::Environment {
 public:
  /// `session_scope`: attach to the AUT recorded in the state file instead of
  /// owning one (AppHandle::attach_or_start).
  LiveEnvironment(AppSpec spec, bool session_scope);
  ~LiveEnvironment() override;

  void TearDown() override;

  /// The handle, created on first use. Throws what the AppHandle constructor throws.
  AppHandle& handle();
  /// The handle when it exists already (for the listener), else nullptr.
  AppHandle* handle_if_created();

  const AppSpec& spec() const { return spec_; }
  bool session_scope() const { return session_scope_; }

  /// The environment registered by livegui::init(), or nullptr.
  static LiveEnvironment* instance();

 private:
  AppSpec spec_;
  bool session_scope_;
  std::mutex mutex_;
  std::unique_ptr<AppHandle> handle_;
};

}  // namespace livegui
