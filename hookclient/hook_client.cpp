// HookClient requests: one method per route of docs/hook-protocol.md, each
// mapping the reply onto a value or a typed error.

#include "hookclient/hook_client.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/log.hpp"
#include "common/text.hpp"
#include "hookclient/hook_client_impl.hpp"
#include "hookclient/response_parser.hpp"

namespace livegui {
namespace {

using nlohmann::json;

bool is_success(int status) { return status >= 200 && status < 300; }

/// An action's reply that says it ran to its end. 202 is "started, result
/// unknown" (protocol section 3), not a success.
bool action_done(int status) { return is_success(status) && status != 202; }

std::string hint_for(int status, const std::string& path) {
  if (status == 401) return " (pass the app's LIVEGUI_HOOK_TOKEN as HookClientOptions::token)";
  if (status == 404 && path == "/debug/fault") return " (was the app started with fault injection enabled?)";
  if (status == 501 && path == "/screenshot") return " (the app cannot take screenshots, e.g. it runs headless)";
  return "";
}

template <typename F>
auto with_context(const std::string& prefix, F&& parse) {
  try {
    return parse();
  } catch (const HookBadResponse& e) {
    throw HookBadResponse(prefix + ": " + e.what());
  }
}

}  // namespace

// ---- Impl helpers shared with wait_until.cpp -------------------------------

HttpReply HookClient::Impl::request(HttpTransport& via, const std::string& method, const std::string& path,
                                    const std::string& json_body, std::chrono::milliseconds read_bound) {
  HttpReply reply = via.send(method, path, json_body, read_bound);
  if (!reply.protocol_header.empty() && reply.protocol_header != std::to_string(kHookClientProtocolVersion))
    throw HookBadResponse(method + " " + path + " to " + transport.endpoint() +
                          ": the hook server speaks protocol version " + reply.protocol_header +
                          " (X-Livegui-Protocol), this client speaks version " +
                          std::to_string(kHookClientProtocolVersion) + "; refusing to talk to it");
  return reply;
}

std::chrono::milliseconds HookClient::Impl::server_bound() const {
  return std::min(options.read_timeout, options.heartbeat_threshold);
}

HttpReply HookClient::Impl::query(const std::string& method, const std::string& path, const std::string& json_body,
                                  const std::string& what) {
  try {
    return request(transport, method, path, json_body, server_bound());
  } catch (const HookUnreachable& e) {
    // Connected, and the server thread said nothing for a whole threshold:
    // the process is stopped or wedged. A refused connection stays a
    // HookUnreachable (a dead app; wait_until and the harness say more).
    if (e.reason() != HookUnreachable::Reason::NoReply) throw;
    throw unreachable_degraded(e, {}, what);
  }
}

Health HookClient::Impl::fetch_health(HttpTransport& via, std::chrono::milliseconds read_bound) {
  HttpReply reply = request(via, "GET", "/health", {}, read_bound);
  if (reply.status != 200 && reply.status != 503) throw_http_error("GET", "/health", "health check", reply);
  Health h = with_context("GET /health from " + via.endpoint(), [&] { return parse_health_body(reply.body); });
  observe(h);
  return h;
}

void HookClient::Impl::require_fresh_heartbeat(const std::string& what) {
  Health h;
  try {
    h = fetch_health(transport, server_bound());
  } catch (const HookUnreachable& e) {
    if (e.reason() == HookUnreachable::Reason::NoReply) throw unreachable_degraded(e, {}, what);
    logger("hookclient")->debug("health after {} failed: {}", what, e.what());
    return;  // the read stands; the next call meets whatever broke
  } catch (const HookError& e) {
    logger("hookclient")->debug("health after {} failed: {}", what, e.what());
    return;  // an answer we cannot judge says nothing about the heartbeat
  }
  if (h.busy_ms > 0 && h.ok) return;  // the GUI thread runs a queued action: alive
  std::optional<DegradedCause> cause;
  if (!h.ok) {
    cause = DegradedCause::ReportsDegraded;
  } else {
    std::lock_guard lock(track_mutex);
    if (tracker.frame_age(FrameTracker::Clock::now()) > options.heartbeat_threshold)
      cause = DegradedCause::StoppedAdvancingFrames;
  }
  if (!cause) return;
  DegradedInfo info = known_info(*cause);
  info.request = what;
  info.app_status = h.ok ? "ok" : "degraded";
  info.app_reasons = h.reasons;
  info.detail = "it answered, but its main loop is not turning: what it answered may be stale";
  if (auto gone = probe_gone()) {
    info.cause = DegradedCause::ProcessExited;
    info.exit_status = *gone;
  }
  add_context(info);
  throw SubprocessDegraded(std::move(info));
}

void HookClient::Impl::observe(const Health& health) {
  std::lock_guard lock(track_mutex);
  tracker.observe(health.pid, health.frame, std::chrono::milliseconds(health.last_frame_age_ms),
                  FrameTracker::Clock::now(), /*busy=*/health.busy_ms > 0 && health.ok);
  last_reasons = health.reasons;
}

DegradedInfo HookClient::Impl::known_info(DegradedCause cause) {
  DegradedInfo info;
  info.cause = cause;
  std::lock_guard lock(track_mutex);
  if (tracker.seen()) {
    info.pid = tracker.pid();
    info.last_frame = tracker.frame();
    info.frame_age = tracker.frame_age(FrameTracker::Clock::now());
  }
  info.app_reasons = last_reasons;
  return info;
}

std::optional<std::string> HookClient::Impl::probe_gone() {
  LivenessProbe p;
  {
    std::lock_guard lock(hooks_mutex);
    p = probe;
  }
  if (!p) return std::nullopt;
  try {
    return p();
  } catch (const std::exception& e) {
    logger("hookclient")->warn("liveness probe threw, treating the AUT as alive: {}", e.what());
  }
  return std::nullopt;
}

void HookClient::Impl::add_context(DegradedInfo& info) {
  ContextProvider c;
  {
    std::lock_guard lock(hooks_mutex);
    c = context;
  }
  if (!c) return;
  try {
    c(info);
  } catch (const std::exception& e) {
    logger("hookclient")->warn("context provider threw while describing a degraded AUT: {}", e.what());
  }
}

// ---- HookClient ------------------------------------------------------------

HookClient::HookClient(HookClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {}

HookClient::~HookClient() = default;

void HookClient::set_liveness_probe(LivenessProbe probe) {
  std::lock_guard lock(impl_->hooks_mutex);
  impl_->probe = std::move(probe);
}

void HookClient::set_context_provider(ContextProvider provider) {
  std::lock_guard lock(impl_->hooks_mutex);
  impl_->context = std::move(provider);
}

// Throws the typed error for a non-2xx reply to `method path`.
void HookClient::Impl::throw_http_error(const std::string& method, const std::string& path, const std::string& what,
                                        const HttpReply& reply) {
  Impl& impl = *this;
  ErrorReply err = parse_error_body(reply.body);
  if ((reply.status == 503 || reply.status == 504) && err.degraded) {
    // Fill pid and frame from a fresh look at /health when we have none yet;
    // best effort, the degraded reply itself is the news.
    if (path != "/health" && !impl.known_info(DegradedCause::Unknown).pid) {
      try {
        impl.fetch_health(impl.transport, impl.server_bound());
      } catch (const HookError& e) {
        logger("hookclient")->debug("health after a degraded reply failed: {}", e.what());
      }
    }
    DegradedInfo info = impl.known_info(DegradedCause::ReportsDegraded);
    info.request = what;
    info.app_status = "degraded";
    info.app_reasons = {err.error};
    if (auto gone = impl.probe_gone()) {
      info.cause = DegradedCause::ProcessExited;
      info.exit_status = *gone;
    }
    impl.add_context(info);
    throw SubprocessDegraded(std::move(info));
  }
  if (reply.status == 202) {
    // An action that started on the GUI thread and outlasted the server's
    // bound: not a failure of the app's logic, not "not run" either.
    throw HookActionUnfinished(method + " " + path + " to " + impl.transport.endpoint() + " (" + what +
                                   "): HTTP 202, the action started but its result is unknown: \"" + err.error + "\"" +
                                   (err.degraded ? " (the app reports itself degraded)" : "") +
                                   "; retrying may apply it twice",
                               err.error, err.degraded);
  }
  std::string failure = "HTTP " + std::to_string(reply.status) + ", app says: \"" + err.error + "\"";
  // A failure while the main loop is dead or dying is the AUT's state, not an
  // answer of its logic. /health itself and a refused token say nothing about it.
  if (path != "/health" && reply.status != 401) {
    if (auto info = impl.stale_after_failure(what, "the request failed: " + failure)) {
      impl.add_context(*info);
      throw SubprocessDegraded(std::move(*info));
    }
  }
  throw HookProtocolError(method + " " + path + " to " + impl.transport.endpoint() + " (" + what + "): " + failure +
                              hint_for(reply.status, path),
                          reply.status, err.error);
}

std::optional<DegradedInfo> HookClient::Impl::stale_after_failure(const std::string& request,
                                                                  const std::string& failure) {
  using Clock = FrameTracker::Clock;
  using std::chrono::milliseconds;
  const milliseconds threshold = options.heartbeat_threshold;
  // The frame age reaches the threshold at most one threshold after the
  // first look; twice that is only a guard against a clock surprise.
  const auto give_up = Clock::now() + 2 * threshold + milliseconds(100);
  std::optional<std::int64_t> first_frame;
  Backoff backoff = poll_backoff();
  for (;;) {
    Health h;
    try {
      h = fetch_health(transport, server_bound());
    } catch (const HookError& e) {
      logger("hookclient")->debug("health after a failed {} failed: {}", request, e.what());
      return std::nullopt;
    }
    std::optional<DegradedCause> cause;
    if (!h.ok) {
      cause = DegradedCause::ReportsDegraded;
    } else {
      std::lock_guard lock(track_mutex);
      if (tracker.frame_age(Clock::now()) > threshold) cause = DegradedCause::StoppedAdvancingFrames;
    }
    if (cause) {
      DegradedInfo info = known_info(*cause);
      info.request = request;
      info.app_status = h.ok ? "ok" : "degraded";
      info.app_reasons = h.reasons;
      info.detail = failure;
      if (auto gone = probe_gone()) {
        info.cause = DegradedCause::ProcessExited;
        info.exit_status = *gone;
      }
      return info;
    }
    if (h.busy_ms > 0) return std::nullopt;  // running an action: the loop is alive
    if (!first_frame)
      first_frame = h.frame;
    else if (h.frame != *first_frame)
      return std::nullopt;  // the loop turns: the reply was its answer
    auto now = Clock::now();
    if (now >= give_up) return std::nullopt;
    backoff_wait(std::min(now + backoff.next(), give_up));
  }
}

Health HookClient::health() {
  try {
    return impl_->fetch_health(impl_->transport, impl_->server_bound());
  } catch (const HookUnreachable& e) {
    if (e.reason() != HookUnreachable::Reason::NoReply) throw;
    throw impl_->unreachable_degraded(e, {}, "health check");
  }
}

json HookClient::state() {
  HttpReply reply = impl_->query("GET", "/state", {}, "reading state");
  if (reply.status != 200) impl_->throw_http_error("GET", "/state", "reading state", reply);
  impl_->require_fresh_heartbeat("reading state");
  return with_context("GET /state from " + impl_->transport.endpoint(), [&] { return parse_state_body(reply.body); });
}

json HookClient::value(const std::string& id) {
  std::string path = "/value?id=" + percent_encode(id);
  const std::string what = "reading '" + id + "'";
  HttpReply reply = impl_->query("GET", path, {}, what);
  if (reply.status != 200) impl_->throw_http_error("GET", "/value", what, reply);
  impl_->require_fresh_heartbeat(what);
  return with_context("GET " + path + " from " + impl_->transport.endpoint(),
                      [&] { return parse_value_body(reply.body); });
}

namespace {

void expect_action_ok(const std::string& prefix, const HttpReply& reply) {
  with_context(prefix, [&] {
    json j = parse_json_body(reply.body);
    if (!j.is_object() || !j.contains("ok") || j["ok"] != true)
      throw HookBadResponse("expected {\"ok\": true, ...}, got: " + body_excerpt(reply.body));
    return 0;
  });
}

}  // namespace

void HookClient::click(const std::string& id) {
  const std::string what = "click on '" + id + "'";
  HttpReply reply = impl_->act("POST", "/click", json{{"id", id}}.dump(), what);
  if (!action_done(reply.status)) impl_->throw_http_error("POST", "/click", what, reply);
  expect_action_ok("POST /click to " + impl_->transport.endpoint(), reply);
}

void HookClient::set(const std::string& id, const json& value) {
  const std::string what = "set '" + id + "'";
  HttpReply reply = impl_->act("POST", "/set", json{{"id", id}, {"value", value}}.dump(), what);
  if (!action_done(reply.status)) impl_->throw_http_error("POST", "/set", what, reply);
  expect_action_ok("POST /set to " + impl_->transport.endpoint(), reply);
}

void HookClient::screenshot(const std::filesystem::path& path) {
  HttpReply reply = impl_->act("GET", "/screenshot", {}, "screenshot");
  if (reply.status != 200) impl_->throw_http_error("GET", "/screenshot", "screenshot", reply);
  static constexpr std::string_view kPngMagic("\x89PNG\r\n\x1a\n", 8);
  if (reply.body.compare(0, kPngMagic.size(), kPngMagic) != 0)
    throw HookBadResponse("GET /screenshot from " + impl_->transport.endpoint() +
                          ": expected a PNG image, got Content-Type \"" + reply.content_type +
                          "\" and body: " + body_excerpt(reply.body, 60));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
  out.close();
  if (!out)
    throw HookError("writing the screenshot from " + impl_->transport.endpoint() + " to " + path.string() + ": " +
                    std::strerror(errno));
}

void HookClient::shutdown() {
  HttpReply reply = impl_->query("POST", "/shutdown", {}, "shutdown");
  if (!is_success(reply.status)) impl_->throw_http_error("POST", "/shutdown", "shutdown", reply);
}

void HookClient::inject_fault(const std::string& kind, const json& extra) {
  json body = extra.is_object() ? extra : json::object();
  body["kind"] = kind;
  const std::string what = "inject fault '" + kind + "'";
  HttpReply reply = impl_->query("POST", "/debug/fault", body.dump(), what);
  if (!is_success(reply.status)) impl_->throw_http_error("POST", "/debug/fault", what, reply);
}

}  // namespace livegui
