#include "harness/supervisor/aut_supervisor.hpp"

#include <algorithm>
#include <cstdint>

#include "common/log.hpp"
#include "hookclient/hook_client.hpp"
#include "hookclient/response_parser.hpp"

namespace livegui {
namespace {

const char* kind_name(ReadyEvent::Kind k) {
  switch (k) {
    case ReadyEvent::Kind::AlreadyReady: return "ready";
    case ReadyEvent::Kind::Started: return "started";
    case ReadyEvent::Kind::Respawned: return "respawned";
    case ReadyEvent::Kind::Fresh: return "fresh";
  }
  return "ready";
}

nlohmann::json error_reply(const std::string& why) { return {{"ok", false}, {"error", why}}; }

std::string test_of(const nlohmann::json& request) {
  auto it = request.find("test");
  return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

TestRef test_ref_from_id(const std::string& id) {
  auto sep = id.find("::");
  if (sep == std::string::npos) return {"", id};
  // Kept as the runner spells it: the state file, the batcher's warnings and
  // the results (from the event stream) then name the test the same way.
  return {id.substr(0, sep), id.substr(sep + 2), TestIdSyntax::NodeId};
}

AutSupervisor::AutSupervisor(std::unique_ptr<AppHandle> handle) : handle_(std::move(handle)) {}

AutSupervisor::~AutSupervisor() { finish_stacks(); }

void AutSupervisor::stop_runner_gone() {
  try {
    finish_stacks();
    if (handle_) handle_->stop(AppHandle::StopFor::RunnerGone);
  } catch (const std::exception&) {
    // Nothing to tell: the runner is gone. AppHandle's stop is bounded.
  }
}

void AutSupervisor::finish_stacks() {
  if (!stacks_.valid()) return;
  if (stacks_.wait_for(kStacksWait) != std::future_status::ready) {
    // capture_stacks() bounds itself; this is a bug's symptom, not a state to
    // wait out. The AppHandle's lock still orders the capture before the next call.
    logger("harness")->error("the background stack capture did not finish within {} s", kStacksWait.count());
    return;
  }
  stacks_.get();
}

nlohmann::json AutSupervisor::diagnostic(const nlohmann::json& request) {
  auto seen = request.find("seen");
  if (seen == request.end() || !seen->is_object()) return {{"ok", true}, {"text", handle_->degraded_diagnostic()}};
  ClientSighting sighting;
  if (auto h = seen->find("health"); h != seen->end() && h->is_object()) {
    try {
      Health read = parse_health_body(h->dump());
      sighting.health =
          HealthReading{read.ok, read.pid, read.frame, read.last_frame_age_ms, read.reasons, read.busy_ms};
    } catch (const std::exception& e) {
      sighting.unreachable = std::string("its /health reply does not follow the protocol: ") + e.what();
    }
  } else {
    sighting.unreachable = seen->value("unreachable", std::string());
    // The client's last /health of this test, and how long before this sighting it read it.
    if (auto last = seen->find("last_health"); last != seen->end() && last->is_object()) {
      try {
        Health read = parse_health_body(last->dump());
        sighting.last_health =
            HealthReading{read.ok, read.pid, read.frame, read.last_frame_age_ms, read.reasons, read.busy_ms};
        sighting.last_health_age =
            std::chrono::milliseconds(std::max<std::int64_t>(0, seen->value("last_health_ms_ago", std::int64_t{0})));
      } catch (const std::exception&) {
        // Only a hint for the blame: without it the current test is blamed.
      }
    }
  }
  std::string text = handle_->degraded_diagnostic(sighting);
  // The client raises now; the stacks the text names are written meanwhile.
  // The capture takes the handle's lock, and the next request waits for it.
  AppHandle* handle = handle_.get();
  stacks_ = std::async(std::launch::async, [handle] { handle->capture_deferred_stacks(); });
  return {{"ok", true}, {"text", text}, {"left_stalled_by", handle_->left_stalled_by()}};
}

nlohmann::json AutSupervisor::handle(const nlohmann::json& request) {
  if (!request.is_object() || !request.contains("cmd") || !request["cmd"].is_string())
    return error_reply("a request is a JSON object with a string \"cmd\"");
  const std::string cmd = request["cmd"].get<std::string>();
  finish_stacks();
  try {
    if (cmd == "ensure") {
      std::string test = test_of(request);
      if (test.empty()) return error_reply("ensure needs \"test\"");
      ReadyEvent ev;
      try {
        ev = handle_->ensure_ready(test_ref_from_id(test));
      } catch (const AutUnavailable& e) {
        auto r = error_reply(e.what());
        r["unavailable"] = true;
        return r;
      }
      const AppSpec& spec = handle_->spec();
      return {{"ok", true},
              {"kind", kind_name(ev.kind)},
              {"pid", ev.pid},
              {"old_pid", ev.old_pid},
              {"reason", ev.reason},
              {"cause", ev.cause},
              {"during_test", ev.during_test},
              {"summary", ev.kind == ReadyEvent::Kind::Respawned ? ev.summary() : std::string()},
              {"took_ms", std::chrono::duration_cast<std::chrono::milliseconds>(ev.took).count()},
              {"port", handle_->port()},
              {"token", spec.token},
              {"heartbeat_threshold_ms", spec.heartbeat_threshold.count()},
              {"log_file", handle_->log_file().string()},
              {"owns_aut", handle_->owns_aut()}};
    }
    if (cmd == "check") {
      CheckResult c = handle_->check();
      nlohmann::json r = {{"ok", true},
                          {"state", to_string(c.state)},
                          {"pid", c.pid},
                          {"describe", c.describe()},
                          {"reasons", c.reasons}};
      if (c.health) {
        r["frame"] = c.health->frame;
        r["last_frame_age_ms"] = c.health->last_frame_age_ms;
      }
      if (c.exit) r["exit"] = c.exit->describe();
      return r;
    }
    if (cmd == "test_started" || cmd == "test_finished") {
      std::string test = test_of(request);
      if (test.empty()) return error_reply(cmd + " needs \"test\"");
      if (cmd == "test_started") {
        handle_->test_started(test_ref_from_id(test));
        return {{"ok", true}};
      }
      auto died = handle_->test_finished(test_ref_from_id(test));
      return {{"ok", true}, {"died", died ? nlohmann::json(died->describe()) : nlohmann::json(nullptr)}};
    }
    if (cmd == "diagnostic") return diagnostic(request);
    if (cmd == "log_tail") {
      std::size_t lines = request.value("lines", 20);
      return {{"ok", true}, {"text", handle_->log_tail(std::min<std::size_t>(lines, 1000))}};
    }
    if (cmd == "stop") {
      StopReport report = handle_->stop();
      finished_ = true;
      return {{"ok", true},
              {"exit", report.status.describe()},
              {"needed_sigkill", report.sent_sigkill},
              {"stuck", report.stuck}};
    }
  } catch (const std::exception& e) {
    return error_reply(e.what());
  }
  return error_reply("unknown cmd \"" + cmd +
                     "\" (ensure, check, test_started, test_finished, diagnostic, log_tail, stop)");
}

}  // namespace livegui
