#pragma once
// --last-failed: run again only what failed in the report directory's
// previous results.json — the entries that failed (FAIL, CRASH, TIMEOUT,
// UNRESOLVED, XPASS) and, of a GoogleTest or pytest entry, only its failing
// tests —
// and carry the failures it does not run into the new record.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "batcher/results.hpp"
#include "batcher/select/unit.hpp"

namespace livegui::batch {

/// Failures of a previous run: entry id → failing tests. An empty list means
/// the whole entry (a command entry, a failure of the process itself, a
/// pytest file that could not be collected). A command or junit entry's
/// list is kept but not used: select_last_failed() runs it whole.
using LastFailures = std::map<std::string, std::vector<std::string>>;

/// The failures recorded in `previous`: its failing entries and the earlier
/// failures it carried (BatchResults::not_selected); of an entry in both,
/// the failing tests of both.
LastFailures last_failures(const BatchResults& previous);

/// The failures of `previous` (recorded or carried) that `selected` does not
/// run, to carry into the new record: a --last-failed run narrowed by
/// --tier, --filter or --shard (or a plan that lost the entry) forgets nothing.
/// Of a GoogleTest entry that runs, its failing tests outside the unit's
/// tests are carried (--filter selected only some of them).
std::vector<CarriedFailure> unselected_failures(const BatchResults& previous, const std::vector<Unit>& selected);

/// Keeps the units that failed, in plan order; a pytest unit runs only its
/// failing node ids (Unit::tests: the plugin selects them exactly, through
/// LIVEGUI_SELECT_FILE); a GoogleTest unit runs only its
/// failing tests (--gtest_filter of their names) and, when its tests are
/// listed (--filter, a suite of a split), only those of them that failed: the
/// two selections intersect, and a unit left with none is dropped. Units
/// unknown to the previous run are dropped too. `filter` is the run's
/// --filter ("" = none): of a unit whose tests are not listed (its listing
/// failed, select_matching gave it the pattern as its --gtest_filter), only
/// the failing tests whose "tier/name/Suite.Test" matches it run.
std::vector<Unit> select_last_failed(std::vector<Unit> units, const LastFailures& failures,
                                     const std::string& filter = "");

/// A carried failure as the summary's note names it: "b/cmd (FAIL)", and of
/// an entry `selected` runs, the tests it carries: "a/x S.Crash, S.Hang (CRASH)".
std::string describe_carried(const CarriedFailure& carried, const std::vector<Unit>& selected);

/// The summary's note on what a --last-failed run carried ("" when nothing):
/// the count says what the list names — an entry not run by its id, an
/// entry that ran by its tests: "--last-failed did not select 1 earlier
/// failing entry and 2 earlier failing tests of 1 entry it ran, kept for the
/// next --last-failed (results.json not_selected; not run, not counted):
/// b/cmd (FAIL); a/x S.Crash, S.Hang (CRASH)". `kept_in` is the results file
/// this run writes (a shard's own, "results-shard-1-of-2.json"); when it is
/// not `read_from`, the file --last-failed reads, the note says how they meet.
/// `who` is what did not select them: "--last-failed", or "this run" (a
/// plain run narrowed by --tier or --filter carries the earlier failures too).
std::string not_selected_note(const std::vector<CarriedFailure>& carried, const std::vector<Unit>& selected,
                              const std::string& kept_in, const std::string& read_from,
                              const std::string& who = "--last-failed");

/// Carried failures named with their tests, for a run that runs none of
/// them: "a/x S.Crash, S.Hang (CRASH); b/cmd (FAIL)".
std::string describe_failures(const std::vector<CarriedFailure>& carried);

}  // namespace livegui::batch
