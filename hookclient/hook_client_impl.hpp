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
  explicit Impl(const HookClientOptions& options) : options(options), transport(options), watch_transport(options) {}

  /// One request bounded by `read_bound`; checks the X-Livegui-Protocol
  /// header when present. Throws what HttpTransport::send throws.
  HttpReply request(HttpTransport& via, const std::string& method, const std::string& path,
                    const std::string& json_body, std::chrono::milliseconds read_bound);

  /// The bound on a reply the hook server gives from its own thread (/health,
  /// /state, /value, /shutdown, /debug/fault): the heartbeat threshold, or
  /// read_timeout when that is shorter. A server thread that does not answer
  /// for a whole threshold is a stopped (or wedged) process.
  std::chrono::milliseconds server_bound() const;

  /// A request the server thread answers, bounded by server_bound(). No reply
  /// within it: SubprocessDegraded (unreachable_degraded, naming `what`).
  /// Other failures as HttpTransport::send.
  HttpReply query(const std::string& method, const std::string& path, const std::string& json_body,
                  const std::string& what);

  /// An action the GUI thread runs (click, set, screenshot): sent on the main
  /// connection and awaited up to options.read_timeout while the app shows
  /// life. While no reply has come, a GET /health on a second connection
  /// (watch_pending, bounded by the threshold) looks at the app every
  /// threshold/4 at most: the frame advancing, last_frame_age_ms within the
  /// threshold or the GUI thread busy on an action = alive, keep waiting; no
  /// answer, or the app reports degraded while idle, or the frame stale for
  /// longer than the threshold = SubprocessDegraded (the action's request is
  /// abandoned; whether it ran is then unknown). So a stopped or hung app is
  /// reported within about the threshold plus one look.
  HttpReply act(const std::string& method, const std::string& path, const std::string& json_body,
                const std::string& what);

  /// One look at the app while `request` (sent at `sent`) awaits its reply:
  /// the degraded diagnostic, or nullopt while the app shows life (or when
  /// /health answered something the client cannot judge).
  std::optional<DegradedInfo> watch_pending(const std::string& request, const std::string& what,
                                            std::chrono::steady_clock::time_point sent);

  /// GET /health via `via`, bounded by `read_bound`, decoded and observed
  /// (the frame heartbeat). 200 and 503 both return a Health. Throws
  /// HookUnreachable, HookBadResponse, HookProtocolError (other statuses).
  Health fetch_health(HttpTransport& via, std::chrono::milliseconds read_bound);

  /// Throws the typed error for a non-2xx reply: SubprocessDegraded for
  /// 503/504 with "degraded": true, or for any other error while the
  /// heartbeat is stale or goes stale within the threshold (see
  /// stale_after_failure); HookActionUnfinished for 202 "started";
  /// HookProtocolError otherwise.
  [[noreturn]] void throw_http_error(const std::string& method, const std::string& path, const std::string& what,
                                     const HttpReply& reply);

  /// After a failed request: watches /health until the frame advances or the
  /// GUI thread is busy on an action (the loop turns: nullopt), or the app
  /// says it is degraded, or the frame has not advanced for longer than the
  /// heartbeat threshold (a diagnostic naming `request` and `failure`).
  /// Blocks at most about one threshold (plus one request); nullopt as well
  /// when /health itself fails (then the failure stands on its own).
  std::optional<DegradedInfo> stale_after_failure(const std::string& request, const std::string& failure);

  /// After a read the server thread answered (/state, /value): its data is
  /// only the app's if the main loop still turns. One GET /health (bounded
  /// by server_bound()): the app reporting itself degraded while idle, or a
  /// frame that has not advanced for longer than the heartbeat threshold
  /// (what the app says or what this client has seen), throws
  /// SubprocessDegraded naming `what`; the GUI thread busy on an action is
  /// alive. A /health with no reply throws as query() does; one that fails
  /// otherwise (refused, an answer the client cannot judge) leaves the read
  /// standing.
  void require_fresh_heartbeat(const std::string& what);

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
  /// when the liveness probe confirms it (given a short moment to settle when
  /// the connection failed; none for a server that accepts and stays silent),
  /// "unreachable" with the connection error otherwise. `awaiting`: what a
  /// wait_until waited for; `request`: the call that found it (when not waiting).
  SubprocessDegraded unreachable_degraded(const HookUnreachable& error, const std::string& awaiting,
                                          const std::string& request = {});
  /// unreachable_degraded's diagnostic, without the harness context.
  DegradedInfo unreachable_info(const HookUnreachable& error);

  /// Waits until `until` (bounded back-off between polls; see wait_until.cpp).
  void backoff_wait(std::chrono::steady_clock::time_point until);

  /// The pauses between polls of one wait: options.poll_min (at least 1 ms),
  /// doubling up to options.poll_max (never below the first pause).
  Backoff poll_backoff() const;

  const HookClientOptions options;
  HttpTransport transport;        ///< every request
  HttpTransport watch_transport;  ///< GET /health while an action awaits its reply on `transport`

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
