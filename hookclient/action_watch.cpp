// HookClient::Impl::act: an action (click, set, screenshot) runs on the app's
// GUI thread and its reply may rightly take seconds; a stopped or hung app
// must still be reported within about the heartbeat threshold. So the reply
// is awaited on its own thread while the caller looks at the app through a
// second connection (docs/hook-protocol.md §2: frame, last_frame_age_ms,
// busy_ms) and abandons the request once the app shows no life.

#include <algorithm>
#include <future>

#include "common/log.hpp"
#include "common/text.hpp"
#include "hookclient/hook_client.hpp"
#include "hookclient/hook_client_impl.hpp"

namespace livegui {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// The first look at the app while an action is pending: most actions are
/// answered within a frame or two, and those never cost a look.
constexpr milliseconds kFirstLook{50};

std::string ms_text(Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<milliseconds>(d).count()) + " ms";
}

}  // namespace

HttpReply HookClient::Impl::act(const std::string& method, const std::string& path, const std::string& json_body,
                                const std::string& what) {
  const milliseconds threshold = options.heartbeat_threshold;
  const std::string request_line = method + " " + path;
  const auto sent = Clock::now();
  transport.arm();
  // The future's destructor waits for the request: every path below ends it
  // (reply, transport bound, or abandon()) before leaving.
  std::future<HttpReply> reply =
      std::async(std::launch::async, [&] { return request(transport, method, path, json_body, options.read_timeout); });
  const milliseconds most = std::max(milliseconds(1), threshold / 4);
  Backoff looks(std::min(kFirstLook, most), most);
  for (;;) {
    if (reply.wait_for(looks.next()) == std::future_status::ready) return reply.get();
    std::optional<DegradedInfo> verdict = watch_pending(request_line, what, sent);
    if (!verdict) continue;
    // Give up on the reply: shut its connection down (again, should the
    // first shutdown have come before the request was in flight).
    Backoff retry(milliseconds(1), milliseconds(20));
    do {
      transport.abandon();
    } while (reply.wait_for(retry.next()) != std::future_status::ready);
    try {
      HttpReply late = reply.get();
      // The reply won the race after all: it says what happened.
      logger("hookclient")->debug("{}: the reply came as the AUT was found degraded; using the reply", what);
      transport.arm();
      return late;
    } catch (const HookError&) {
      // The abandoned request; the verdict is the news.
    }
    transport.arm();
    add_context(*verdict);
    throw SubprocessDegraded(std::move(*verdict));
  }
}

std::optional<DegradedInfo> HookClient::Impl::watch_pending(const std::string& request, const std::string& what,
                                                            Clock::time_point sent) {
  const milliseconds threshold = options.heartbeat_threshold;
  auto pending_for = [&] { return request + " got no reply for " + ms_text(Clock::now() - sent); };
  Health h;
  try {
    h = fetch_health(watch_transport, server_bound());
  } catch (const HookUnreachable& e) {
    DegradedInfo info = unreachable_info(e);
    info.request = what;
    if (info.cause != DegradedCause::ProcessExited)
      info.detail = pending_for() + "; on a second connection, " + e.what();
    return info;
  } catch (const HookError& e) {
    // An answer we cannot judge (a refusal, a bad body): not a sign of a
    // stopped app; the action's own reply (or its bound) decides.
    logger("hookclient")->debug("{}: looking at the AUT while waiting failed: {}", what, e.what());
    return std::nullopt;
  }
  // The GUI thread executing an action (ours, likely) is alive; the server
  // gives the verdict on that action itself (202 after its bound).
  if (h.busy_ms > 0) return std::nullopt;
  std::optional<DegradedCause> cause;
  if (!h.ok) {
    cause = DegradedCause::ReportsDegraded;
  } else {
    std::lock_guard lock(track_mutex);
    if (tracker.frame_age(FrameTracker::Clock::now()) > threshold) cause = DegradedCause::StoppedAdvancingFrames;
  }
  if (!cause) return std::nullopt;
  DegradedInfo info = known_info(*cause);
  info.request = what;
  info.app_status = h.ok ? "ok" : "degraded";
  info.app_reasons = h.reasons;
  info.detail = pending_for() + "; whether it ran is unknown";
  if (auto gone = probe_gone()) {
    info.cause = DegradedCause::ProcessExited;
    info.exit_status = *gone;
  }
  return info;
}

}  // namespace livegui
