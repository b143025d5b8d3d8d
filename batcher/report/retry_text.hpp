#pragma once
// Text the reports share about issue 16's additions to a test result: the
// attempts of a retried test (FLAKY, or still failing) and the stacks file
// shown beside a failure. Plain text; each report escapes it its own way.

#include <cstddef>
#include <filesystem>
#include <string>

#include "batcher/results.hpp"

namespace livegui::batch {

/// One line per run of a retried test, oldest first, the last one its final
/// result: "attempt 1: CRASH — retried for crash: killed by SIGSEGV\n
/// attempt 3: FLAKY\n". "" when it was not retried.
std::string tries_text(const TestResult& test);

/// The first `max_bytes` of `file` ("" when it is missing or unreadable).
std::string read_file_prefix(const std::filesystem::path& file, std::size_t max_bytes);

/// A result code as a summary column head: "pass", "flaky", "skip", "xfail", …
std::string column_name(ResultCode code);

}  // namespace livegui::batch
