#include "sample_app/app.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <imgui.h>

#include "hookserver/hook_server.hpp"
#include "sample_app/app_model.hpp"
#include "sample_app/io_pool.hpp"
#include "sample_app/render_backend.hpp"

namespace sample_app {
namespace {

using Clock = std::chrono::steady_clock;
std::atomic<bool> g_quit{false};

void on_quit_signal(int) { g_quit.store(true); }

void install_signal_handlers(bool ignore_term) {
  struct sigaction sa {};
  sa.sa_handler = on_quit_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  if (ignore_term)
    ignore_sigterm();
  else
    ::sigaction(SIGTERM, &sa, nullptr);
}

/// Submits the "new project" job: simulated io on the pool, then the label
/// switches on the GUI thread. Throws IoPoolShutDown once the pool is down.
void start_new_project(AppModel& model, IoPool& pool, Mailbox& mailbox, int job_ms) {
  std::string next = model.name;
  pool.submit([&mailbox, &model, next, job_ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(job_ms));  // simulated io
    mailbox.post([&model, next] {
      ++model.projects_created;
      model.project = next.empty() ? "project-" + std::to_string(model.projects_created) : next;
    });
  });
}

void draw_ui(AppModel& model, IoPool& pool, Mailbox& mailbox, int job_ms, std::int64_t frame) {
  ImGui::SetNextWindowPos(ImVec2(20, 20), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(520, 260), ImGuiCond_Always);
  ImGui::Begin("livegui sample app", nullptr, ImGuiWindowFlags_NoCollapse);
  ImGui::Text("Project: %s", model.project.c_str());
  char name[128];
  std::snprintf(name, sizeof name, "%s", model.name.c_str());
  if (ImGui::InputText("Name", name, sizeof name)) model.name = name;
  if (ImGui::Button("New project")) {
    try {
      start_new_project(model, pool, mailbox, job_ms);
    } catch (const IoPoolShutDown&) {
      // Nothing to show: the loop that would show it is the one that died.
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Increment")) ++model.counter;
  ImGui::Text("Counter: %d", model.counter);
  ImGui::Text("Busy jobs: %d   Frame: %lld", pool.busy(), static_cast<long long>(frame));
  ImGui::End();
}

}  // namespace

int run_app(const AppOptions& opt) {
  install_signal_handlers(opt.ignore_sigterm);

  livegui::HookServerOptions server_options;
  try {
    server_options = livegui::HookServerOptions::from_env("sample_app");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sample_app: %s\n", e.what());
    return 2;
  }
  if (opt.port >= 0) server_options.port = opt.port;

  if (opt.slow_start_ms > 0) {
    std::fprintf(stderr, "sample_app: slow start, %d ms before the server comes up\n", opt.slow_start_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(opt.slow_start_ms));
  }
  if (opt.fail_start) {
    std::fprintf(stderr, "sample_app: fail-start: giving up before becoming ready\n");
    return 1;
  }

  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini in the cwd
  std::unique_ptr<RenderBackend> backend;
  try {
    backend = opt.headless ? make_headless_backend(opt.width, opt.height)
                           : make_window_backend(opt.width, opt.height, "livegui sample app");
  } catch (const BackendError& e) {
    std::fprintf(stderr, "sample_app: %s\n", e.what());
    ImGui::DestroyContext();
    return 2;
  }

  AppModel model;
  Mailbox mailbox;
  IoPool pool(opt.io_workers);
  FaultInjector faults;
  livegui::HookServer server(server_options);

  server.on_click("new_project", [&] {
    try {
      start_new_project(model, pool, mailbox, opt.job_ms);
    } catch (const IoPoolShutDown& e) {
      throw livegui::ActionError(503, e.what(), true);
    }
  });
  server.on_click("increment", [&] { ++model.counter; });
  server.on_set("name", [&](const nlohmann::json& v) {
    if (!v.is_string()) throw livegui::ActionError(400, "field \"value\" for 'name' must be a string");
    model.name = v.get<std::string>();
  });
  server.on_set("counter", [&](const nlohmann::json& v) {
    if (!v.is_number_integer()) throw livegui::ActionError(400, "field \"value\" for 'counter' must be an integer");
    model.counter = v.get<int>();
  });
  server.on_screenshot([&] { return backend->screenshot_png(); });
  server.on_state([&] { return model.to_json(server.heartbeat().frame(), pool.busy()); });
  server.on_shutdown([] { g_quit.store(true); });
  if (opt.enable_faults) {
    server.on_fault([&](const nlohmann::json& body) -> livegui::HookServer::FaultTrigger {
      std::string name = body["kind"].get<std::string>();
      auto kind = parse_fault_kind(name);
      if (!kind) throw livegui::ActionError(400, "unknown fault kind '" + name + "'; known: " + fault_kind_list());
      int code = body.value("code", 3);
      // These concern the process, not the loop, and cannot kill it: apply
      // them right here, before the reply, so a client that read the 202 can
      // rely on them (and they also work when the main loop is broken).
      if (*kind == FaultKind::IgnoreSigterm) {
        ignore_sigterm();
        return {};
      }
      if (*kind == FaultKind::SpawnGrandchild) {
        pid_t child = spawn_grandchild();
        mailbox.post([&model, child] { model.grandchild_pid = child; });
        return {};
      }
      return [&faults, kind, code] { faults.schedule(*kind, code); };
    });
  }
  if (opt.spawn_grandchild) model.grandchild_pid = spawn_grandchild();

  try {
    server.start();
  } catch (const livegui::HookServerError& e) {
    std::fprintf(stderr, "sample_app: %s\n", e.what());
    backend.reset();
    ImGui::DestroyContext();
    return 2;
  }

  const auto frame_period = std::chrono::microseconds(1'000'000 / std::max(1, opt.fps));
  bool announced = false;
  bool loop_dead = false;
  std::int64_t frames = 0;
  while (!g_quit.load() && !backend->close_requested()) {
    auto frame_start = Clock::now();
    try {
      backend->begin_frame();
      ImGui::NewFrame();
      mailbox.drain();
      if (opt.fault && frames == opt.fault_after_frames) faults.schedule(*opt.fault, opt.fault_exit_code);
      faults.fire_pending();
      draw_ui(model, pool, mailbox, opt.job_ms, server.heartbeat().frame());
      ImGui::Render();
      backend->render();
      server.frame();  // actions (and screenshots of this frame's back buffer)
      backend->present();
    } catch (const AssertionFailure& e) {
      // What a GUI toolkit does with an exception escaping a frame: the loop
      // stops, shutdown hooks close the io pool, the server thread lives on.
      ImGui::EndFrame();
      // The cause first: a /health answered between the two calls names it.
      server.main_loop_stopped(std::string(e.what()) + " (frame " + std::to_string(frames) + ")");
      pool.shutdown();
      server.report_problem("io pool shut down: cannot schedule new work");
      std::fprintf(stderr, "sample_app: %s (frame %lld); main loop stopped, hook server still up\n", e.what(),
                   static_cast<long long>(frames));
      loop_dead = true;
      break;
    }
    ++frames;
    if (!announced) {
      server.announce();
      announced = true;
    }
    auto left = frame_period - (Clock::now() - frame_start);
    if (left > Clock::duration::zero())
      server.wait_for_work(std::chrono::duration_cast<std::chrono::milliseconds>(left));
  }
  // A dead loop leaves a half-dead app: the server answers until told to stop.
  while (loop_dead && !g_quit.load()) server.wait_for_work(std::chrono::milliseconds(5));

  server.stop();
  pool.shutdown();
  backend.reset();
  ImGui::DestroyContext();
  return 0;
}

}  // namespace sample_app
