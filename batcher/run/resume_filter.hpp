#pragma once
// The --gtest_filter of a resumed GoogleTest binary, always short enough to
// pass: the kernel refuses one argument over 128 KiB (MAX_ARG_STRLEN), and a
// filter that excluded every decided test by name passed that after about
// 5,000 tests ("Argument list too long", the rest UNRESOLVED). Decided suites
// are excluded whole ("Suite.*"); when that is still too long, the known
// remaining tests run in bounded chunks named one by one, each its own
// process, and then one process runs the rest: what no listing named (every
// listed suite is then whole, so its filter is short).

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace livegui::batch {

/// The longest --gtest_filter value a resume passes: 100,000 bytes.
inline constexpr std::size_t kMaxFilterBytes = 100'000;

/// Combines a base gtest filter with tests to exclude: "A.*-A.b" + {A.c} → "A.*-A.b:A.c".
std::string exclude_from_filter(const std::string& base, const std::vector<std::string>& excluded);

/// Suites a run finished (the stream's TestCaseEnd, or the closing
/// "[----------] N tests from S (T ms total)" line): every test of each that
/// the run's filter selected ran, listed or not.
using FinishedSuites = std::set<std::string>;

/// `decided` (filter patterns of decided tests, in order) with every suite
/// all of whose `known` tests are decided, and every suite in `finished`,
/// written once as "Suite.*"; the rest as they are. `known` empty (the tests
/// are not listed) and `finished` empty: `decided`.
std::vector<std::string> compress_decided(const std::vector<std::string>& decided,
                                          const std::vector<std::string>& known, const FinishedSuites& finished = {});

/// What the next process of a resumed binary runs.
struct ResumePlan {
  enum class Kind {
    /// `filter` = the base less the decided tests: everything left, what
    /// no listing named included (after the chunks: only that).
    Exclude,
    Chunk,  ///< `filter` names `tests`, the first of the remaining ones, by name
    None,   ///< no filter that fits says what is left; `why_not` says why
  };
  Kind kind = Kind::None;
  std::string filter;              ///< the --gtest_filter value; "" = none
  std::vector<std::string> tests;  ///< Chunk: the tests it names, a prefix of `remaining`
  std::string why_not;             ///< None only
};

/// The first of `tests`, by name, whose filter ("A.a:A.b") fits in
/// `max_bytes` (at least one test): a Chunk, or None when the first name
/// alone is longer. Never throws.
ResumePlan name_chunk(const std::vector<std::string>& tests, std::size_t max_bytes = kMaxFilterBytes);

/// The next process after a resume. `base` is the first attempt's filter
/// ("" = all), `decided` the filter patterns of the decided tests, `known`
/// the listed tests (empty = not listed), `remaining` the known tests not
/// decided, `finished` the suites earlier processes finished (left out
/// whole: what lets a binary whose tests no listing names — a main() that
/// registers them only when not listing — resume past a crash after
/// thousands of tests). Every filter it returns is at most `max_bytes`
/// long. Never throws.
ResumePlan plan_resume(const std::string& base, const std::vector<std::string>& decided,
                       const std::vector<std::string>& known, const std::vector<std::string>& remaining,
                       const FinishedSuites& finished = {}, std::size_t max_bytes = kMaxFilterBytes);

}  // namespace livegui::batch
