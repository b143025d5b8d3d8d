#pragma once
// --last-failed: run again only what failed in the report directory's
// previous results.json — the entries that failed (FAIL, CRASH, TIMEOUT,
// UNRESOLVED, XPASS) and, of a GoogleTest entry, only its failing tests.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "batcher/results.hpp"
#include "batcher/select/unit.hpp"

namespace livegui::batch {

/// Failures of a previous run: entry id → failing tests. An empty list means
/// the whole entry (a command entry, or a failure of the process itself).
using LastFailures = std::map<std::string, std::vector<std::string>>;

/// The failures recorded in `previous`.
LastFailures last_failures(const BatchResults& previous);

/// Keeps the units that failed, in plan order; a GoogleTest unit runs only its
/// failing tests (--gtest_filter of their names). Units unknown to the
/// previous run are dropped too.
std::vector<Unit> select_last_failed(std::vector<Unit> units, const LastFailures& failures);

}  // namespace livegui::batch
