#pragma once
// Where frames go: a real GLFW + OpenGL3 window (under X or Xvfb), or nowhere
// (--headless: the ImGui context runs its frames without a window).

#include <memory>
#include <stdexcept>
#include <string>

namespace sample_app {

class RenderBackend {
 public:
  virtual ~RenderBackend() = default;
  /// Polls window events and starts the backend's ImGui frame.
  virtual void begin_frame() = 0;
  /// Draws ImGui's draw data into the back buffer.
  virtual void render() = 0;
  /// Shows the back buffer.
  virtual void present() = 0;
  virtual bool close_requested() = 0;
  /// PNG of the back buffer, or "" when there is no window.
  virtual std::string screenshot_png() = 0;
};

class BackendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Opens a window; throws BackendError (e.g. no DISPLAY). Needs an ImGui context.
std::unique_ptr<RenderBackend> make_window_backend(int width, int height, const std::string& title);
std::unique_ptr<RenderBackend> make_headless_backend(int width, int height);

}  // namespace sample_app
