#pragma once
// --filter for a GoogleTest binary whose tests could not be listed: the
// pattern (an ECMAScript regex searched in "tier/name/Suite.Test") turned
// into GoogleTest's own --gtest_filter, so the binary runs exactly the tests
// the pattern would have selected from a listing, and its run judges them.
// Only what a --gtest_filter can say exactly is translated: literal text,
// "." (any one character), ".*" / ".+", a leading "^" and a trailing "$";
// anything else (alternation, classes, groups, other quantifiers, escapes
// such as \d) is refused with the reason, never approximated.

#include <string>

namespace livegui::batch {

/// The --gtest_filter for one unit's tests, or why there is none.
struct GtestFilterFor {
  bool expressible = false;  ///< false: `why_not` says which part of the pattern has no --gtest_filter form
  /// Expressible: selects exactly the tests T of the unit for which
  /// "<unit id>/T" matches the pattern ("A.*:*b*"); "" = no test name can.
  std::string filter;
  std::string why_not;
};

/// Translates `pattern` for the unit `unit_id` ("tier/name"). Test names are
/// GoogleTest's (letters, digits, '_', '/', one '.'), so a part of the
/// pattern that needs another character matches no test and is dropped.
/// Never throws.
GtestFilterFor gtest_filter_for(const std::string& pattern, const std::string& unit_id);

}  // namespace livegui::batch
