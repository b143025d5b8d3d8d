#include "batcher/plan/retry_policy.hpp"

namespace livegui::batch {

const char* to_string(RetryOn on) {
  switch (on) {
    case RetryOn::Crash: return "crash";
    case RetryOn::Timeout: return "timeout";
    case RetryOn::Degraded: return "degraded";
    case RetryOn::Fail: return "fail";
  }
  return "fail";
}

std::optional<RetryOn> retry_on_from_string(std::string_view text) {
  for (RetryOn on : {RetryOn::Crash, RetryOn::Timeout, RetryOn::Degraded, RetryOn::Fail})
    if (text == to_string(on)) return on;
  return std::nullopt;
}

}  // namespace livegui::batch
