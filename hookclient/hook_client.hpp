#pragma once
// Client of the hook protocol (docs/hook-protocol.md). Speaks HTTP/JSON over
// one kept-alive connection (and a second one to watch the app while an
// action awaits its reply) and knows nothing about processes: the harness
// plugs in a liveness probe and context (test name, log tail) for diagnostics.
// Every call is bounded by explicit connect/read/write timeouts, and reports a
// stopped or hung app within about the heartbeat threshold.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace livegui {

struct HookClientOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string token;  ///< sent as X-Livegui-Token when non-empty
  /// Bound on connecting (never more than the request's own read bound).
  std::chrono::milliseconds connect_timeout{1000};
  /// An action's own bound (click, set, screenshot): how long a reply is
  /// awaited while the app shows it is alive. > twice the server's action
  /// bound (2 s: queued, then running). Requests the server thread answers
  /// (/health, /state, /value, /shutdown, /debug/fault) wait at most
  /// min(read_timeout, heartbeat_threshold).
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{2000};
  /// No new frame for this long while the app says "ok", or no reply from its
  /// hook server for this long = degraded. Every call throws
  /// SubprocessDegraded within about this (plus one poll) on such an app.
  std::chrono::milliseconds heartbeat_threshold{1000};
  /// wait_until(): first poll interval; doubles up to poll_max.
  std::chrono::milliseconds poll_min{2};
  std::chrono::milliseconds poll_max{50};
  std::size_t max_body_bytes = 64 * 1024 * 1024;  ///< larger replies are a BadResponse
};

/// GET /health, decoded.
struct Health {
  int protocol_version = 0;
  std::string app;
  bool ok = false;  ///< status == "ok"
  pid_t pid = 0;
  std::int64_t frame = 0;
  std::int64_t last_frame_age_ms = 0;
  /// How long the GUI thread has been executing a queued action (0 when it
  /// executes none, or when the server does not report it). Busy is alive:
  /// the server itself says when an action has kept the loop too long.
  std::int64_t busy_ms = 0;
  std::vector<std::string> reasons;
};

/// Base of every hook client error.
class HookError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// No reply: connection refused, reset or closed, or no reply within the
/// request's bound. Calls whose bound is the heartbeat threshold turn a
/// NoReply into SubprocessDegraded (see HookClient); the rest reach the caller.
class HookUnreachable : public HookError {
 public:
  /// How the exchange failed.
  enum class Reason {
    ConnectionFailed,  ///< refused, reset or closed: nothing listens, or the connection broke
    NoReply,           ///< connected (or still connecting) but no complete reply within the bound
  };
  explicit HookUnreachable(const std::string& what, Reason reason = Reason::ConnectionFailed,
                           std::chrono::milliseconds waited = std::chrono::milliseconds(0))
      : HookError(what), reason_(reason), waited_(waited) {}
  Reason reason() const { return reason_; }
  /// How long the request waited before giving up.
  std::chrono::milliseconds waited() const { return waited_; }

 private:
  Reason reason_;
  std::chrono::milliseconds waited_;
};

/// The app answered with an HTTP error; `status` and the app's own message.
class HookProtocolError : public HookError {
 public:
  HookProtocolError(const std::string& what, int status, std::string app_message)
      : HookError(what), status_(status), app_message_(std::move(app_message)) {}
  int status() const { return status_; }
  const std::string& app_message() const { return app_message_; }

 private:
  int status_;
  std::string app_message_;
};

/// An action (click, set, screenshot) started on the app's GUI thread but had
/// not finished when the server's bound passed (HTTP 202 "started": true): it
/// ran, or still runs, and whether it took effect is unknown. Retrying it may
/// apply it twice.
class HookActionUnfinished : public HookError {
 public:
  HookActionUnfinished(const std::string& what, std::string app_message, bool degraded)
      : HookError(what), app_message_(std::move(app_message)), degraded_(degraded) {}
  const std::string& app_message() const { return app_message_; }
  /// The app said it was degraded when it replied.
  bool degraded() const { return degraded_; }

 private:
  std::string app_message_;
  bool degraded_;
};

/// The reply was not what the protocol promises (not JSON, wrong types, too
/// large, wrong protocol version).
class HookBadResponse : public HookError {
 public:
  using HookError::HookError;
};

/// What the client knows when it declares the AUT degraded. The harness fills
/// the process-side fields through the context provider.
/// What made a call fail fast with SubprocessDegraded (docs/hook-protocol.md
/// §2 Health and §5 Errors): what the client or the harness observed of the AUT.
enum class DegradedCause {
  Unknown,                 ///< not told (describe_degraded's caller had nothing to say)
  StoppedAdvancingFrames,  ///< answers, but its frame has not advanced within the heartbeat threshold
  ReportsDegraded,         ///< its /health (or an action's reply) says status "degraded"
  ProcessExited,           ///< its process is gone; DegradedInfo::exit_status says how
  Unreachable,             ///< its process lives, but its hook server stopped answering
};

/// "stopped advancing frames", "reports degraded", "process exited",
/// "unreachable"; "" for Unknown. The words SubprocessDegraded's message uses.
std::string_view to_string(DegradedCause cause);
/// Writes to_string(cause) ("unknown" for Unknown), for test failure messages.
std::ostream& operator<<(std::ostream& out, DegradedCause cause);

