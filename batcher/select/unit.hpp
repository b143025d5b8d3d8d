#pragma once
// A unit is what the batcher schedules: one plan entry, or one GoogleTest
// suite of it with split = "suite". Discovery makes units, selection picks
// and shards them, the executor runs them.

#include <chrono>
#include <string>
#include <vector>

#include "batcher/plan/plan.hpp"

namespace livegui::batch {

struct Unit {
  std::string id;  ///< "tier/name" or "tier/name/Suite"; unique in the batch
  std::string tier;
  std::string name;  ///< entry name, or "entry/Suite"
  std::size_t tier_index = 0;
  std::size_t order = 0;  ///< position in plan order across the batch
  PlanEntry entry;
  bool gtest = false;
  bool listed = false;             ///< tests are known before the run (--gtest_list_tests)
  std::vector<std::string> tests;  ///< the tests this unit runs, in order
  std::string gtest_filter;        ///< --gtest_filter for the first attempt; "" = all
  std::string unresolved;          ///< non-empty: why it cannot run
  /// Non-empty: selected but not run, reported SKIPPED with this reason (a
  /// --filter that cannot be matched against its tests: select/filter_translation.hpp).
  std::string not_run;
  /// Non-empty: --filter matched no test any listing names, so this binary
  /// runs with the pattern as its --gtest_filter in case its main()
  /// registers tests only when it is not listing; when the run selects no
  /// test, it is reported SKIPPED with this reason.
  std::string skip_if_no_test;
  /// Neither unresolved nor not run: it starts a process.
  bool runs() const { return unresolved.empty() && not_run.empty(); }
  /// Non-empty: listing its tests failed (why); it runs as one unit anyway.
  std::string listing_failed;
  std::chrono::milliseconds timeout{0};
  /// A retry continues its entry's attempt numbering (logs "<id>.attempt-<n>.log").
  int attempt_offset = 0;
  /// Which retry of its entry this unit runs (1 = the first); 0 = the entry's own run.
  int retry = 0;
  std::string aut_spec_file;  ///< the tier's AUT spec written for the harness; "" = none
  /// The tier's hook token, kept out of aut_spec_file (which reports name):
  /// given to the entry as LIVEGUI_AUT_TOKEN, never written to a file.
  std::string aut_token;
};

}  // namespace livegui::batch
