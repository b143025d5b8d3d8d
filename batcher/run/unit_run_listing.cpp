// UnitRun, after a GoogleTest binary crashed or hung: listing it to learn
// the tests the run never reached, so the resume can name them.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "batcher/run/gtest_output.hpp"
#include "batcher/run/unit_run.hpp"
#include "batcher/select/discovery.hpp"

namespace livegui::batch {

bool UnitRun::learn_unreached_tests(const GtestStream& stream, const TestLister& list_tests) {
  listing_tried_ = true;
  try {
    std::vector<std::string> listed = list_tests();
    // The listing runs the entry's own args; the unit's filter (a suite of
    // a split, --last-failed's or a retry's failures) narrows it further.
    if (!unit_.gtest_filter.empty())
      std::erase_if(listed, [&](const std::string& t) { return !matches_gtest_filter(t, unit_.gtest_filter); });
    // A listing that lacks a test this very run started (a main() that
    // registers tests only when it is not listing) cannot say what the
    // run never reached: not trusted, the resume leaves out what was
    // decided and runs the rest, whatever it is.
    const std::string unlisted = first_unlisted_start(stream, listed);
    if (!unlisted.empty())
      throw std::runtime_error(
          "the listing (--gtest_list_tests) does not name " + unlisted +
          ", which this run started (a main() that registers tests only when it is not listing?); the tests "
          "it never reached are what is left when the decided ones are left out");
    unit_.tests = std::move(listed);
    unit_.listed = true;
    remaining_.clear();
    // Decided names are exact but for a suite's or the program's ("S.*",
    // "*"): a set, so 20,000 tests do not take 20,000² matches.
    std::set<std::string> exact;
    std::vector<std::string> patterns;
    for (const auto& d : decided_)
      (d.find_first_of("*?") == std::string::npos ? exact.insert(d), void() : patterns.push_back(d));
    for (const auto& t : unit_.tests)
      if (!exact.count(t) && std::none_of(patterns.begin(), patterns.end(),
                                          [&](const std::string& d) { return matches_gtest_filter(t, d); }))
        remaining_.push_back(t);
    // Later chunks' tests are pending_, not this process's.
    if (chunk_attempt_) {
      const std::set<std::string> later(pending_.begin(), pending_.end());
      std::erase_if(remaining_, [&](const std::string& t) { return later.count(t) > 0; });
    }
    return true;
  } catch (const DiscoveryInterrupted&) {
    // An interrupt came while listing: the user asked us to stop, nothing
    // failed. The run's own markers are all we know; the interrupt is
    // reported as such (the executor reads the same signal).
  } catch (const std::exception& e) {
    // Not a gate: without the list, the run's own markers are all we know.
    listing_note_ = e.what();
  }
  return false;
}

}  // namespace livegui::batch