struct DegradedInfo {
  pid_t pid = 0;
  /// What the app's /health said: "ok", "degraded", or empty when not asked.
  std::string app_status;
  std::vector<std::string> app_reasons;  ///< the app's own reasons (may be empty)
  std::int64_t last_frame = -1;
  std::chrono::milliseconds frame_age{0};  ///< since the frame last advanced
  std::string awaiting;                    ///< what wait_until was waiting for
  DegradedCause cause = DegradedCause::Unknown;
  std::string request;  ///< the request that found the app degraded (e.g. "POST /click new_project"), when not waiting
  std::string detail;   ///< what the client itself saw: the connection error when unreachable, the failed reply
  // Filled by the harness (context provider), empty otherwise:
  std::string exit_status;   ///< e.g. "killed by SIGABRT"
  std::string current_test;  ///< "Suite.Name"
  /// The earlier test that left the AUT stalled (its last frame came before
  /// that test ended), when the stall is not current_test's doing.
  std::string left_stalled_by;
  std::string log_tail;      ///< last lines of the AUT log
  std::string log_file;
  std::string stacks_file;  ///< every thread's stack of the stalled AUT (stacks-<pid>.txt), when captured
};

/// The AUT cannot serve: its main loop stopped or stalled, it reports itself
/// degraded, or its process is gone. what() is one readable paragraph, e.g.
/// `subprocess degraded: AUT pid 4121 stopped advancing frames 1.2 s ago (last
/// frame 5312) while waiting for "project switched to 'demo'"; app reports:
/// "io pool shut down: cannot schedule new work"`, followed by the log tail.
class SubprocessDegraded : public HookError {
 public:
  explicit SubprocessDegraded(DegradedInfo info);
  const DegradedInfo& info() const { return info_; }
  static std::string format(const DegradedInfo& info);

 private:
  DegradedInfo info_;
};

/// wait_until() ran out of time while the app stayed healthy.
class HookTimeout : public HookError {
 public:
  using HookError::HookError;
};

class HookClient {
 public:
  /// Answers "is the process still there?" without HTTP; returns an exit
  /// description ("killed by SIGABRT") when it is gone, empty when alive.
  using LivenessProbe = std::function<std::optional<std::string>()>;
  /// Adds process-side context (test name, log tail, exit status) to a diagnostic.
  using ContextProvider = std::function<void(DegradedInfo&)>;

  explicit HookClient(HookClientOptions options);
  ~HookClient();
  HookClient(const HookClient&) = delete;
  HookClient& operator=(const HookClient&) = delete;

  const HookClientOptions& options() const { return options_; }
  void set_liveness_probe(LivenessProbe probe);
  void set_context_provider(ContextProvider provider);

  /// GET /health. 200 and 503 both return a Health (ok=false for 503).
  /// Blocks at most min(read_timeout, heartbeat_threshold) for the reply (the
  /// app's server thread gives it at once); none in that time (a stopped or
  /// wedged app) throws SubprocessDegraded (cause Unreachable, "no reply
  /// within …"). Throws HookUnreachable when the connection is refused or
  /// reset (a dead app), HookBadResponse (incl. unknown protocol version).
  Health health();
  /// GET /state. Bounded and failing as health(); then one GET /health: an
  /// app whose main loop is not turning — it reports itself degraded, or its
  /// frame has not advanced for longer than heartbeat_threshold, and its GUI
  /// thread is not busy on an action — throws SubprocessDegraded (what it
  /// answered would be a stale snapshot).
  nlohmann::json state();
  /// GET /value?id=…. Bounded and failing as state().
  nlohmann::json value(const std::string& id);
  /// POST /click. Blocks until the app ran the action (the server bounds
  /// that, 2 s by default; at most read_timeout) while the app shows life:
  /// a reply still missing after a few frames is watched through GET /health
  /// on a second connection, every heartbeat_threshold/4 at most. Throws:
  ///  - SubprocessDegraded within about heartbeat_threshold (plus one look)
  ///    when that /health does not answer within the threshold, or says
  ///    "degraded" while the GUI thread runs no action, or shows the frame
  ///    stale for longer than the threshold (busy_ms > 0 is alive): the
  ///    request is abandoned and whether the action ran is unknown;
  ///  - SubprocessDegraded when the app says it is degraded (503/504 with
  ///    degraded=true: the action did not run), and for any other HTTP error
  ///    while the app's heartbeat is stale or goes stale within
  ///    heartbeat_threshold (then it says what the app reported — its status
  ///    and reasons —, the last frame and its age, and the failed reply);
  ///  - HookActionUnfinished (202 "started"): it ran, result unknown;
  ///  - HookProtocolError for other HTTP errors while the loop still turns
  ///    (checking that costs about one frame of the app);
  ///  - HookUnreachable, HookBadResponse.
  void click(const std::string& id);
  /// POST /set. Same outcomes as click().
  void set(const std::string& id, const nlohmann::json& value);
  /// GET /screenshot, written to `path`. Same outcomes as click();
  /// HookProtocolError(501) when unsupported.
  void screenshot(const std::filesystem::path& path);
  /// POST /shutdown. Bounded and failing as health().
  void shutdown();
  /// POST /debug/fault {"kind": kind, …extra}. Bounded and failing as health().
  void inject_fault(const std::string& kind, const nlohmann::json& extra = nlohmann::json::object());

  /// Polls state() with back-off until `predicate(state)` holds. On every poll
  /// it also checks health and throws SubprocessDegraded as soon as the app
  /// reports degraded, its frame has not advanced for heartbeat_threshold, the
  /// liveness probe reports the process gone, or the app becomes unreachable
  /// or gives no reply within heartbeat_threshold (so within about the
  /// threshold plus one poll of the app stopping).
  /// Throws HookTimeout naming `description`, the timeout and the last state.
  nlohmann::json wait_until(const std::function<bool(const nlohmann::json&)>& predicate,
                            std::chrono::milliseconds timeout, const std::string& description);

  /// Builds a SubprocessDegraded from what the client knows now (used by the
  /// harness when a test fails while the AUT is degraded).
  DegradedInfo describe_degraded(DegradedCause cause, const std::string& awaiting = {});

 private:
  struct Impl;
  HookClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace livegui
