#pragma once
// The closed set of results a test or an entry can have (after LLVM lit).
// "We could not tell" (UNRESOLVED) is not "failed", and "not run" (SKIPPED)
// is neither; an expected failure (XFAIL) counts as passed, an unexpected
// pass (XPASS) as a failure.

#include <optional>
#include <string>
#include <string_view>

namespace livegui::batch {

enum class ResultCode {
  Pass,
  Fail,
  Crash,       ///< the process was killed by a signal
  Timeout,     ///< the entry ran out of time and was stopped
  Unresolved,  ///< we could not tell: no report, spawn failed, not executable
  Skipped,     ///< not run: interrupted, fail-fast, skipped by the test itself
  XFail,       ///< failed, and the plan said it would
  XPass,       ///< passed, but the plan said it would fail
  Flaky,       ///< failed because the infrastructure broke, then passed on a retry (counts as passed)
};

inline constexpr ResultCode kAllResultCodes[] = {ResultCode::Pass,    ResultCode::Fail,       ResultCode::Crash,
                                                 ResultCode::Timeout, ResultCode::Unresolved, ResultCode::Skipped,
                                                 ResultCode::XFail,   ResultCode::XPass,      ResultCode::Flaky};

/// True for the codes that make the batch exit 1.
bool is_failure(ResultCode code);

/// "PASS", "FAIL", "CRASH", "TIMEOUT", "UNRESOLVED", "SKIPPED", "XFAIL", "XPASS", "FLAKY".
const char* name(ResultCode code);

/// Inverse of name(); std::nullopt for anything else.
std::optional<ResultCode> result_code_from_name(std::string_view text);

/// How bad a code is when several tests of one entry are rolled up into the
/// entry's result: the worst one wins.
int severity(ResultCode code);

/// The worse of two codes (by severity()).
ResultCode worst(ResultCode a, ResultCode b);

}  // namespace livegui::batch
