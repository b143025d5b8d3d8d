// The smallest app that speaks the hook protocol through livegui::hookserver
// (the C++ snippet of docs/adopting.md): a main loop without a GUI toolkit,
// a counter and a text field.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>

#include "hookserver/hook_server.hpp"

namespace {

std::atomic<bool> g_quit{false};
void on_quit_signal(int) { g_quit.store(true); }

}  // namespace

int main() {
  struct sigaction sa {};
  sa.sa_handler = on_quit_signal;
  ::sigaction(SIGTERM, &sa, nullptr);

  int counter = 0;
  std::string name;
  try {
    livegui::HookServer server(livegui::HookServerOptions::from_env("consumer_app"));
    server.on_click("increment", [&] { ++counter; });
    server.on_set("name", [&](const nlohmann::json& value) {
      if (!value.is_string()) throw livegui::ActionError(400, "field \"value\" for 'name' must be a string");
      name = value.get<std::string>();
    });
    server.on_shutdown([] { g_quit.store(true); });
    server.on_state([&] { return nlohmann::json{{"values", {{"counter", counter}, {"name", name}}}}; });
    server.start();

    bool announced = false;
    while (!g_quit.load()) {
      server.frame();  // heartbeat + queued actions, on this (the GUI) thread
      if (!announced) {
        server.announce();  // LIVEGUI_HOOK_READY port=… after the first frame
        announced = true;
      }
      server.wait_for_work(std::chrono::milliseconds(16));  // ~60 fps, sooner when an action arrives
    }
    server.stop();
  } catch (const std::exception& e) {
    std::cerr << "consumer_app: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
