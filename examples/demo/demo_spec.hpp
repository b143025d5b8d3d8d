#pragma once
// The AUT every demo binary uses when it runs on its own (file scope). Under
// `livegui-batch --aut-scope session` the binaries attach to the batcher's AUT
// instead (LIVEGUI_AUT_SCOPE=session), started from the tier's [aut] table.

#include <string>
#include <vector>

#include "harness/gtest_integration.hpp"

namespace demo {

enum class Window { Headless, Xvfb };

inline livegui::AppSpec sample_app_spec(Window window) {
  livegui::AppSpec spec;
  spec.executable = LIVEGUI_SAMPLE_APP;
  spec.args = {"--enable-faults", "--job-ms", "50"};
  if (window == Window::Headless) {
    spec.args.push_back("--headless");
    spec.display = livegui::DisplayMode::None;
  } else {
    spec.display = livegui::DisplayMode::Xvfb;
  }
  spec.term_grace = std::chrono::milliseconds(1000);
  return spec;
}

/// main() of a demo binary.
inline int run(int argc, char** argv, livegui::AppSpec spec) {
  livegui::init(&argc, argv, std::move(spec));
  return RUN_ALL_TESTS();
}

}  // namespace demo
