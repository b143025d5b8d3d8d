#pragma once
// The AUT of the Python app's suites when a binary runs on its own (file
// scope): python3 hook_app.py --enable-faults. Under livegui-batch the tier's
// `aut` table (python_app.toml, or the generated plan) replaces this spec, and
// with --aut-scope session the binaries attach to the batcher's AUT.

#include <chrono>
#include <string>
#include <utility>

#include "harness/gtest_integration.hpp"

namespace python_app {

/// The token of the auth suite (python_app.toml's python_auth tier has the same).
inline const std::string kToken = "python-app-token";

inline livegui::AppSpec spec() {
  livegui::AppSpec spec;
  spec.executable = LIVEGUI_AUT_EXECUTABLE;  // the absolute python3 (AppSpec requires an absolute executable)
  spec.args = {LIVEGUI_PYTHON_APP_SCRIPT, "--enable-faults", "--job-ms", "50"};
  spec.display = livegui::DisplayMode::None;  // no GUI toolkit, no window
  spec.term_grace = std::chrono::milliseconds(1000);
  return spec;
}

/// main() of a suite.
inline int run(int argc, char** argv, livegui::AppSpec spec) {
  livegui::init(&argc, argv, std::move(spec));
  return RUN_ALL_TESTS();
}

}  // namespace python_app
