#include "batcher/run/expectations.hpp"

#include <algorithm>

#include "batcher/run/gtest_output.hpp"

namespace livegui::batch {

void apply_expectations(std::vector<TestResult>& tests, bool expect_fail, const std::vector<std::string>& xfail,
                        NamePatterns syntax) {
  auto listed = [&](const std::string& name) {
    for (const auto& pattern : xfail) {
      if (matches_wildcard(name, pattern)) return true;
      // Only GoogleTest names read ':' as "or": a pytest node id's "::" is
      // part of the name ("*::test_x" must not become "*").
      if (syntax == NamePatterns::GTestFilter && matches_gtest_filter(name, pattern)) return true;
    }
    return false;
  };
  auto expect = [](TestResult& t) {
    if (t.code == ResultCode::Fail || t.code == ResultCode::Crash || t.code == ResultCode::Timeout) {
      t.message = "expected failure: " + std::string(name(t.code)) + (t.message.empty() ? "" : ": " + t.message);
      t.code = ResultCode::XFail;
      t.expected_by = ExpectedBy::Plan;
      return true;
    }
    return false;
  };
  // A pattern that matches every test ("*") covers the process's own
  // failure too (a crash at exit, an exit code with no failing test): the
  // plan said everything of this entry is expected to fail.
  auto matches_every_test = [&](const std::string& pattern) {
    if (syntax == NamePatterns::Wildcard || pattern.find('-') != std::string::npos) return pattern == "*";
    for (std::size_t at = 0;;) {  // a filter list: "*" among its alternatives
      std::size_t colon = pattern.find(':', at);
      if (pattern.compare(at, colon == std::string::npos ? std::string::npos : colon - at, "*") == 0) return true;
      if (colon == std::string::npos) return false;
      at = colon + 1;
    }
  };
  const bool covers_everything = std::any_of(xfail.begin(), xfail.end(), matches_every_test);
  for (auto& t : tests) {
    if (t.synthetic) {
      if (covers_everything) expect(t);
      continue;
    }
    if (!listed(t.name)) continue;
    if (!expect(t) && t.code == ResultCode::Pass) {
      t.code = ResultCode::XPass;
      t.message = "passed, but the plan lists it in `xfail`";
    }
  }
  if (!expect_fail) return;
  // A failure the binary's own main() accepted (it exited 0) is not the
  // entry failing: the plan expected the binary to fail, and it did not.
  auto accepted = [](const TestResult& t) {
    return t.code == ResultCode::XFail && t.expected_by == ExpectedBy::OwnMain;
  };
  bool any = false;
  for (auto& t : tests) any = expect(t) || any || (t.code == ResultCode::XFail && !accepted(t));
  if (any) return;
  bool passed_any = false;
  for (auto& t : tests) {
    if (t.code != ResultCode::Pass) continue;
    t.code = ResultCode::XPass;
    t.message = "passed, but the plan says the entry is expected to fail (expect = \"fail\")";
    passed_any = true;
  }
  if (passed_any) return;
  for (auto& t : tests) {
    if (!accepted(t)) continue;
    t.code = ResultCode::XPass;
    t.message =
        "the test binary exited with exit code 0, but the plan says the entry is expected to fail "
        "(expect = \"fail\"): " +
        t.message;
  }
}

}  // namespace livegui::batch
