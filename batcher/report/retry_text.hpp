#pragma once
// Text the reports share about issue 16's additions to a test result: the
// attempts of a retried test (FLAKY, or still failing) and the stacks file
// shown beside a failure. Plain text; each report escapes it its own way.

#include <cstddef>
#include <filesystem>
#include <string>

#include "batcher/results.hpp"

namespace livegui::batch {

/// One run of a retried test: "attempt 1: CRASH (retried for crash): killed
/// by SIGSEGV"; a retry an interrupt cut short: "attempt 3: UNRESOLVED (its
/// retry for timeout, interrupted before it finished): …".
std::string describe_try(const TryRecord& run);

/// One line per run of a retried test in attempt order, the test's own
/// result among them: "attempt 1: CRASH — retried for crash: killed by
/// SIGSEGV\nattempt 3: FLAKY\n"; a retry an interrupt cut short: "attempt 3:
/// UNRESOLVED — its retry for timeout, interrupted before it finished: …".
/// "" when it was not retried.
std::string tries_text(const TestResult& test);

/// The first `max_bytes` of `file` ("" when it is missing or unreadable).
std::string read_file_prefix(const std::filesystem::path& file, std::size_t max_bytes);

/// A result code as a summary column head: "pass", "flaky", "skip", "xfail", …
std::string column_name(ResultCode code);

}  // namespace livegui::batch
