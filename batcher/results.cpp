#include "batcher/results.hpp"

#include <algorithm>
#include <csignal>
#include <utility>

namespace livegui::batch {

TestResult decided_result(std::string name, ResultCode code, std::string message, int attempt) {
  TestResult r;
  r.name = std::move(name);
  r.code = code;
  r.message = std::move(message);
  r.attempt = attempt;
  return r;
}

namespace {

constexpr std::pair<TimelineKind, std::string_view> kTimelineNames[] = {
    {TimelineKind::Spawn, "spawn"},     {TimelineKind::Respawn, "respawn"},
    {TimelineKind::Death, "death"},     {TimelineKind::Degraded, "degraded"},
    {TimelineKind::Stopped, "stopped"}, {TimelineKind::LeakStopped, "leak-stopped"},
    {TimelineKind::Stale, "stale"},     {TimelineKind::Corrupt, "corrupt"},
};

constexpr std::pair<AttemptKind, std::string_view> kAttemptNames[] = {{AttemptKind::First, "first"},
                                                                      {AttemptKind::Resume, "resume"},
                                                                      {AttemptKind::Retry, "retry"},
                                                                      {AttemptKind::WithoutStream, "without-stream"}};

}  // namespace

const char* to_string(AttemptKind kind) {
  for (const auto& [k, name] : kAttemptNames)
    if (k == kind) return name.data();
  return "?";
}

const char* to_string(RetriedFor why) {
  switch (why) {
    case RetriedFor::Crash: return to_string(RetryOn::Crash);
    case RetriedFor::Timeout: return to_string(RetryOn::Timeout);
    case RetriedFor::Degraded: return to_string(RetryOn::Degraded);
    case RetriedFor::Fail: return to_string(RetryOn::Fail);
    case RetriedFor::WithItsEntry: return "entry";
  }
  return "fail";
}

const char* to_string(ExpectedBy who) {
  switch (who) {
    case ExpectedBy::Plan: return "plan";
    case ExpectedBy::OwnMain: return "own-main";
    case ExpectedBy::Runner: return "runner";
  }
  return "plan";
}

std::optional<ExpectedBy> expected_by_from_name(std::string_view name) {
  for (auto who : {ExpectedBy::Plan, ExpectedBy::OwnMain, ExpectedBy::Runner})
    if (name == to_string(who)) return who;
  return std::nullopt;
}

const char* to_string(ErrorIn where) {
  switch (where) {
    case ErrorIn::None: return "";
    case ErrorIn::Setup: return "setup";
    case ErrorIn::Teardown: return "teardown";
    case ErrorIn::CallAndTeardown: return "call-and-teardown";
    case ErrorIn::Collection: return "collection";
    case ErrorIn::Unspecified: return "unspecified";
  }
  return "";
}

std::optional<ErrorIn> error_in_from_name(std::string_view name) {
  for (auto where :
       {ErrorIn::Setup, ErrorIn::Teardown, ErrorIn::CallAndTeardown, ErrorIn::Collection, ErrorIn::Unspecified})
    if (name == to_string(where)) return where;
  return std::nullopt;
}

std::optional<RetriedFor> retried_for_from_name(std::string_view name) {
  for (auto why :
       {RetriedFor::Crash, RetriedFor::Timeout, RetriedFor::Degraded, RetriedFor::Fail, RetriedFor::WithItsEntry})
    if (name == to_string(why)) return why;
  return std::nullopt;
}

RetriedFor retried_for(RetryOn on) {
  switch (on) {
    case RetryOn::Crash: return RetriedFor::Crash;
    case RetryOn::Timeout: return RetriedFor::Timeout;
    case RetryOn::Degraded: return RetriedFor::Degraded;
    case RetryOn::Fail: return RetriedFor::Fail;
  }
  return RetriedFor::Fail;
}

std::optional<AttemptKind> attempt_kind_from_name(std::string_view name) {
  for (const auto& [k, text] : kAttemptNames)
    if (name == text) return k;
  return std::nullopt;
}

std::string describe_attempt(const AttemptRecord& a, bool fresh_aut, bool whole_entry) {
  switch (a.kind) {
    case AttemptKind::First: break;
    case AttemptKind::Retry:
      return "retry " + std::to_string(a.retry) + (whole_entry ? " of the whole entry, " : " of the failed tests, ") +
             (fresh_aut ? "on a fresh AUT" : "in a fresh process");
    case AttemptKind::WithoutStream: return "run again without GoogleTest's event stream";
    case AttemptKind::Resume:
      return a.retry > 0 ? "resumed retry " + std::to_string(a.retry) + " in a fresh process"
                         : "resumed in a fresh process";
  }
  return "first run";
}

std::string resume_phrase(const std::vector<AttemptRecord>& attempts, bool gtest) {
  int died = 0, timed_out = 0;
  for (std::size_t i = 1; i < attempts.size(); ++i) {
    if (attempts[i].kind != AttemptKind::Resume) continue;
    if (attempts[i - 1].stopped_for == "test_timeout")
      ++timed_out;
    else
      ++died;
  }
  const std::string after_death = std::string("after ") + (gtest ? "the binary" : "the process") + " died";
  const std::string after_timeout = "after a test ran longer than test_timeout";
  std::string out;
  if (died + timed_out == 0)
    out = {};
  else if (timed_out == 0)
    out = "resumed " + std::to_string(died) + "x " + after_death;
  else if (died == 0)
    out = "resumed " + std::to_string(timed_out) + "x " + after_timeout;
  else
    out = "resumed " + std::to_string(died + timed_out) + "x (" + std::to_string(died) + " " + after_death + ", " +
          std::to_string(timed_out) + " " + after_timeout + ")";
  if (std::any_of(attempts.begin(), attempts.end(),
                  [](const AttemptRecord& a) { return a.kind == AttemptKind::WithoutStream; }))
    out += (out.empty() ? "" : "; ") +
           std::string("run again without GoogleTest's event stream (its main() calls RUN_ALL_TESTS() more than once)");
  return out;
}

int resume_count(const std::vector<AttemptRecord>& attempts) {
  return static_cast<int>(std::count_if(attempts.begin(), attempts.end(),
                                        [](const AttemptRecord& a) { return a.kind == AttemptKind::Resume; }));
}

const char* to_string(TimelineKind kind) {
  for (const auto& [k, name] : kTimelineNames)
    if (k == kind) return name.data();
  return "?";
}

std::optional<TimelineKind> timeline_kind_from_name(std::string_view name) {
  for (const auto& [k, text] : kTimelineNames)
    if (name == text) return k;
  return std::nullopt;
}

int TierCounts::total_tests() const {
  int n = 0;
  for (const auto& [code, count] : tests) n += count;
  return n;
}

int TierCounts::failures() const {
  int n = 0;
  for (const auto& [code, count] : tests)
    if (is_failure(code)) n += count;
  return n;
}

std::string tally_of(const std::vector<TestResult>& tests) {
  std::map<ResultCode, int> counts;
  int disabled = 0;
  for (const auto& t : tests) {
    ++counts[t.code];
    if (t.disabled) ++disabled;
  }
  counts[ResultCode::Skipped] -= disabled;
  std::string out;
  auto add = [&](int n, const std::string& what) {
    if (n > 0) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  for (ResultCode c : kAllResultCodes) {
    add(counts[c], name(c));
    if (c == ResultCode::Skipped) add(disabled, "disabled");
  }
  return out;
}

std::string outcome_tally(const TierCounts& total) {
  std::string tally = std::to_string(total.count(ResultCode::Pass) + total.count(ResultCode::Flaky)) + " passed";
  if (total.count(ResultCode::Flaky) > 0) tally += " (" + std::to_string(total.count(ResultCode::Flaky)) + " flaky)";
  auto add = [&](int count, const char* what) {
    if (count > 0) tally += ", " + std::to_string(count) + " " + what;
  };
  add(total.count(ResultCode::Fail), "failed");
  add(total.count(ResultCode::Crash), "crashed");
  add(total.count(ResultCode::Timeout), "timed out");
  add(total.count(ResultCode::Unresolved), "unresolved");
  add(total.count(ResultCode::XPass), "unexpectedly passed");
  add(total.count(ResultCode::XFail), total.count(ResultCode::XFail) == 1 ? "expected failure" : "expected failures");
  add(total.skipped(), "skipped");
  add(total.disabled, "disabled");
  add(total.dirty_starts, total.dirty_starts == 1 ? "dirty start" : "dirty starts");
  return tally;
}

std::string verdict_word(const BatchResults& results) {
  if (results.interrupted) return "INTERRUPTED";
  if (count_all(results).failures() > 0) return "FAILED";
  return results.exit_code != 0 ? "INCOMPLETE" : "PASSED";
}

namespace {

void add_entry(TierCounts& c, const EntryResult& e) {
  ++c.entries;
  if (is_failure(e.code)) ++c.failing_entries;
  // A GoogleTest binary with no tests has no tests to count (as GoogleTest
  // says: "0 tests"); other entries stand for one.
  if (e.tests.empty() && (!e.gtest || is_failure(e.code)))
    ++c.tests[e.code];
  else
    for (const auto& t : e.tests) {
      ++c.tests[t.code];
      if (t.disabled) ++c.disabled;
    }
  if (e.dirty_start) ++c.dirty_starts;
  c.aut_respawns += e.aut_respawns;
}

}  // namespace

TierCounts count_tier(const BatchResults& results, const std::string& tier) {
  TierCounts c;
  for (const auto& e : results.entries)
    if (e.tier == tier) add_entry(c, e);
  for (const auto& t : results.tiers)
    if (t.name == tier) c.duration = t.duration;
  return c;
}

TierCounts count_all(const BatchResults& results) {
  TierCounts c;
  for (const auto& e : results.entries) add_entry(c, e);
  c.duration = results.duration;
  return c;
}

int exit_code_for(const BatchResults& results) {
  // 128 + the signal, as a shell reports a process it ended: 130 SIGINT, 143 SIGTERM, 129 SIGHUP.
  if (results.interrupted) {
    if (results.interrupt_reason == "SIGTERM") return 128 + SIGTERM;
    if (results.interrupt_reason == "SIGHUP") return 128 + SIGHUP;
    return 128 + SIGINT;
  }
  for (const auto& e : results.entries)
    if (is_failure(e.code)) return 1;
  return 0;
}

}  // namespace livegui::batch
