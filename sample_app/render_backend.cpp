#include "sample_app/render_backend.hpp"

#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <X11/Xlib.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb/stb_image_write.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

namespace sample_app {
namespace {

class HeadlessBackend : public RenderBackend {
 public:
  HeadlessBackend(int width, int height) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas; no GPU needed
    last_ = std::chrono::steady_clock::now();
  }
  void begin_frame() override {
    auto now = std::chrono::steady_clock::now();
    float dt = std::chrono::duration<float>(now - last_).count();
    ImGui::GetIO().DeltaTime = dt > 0.0f ? dt : 1e-4f;
    last_ = now;
  }
  void render() override {}
  void present() override {}
  bool close_requested() override { return false; }
  std::string screenshot_png() override { return {}; }

 private:
  std::chrono::steady_clock::time_point last_;
};

/// Xlib's default handler for a lost X connection (the X server killed) calls
/// exit(1): the static destructors then run while the hook server's threads
/// still answer requests — a heap-use-after-free AddressSanitizer caught when
/// the fault matrix kills Xvfb. The app ends as the default handler ends it
/// (the same message, status 1), without them. (XSetIOErrorHandler(3))
int on_x_connection_lost(Display* display) {
  std::fprintf(stderr, "X connection to %s broken (explicit kill or server shutdown).\n",
               display ? DisplayString(display) : "?");
  std::fflush(nullptr);
  ::_exit(1);
}

void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

class WindowBackend : public RenderBackend {
 public:
  WindowBackend(int width, int height, const std::string& title) {
    glfwSetErrorCallback([](int code, const char* what) { last_glfw_error() = std::to_string(code) + ": " + what; });
    XSetIOErrorHandler(&on_x_connection_lost);
    if (!glfwInit())
      throw BackendError("cannot initialise GLFW (" + last_glfw_error() +
                         "); is DISPLAY set? Run under Xvfb or pass --headless");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
    if (!window_) {
      glfwTerminate();
      throw BackendError("cannot open a " + std::to_string(width) + "x" + std::to_string(height) + " OpenGL window (" +
                         last_glfw_error() + ")");
    }
    glfwMakeContextCurrent(window_);
    glfwSwapInterval(0);  // the app paces its own frames
    ImGui_ImplGlfw_InitForOpenGL(window_, true);
    ImGui_ImplOpenGL3_Init("#version 130");
  }
  ~WindowBackend() override {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    glfwDestroyWindow(window_);
    glfwTerminate();
  }
  void begin_frame() override {
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
  }
  void render() override {
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.12f, 0.14f, 0.17f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  }
  void present() override { glfwSwapBuffers(window_); }
  bool close_requested() override { return glfwWindowShouldClose(window_) != 0; }
  std::string screenshot_png() override {
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    if (w <= 0 || h <= 0) return {};
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * h * 4);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // OpenGL's origin is bottom-left; PNG rows go top to bottom.
    const std::size_t stride = static_cast<std::size_t>(w) * 4;
    std::vector<unsigned char> flipped(pixels.size());
    for (int y = 0; y < h; ++y)
      std::memcpy(flipped.data() + static_cast<std::size_t>(y) * stride,
                  pixels.data() + static_cast<std::size_t>(h - 1 - y) * stride, stride);
    std::string png;
    stbi_write_png_to_func(append_bytes, &png, w, h, 4, flipped.data(), static_cast<int>(stride));
    return png;
  }

 private:
  static std::string& last_glfw_error() {
    static std::string error = "no error reported";
    return error;
  }
  GLFWwindow* window_ = nullptr;
};

}  // namespace

std::unique_ptr<RenderBackend> make_window_backend(int width, int height, const std::string& title) {
  return std::make_unique<WindowBackend>(width, height, title);
}

std::unique_ptr<RenderBackend> make_headless_backend(int width, int height) {
  return std::make_unique<HeadlessBackend>(width, height);
}

}  // namespace sample_app
