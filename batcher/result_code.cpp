#include "batcher/result_code.hpp"

namespace livegui::batch {

bool is_failure(ResultCode code) {
  switch (code) {
    case ResultCode::Fail:
    case ResultCode::Crash:
    case ResultCode::Timeout:
    case ResultCode::Unresolved:
    case ResultCode::XPass: return true;
    case ResultCode::Pass:
    case ResultCode::Skipped:
    case ResultCode::XFail:
    case ResultCode::Flaky: return false;
  }
  return true;
}

const char* name(ResultCode code) {
  switch (code) {
    case ResultCode::Pass: return "PASS";
    case ResultCode::Fail: return "FAIL";
    case ResultCode::Crash: return "CRASH";
    case ResultCode::Timeout: return "TIMEOUT";
    case ResultCode::Unresolved: return "UNRESOLVED";
    case ResultCode::Skipped: return "SKIPPED";
    case ResultCode::XFail: return "XFAIL";
    case ResultCode::XPass: return "XPASS";
    case ResultCode::Flaky: return "FLAKY";
  }
  return "UNRESOLVED";
}

std::optional<ResultCode> result_code_from_name(std::string_view text) {
  for (ResultCode c : kAllResultCodes)
    if (text == name(c)) return c;
  return std::nullopt;
}

int severity(ResultCode code) {
  // A crash says the most about an entry, then a timeout, then plain
  // failures; a skipped test says the least.
  switch (code) {
    case ResultCode::Skipped: return 0;
    case ResultCode::Pass: return 1;
    case ResultCode::Flaky: return 2;  // passed, but worth seeing
    case ResultCode::XFail: return 3;
    case ResultCode::Unresolved: return 4;
    case ResultCode::XPass: return 5;
    case ResultCode::Fail: return 6;
    case ResultCode::Timeout: return 7;
    case ResultCode::Crash: return 8;
  }
  return 4;
}

ResultCode worst(ResultCode a, ResultCode b) { return severity(b) > severity(a) ? b : a; }

}  // namespace livegui::batch
