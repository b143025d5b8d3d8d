#pragma once
// A GoogleTest listener (appended after the default printer, so its OnTestEnd
// runs first and failures it adds are printed) that tells the AUT handle which
// test runs, attributes an AUT death to the test during which it happened,
// records facts in the XML/JSON report (aut_pid, aut_respawns, aut_died) and,
// when a test failed while the AUT was degraded or dead, adds the degraded
// diagnostic to the failure. Never throws.

#include <gtest/gtest.h>

namespace livegui {

class LiveEnvironment;

class LiveListener : public ::testing::EmptyTestEventListener {
 public:
  explicit LiveListener(LiveEnvironment* env) : env_(env) {}
  void OnTestStart(const ::testing::TestInfo& info) override;
  void OnTestEnd(const ::testing::TestInfo& info) override;

 private:
  LiveEnvironment* env_;
};

}  // namespace livegui
