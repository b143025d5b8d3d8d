#pragma once
// Private state of HookClient, shared by hook_client.cpp (the requests) and
// wait_until.cpp (the degraded-aware polling). Not part of the public API.

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/backoff.hpp"
#include "hookclient/frame_tracker.hpp"
#include "hookclient/hook_client.hpp"
#include "hookclient/http_transport.hpp"

namespace livegui {

struct HookClient::Impl {
  explicit Impl(const HookClientOptions& options) : options(options), transport(options) {}

  /// One request; checks the X-Livegui-Protocol header when present.
  HttpReply request(const std::string& method, const std::string& path, const std::string& json_body = {});

  /// Throws the typed error for a non-2xx reply: SubprocessDegraded for
  /// 503/504 with "degraded": true, or for any other error while the
  /// heartbeat is stale or goes stale within the threshold (see
  /// stale_after_failure); HookActionUnfinished for 202 "started";
  /// HookProtocolError otherwise.
  [[noreturn]] void throw_http_error(HookClient& client, const std::string& method, const std::string& path,
                                     const std::string& what, const HttpReply& reply);

  /// After a failed request: watches /health until the frame advances or the
  /// GUI thread is busy on an action (the loop turns: nullopt), or the app
  /// says it is degraded, or the frame has not advanced for longer than the
  /// heartbeat threshold (a diagnostic naming `request` and `failure`).
  /// Blocks at most about one threshold (plus one request); nullopt as well
  /// when /health itself fails (then the failure stands on its own).
  std::optional<DegradedInfo> stale_after_failure(HookClient& client, const std::string& request,
                                                  const std::string& failure);

  /// Remembers a health observation (frame heartbeat, pid, reasons).
  void observe(const Health& health);

  /// What the client knows now: pid, last frame and its age, last reasons.
  DegradedInfo known_info(DegradedCause cause);

  /// Asks the liveness probe; exit description when the process is gone.
  /// A probe that throws counts as "alive" (and is logged).
  std::optional<std::string> probe_gone();

  /// Lets the harness add its context; a provider that throws is logged.
  void add_context(DegradedInfo& info);

  /// The diagnostic for a server that stopped answering: "process exited"
  /// when the liveness probe confirms it (given a short moment to settle),
  /// "unreachable" with the connection error otherwise.
  SubprocessDegraded unreachable_degraded(const HookUnreachable& error, const std::string& awaiting);

  /// Waits until `until` (bounded back-off between polls; see wait_until.cpp).
  void backoff_wait(std::chrono::steady_clock::time_point until);

  /// The pauses between polls of one wait: options.poll_min (at least 1 ms),
  /// doubling up to options.poll_max (never below the first pause).
  Backoff poll_backoff() const;

  const HookClientOptions options;
  HttpTransport transport;

  std::mutex hooks_mutex;  ///< guards probe, context
  LivenessProbe probe;
  ContextProvider context;

  std::mutex track_mutex;  ///< guards tracker, last_reasons
  FrameTracker tracker;
  std::vector<std::string> last_reasons;

  std::mutex wait_mutex;
  std::condition_variable wait_cv;
};

}  // namespace livegui
