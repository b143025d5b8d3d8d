#pragma once
// The GoogleTest flags and variables an entry may not set itself: livegui-batch
// reads a GoogleTest binary's run through its `[ RUN      ]` markers and its
// JSON report, and sets what those need (GTEST_OUTPUT=json:…, GTEST_BRIEF=0,
// GTEST_COLOR=no, TEST_PREMATURE_EXIT_FILE, a --gtest_filter to resume). A flag
// that changes what it reads is refused, naming the plan file, line and field;
// the entry is then UNRESOLVED and the batch goes on (--dry-run says the same).

#include <string>

#include "batcher/plan/plan.hpp"

namespace livegui::batch {

/// Why a GoogleTest entry's own args or env cannot be run faithfully, as
/// "plan.toml:12: args: --gtest_brief=1 is not supported: …"; "" when they can.
/// Refused in args: --gtest_repeat (other than 1), --gtest_output,
/// --gtest_brief (true), --gtest_color (yes/true/t/1), --gtest_list_tests
/// (true), --gtest_flagfile. In env: GTEST_REPEAT (other than 1),
/// GTEST_OUTPUT, GTEST_BRIEF (other than 0), GTEST_COLOR (yes/true/t/1),
/// GTEST_LIST_TESTS (other than 0), GTEST_FLAGFILE. Values are read as
/// GoogleTest reads them.
std::string unsupported_gtest_flag(const PlanEntry& entry);

}  // namespace livegui::batch
