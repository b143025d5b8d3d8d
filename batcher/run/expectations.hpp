#pragma once
// The plan's expectations applied to an entry's results: `expect = "fail"`
// and `xfail` patterns turn failures into XFAIL and passes into XPASS.

#include <string>
#include <vector>

#include "batcher/results.hpp"

namespace livegui::batch {

/// How an `xfail` pattern reads the test names it is matched against.
enum class NamePatterns {
  /// GoogleTest names ("Suite.Name"): a filter list ("A.*:B.c-A.skip", ':'
  /// alternatives, '-' negatives), or the whole pattern as one wildcard.
  GTestFilter,
  /// Any other runner's names (pytest node ids "tests/t.py::test_x", JUnit
  /// names): the whole pattern is one wildcard ('*', '?'); ':' is literal.
  Wildcard,
};

/// Applies the plan's expectations: with `expect_fail`, failing tests become
/// XFAIL and, when none failed, the passing ones XPASS; tests matching an
/// `xfail` pattern (read as `syntax` says) become XFAIL when they fail and
/// XPASS when they pass. UNRESOLVED and SKIPPED are left alone. A result
/// that is no test (`synthetic`: the "(process)" result, a command's own) is
/// matched by no name, but a pattern that matches every test ("*", or "*"
/// among a filter's alternatives without negatives) makes its failure XFAIL.
void apply_expectations(std::vector<TestResult>& tests, bool expect_fail, const std::vector<std::string>& xfail,
                        NamePatterns syntax);

}  // namespace livegui::batch
