// HookClient::wait_until and the degraded diagnostics: the part of the client
// that turns "the app stopped working" into a SubprocessDegraded within about
// one heartbeat threshold, instead of a timeout minutes later.

#include <algorithm>

#include "common/log.hpp"
#include "common/text.hpp"
#include "hookclient/hook_client.hpp"
#include "hookclient/hook_client_impl.hpp"
#include "hookclient/response_parser.hpp"

namespace livegui {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// After the hook server stops answering, how long the liveness probe gets to
/// confirm that the process is gone: the listening socket closes while the
/// kernel tears the process down, a moment before the exit becomes visible.
constexpr milliseconds kProbeSettle{250};
constexpr std::size_t kStateExcerptChars = 600;

}  // namespace

Backoff HookClient::Impl::poll_backoff() const {
  const auto first = std::max(options.poll_min, milliseconds(1));
  return Backoff(first, std::max(options.poll_max, first));
}

void HookClient::Impl::backoff_wait(Clock::time_point until) {
  // Over HTTP nothing tells us "the state changed", so the only event to wait
  // for is the next poll time. A deadline-bounded condition-variable wait is
  // the project's primitive for a bounded back-off (no bare sleeps); nobody
  // needs to notify it, the predicate just guards against spurious wake-ups.
  std::unique_lock lock(wait_mutex);
  wait_cv.wait_until(lock, until, [until] { return Clock::now() >= until; });
}

DegradedInfo HookClient::describe_degraded(DegradedCause cause, const std::string& awaiting) {
  bool answered = false;
  try {
    impl_->fetch_health(impl_->transport, impl_->server_bound());
    answered = true;
  } catch (const HookError& e) {
    logger("hookclient")->debug("describe_degraded: health check failed: {}", e.what());
  }
  DegradedInfo info = impl_->known_info(cause);
  info.awaiting = awaiting;
  if (!answered) info.detail = "the hook server at " + impl_->transport.endpoint() + " does not answer";
  if (auto gone = impl_->probe_gone()) info.exit_status = *gone;
  impl_->add_context(info);
  return info;
}

DegradedInfo HookClient::Impl::unreachable_info(const HookUnreachable& error) {
  Impl& impl = *this;
  std::optional<std::string> gone = impl.probe_gone();
  bool has_probe;
  {
    std::lock_guard lock(impl.hooks_mutex);
    has_probe = static_cast<bool>(impl.probe);
  }
  // A refused or reset connection is often a process on its way out: give the
  // kernel a moment to say so. A server that accepted and stayed silent for a
  // whole bound is not one; the threshold is already spent.
  const bool settle = error.reason() == HookUnreachable::Reason::ConnectionFailed;
  auto settle_until = Clock::now() + kProbeSettle;
  Backoff backoff(milliseconds(1), milliseconds(50));
  while (settle && has_probe && !gone && Clock::now() < settle_until) {
    impl.backoff_wait(std::min(Clock::now() + backoff.next(), settle_until));
    gone = impl.probe_gone();
  }
  DegradedInfo info = impl.known_info(gone ? DegradedCause::ProcessExited : DegradedCause::Unreachable);
  info.app_reasons.clear();  // the last reasons are from a healthy reply; the news is the silence
  if (gone) {
    info.exit_status = *gone;
  } else {
    info.detail = error.what();
  }
  return info;
}

SubprocessDegraded HookClient::Impl::unreachable_degraded(const HookUnreachable& error, const std::string& awaiting,
                                                          const std::string& request) {
  DegradedInfo info = unreachable_info(error);
  info.awaiting = awaiting;
  if (awaiting.empty()) info.request = request;
  add_context(info);
  return SubprocessDegraded(std::move(info));
}

nlohmann::json HookClient::wait_until(const std::function<bool(const nlohmann::json&)>& predicate,
                                      std::chrono::milliseconds timeout, const std::string& description) {
  auto log = logger("hookclient");
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  Backoff backoff = impl_->poll_backoff();
  nlohmann::json last_state;
  long polls = 0;

  auto degraded = [&](DegradedCause cause, const std::string& exit_status = {}) {
    DegradedInfo info = impl_->known_info(cause);
    info.awaiting = description;
    info.exit_status = exit_status;
    impl_->add_context(info);
    log->debug("wait_until \"{}\": AUT degraded after {} ({} polls): {}", description,
               human_duration(Clock::now() - start), polls, to_string(cause));
    return SubprocessDegraded(std::move(info));
  };

  for (;;) {
    ++polls;
    // 1. Is the process still there? Cheap (a pidfd poll in the harness).
    if (auto gone = impl_->probe_gone()) throw degraded(DegradedCause::ProcessExited, *gone);
    // 2. Does it say it is healthy, and is its main loop really turning?
    Health h;
    try {
      h = impl_->fetch_health(impl_->transport, impl_->server_bound());
    } catch (const HookUnreachable& e) {
      throw impl_->unreachable_degraded(e, description);
    }
    if (!h.ok) throw degraded(DegradedCause::ReportsDegraded);
    milliseconds age;
    {
      std::lock_guard lock(impl_->track_mutex);
      age = impl_->tracker.frame_age(Clock::now());
    }
    if (age > options_.heartbeat_threshold) throw degraded(DegradedCause::StoppedAdvancingFrames);
    // 3. Is what we wait for there yet?
    try {
      last_state = state();
    } catch (const HookUnreachable& e) {
      throw impl_->unreachable_degraded(e, description);
    } catch (const SubprocessDegraded& e) {
      DegradedInfo info = e.info();
      info.awaiting = description;
      info.request.clear();
      throw SubprocessDegraded(std::move(info));
    }
    if (predicate(last_state)) return last_state;

    auto now = Clock::now();
    if (now >= deadline) {
      throw HookTimeout("timed out after " + human_duration(timeout) + " waiting for \"" + description +
                        "\" from the AUT at " + impl_->transport.endpoint() + " (pid " + std::to_string(h.pid) +
                        "); it stayed healthy throughout (" + std::to_string(polls) + " polls, last frame " +
                        std::to_string(h.frame) +
                        "); last state: " + body_excerpt(last_state.dump(), kStateExcerptChars));
    }
    impl_->backoff_wait(std::min(now + backoff.next(), deadline));
  }
}

}  // namespace livegui
