// The resume's --gtest_filter always fits in one argument (h18e item 2):
// decided suites whole, else the remaining tests in bounded chunks, then the
// rest; and --last-failed's list of failures runs in chunks too.
#include "batcher/run/resume_filter.hpp"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "batcher/run/unit_run.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

/// "Suite00.Test0000" … : `suites` suites of `per_suite` tests, in order.
std::vector<std::string> numbered(int suites, int per_suite) {
  std::vector<std::string> out;
  for (int s = 0; s < suites; ++s)
    for (int t = 0; t < per_suite; ++t) {
      char name[40];
      std::snprintf(name, sizeof name, "Suite%02d.Test%04d", s, t);
      out.push_back(name);
    }
  return out;
}

TEST(BatcherResumeFilter, DecidedSuitesAreLeftOutWhole) {
  auto known = numbered(3, 2);
  std::vector<std::string> decided{known[0], known[1], known[2]};
  EXPECT_EQ(compress_decided(decided, known), (std::vector<std::string>{"Suite00.*", "Suite01.Test0000"}));
  // Not listed: nothing is known to be whole.
  EXPECT_EQ(compress_decided(decided, {}), decided);
  ResumePlan p = plan_resume("", decided, known, {known.begin() + 3, known.end()});
  EXPECT_EQ(p.kind, ResumePlan::Kind::Exclude);
  EXPECT_EQ(p.filter, "*-Suite00.*:Suite01.Test0000");
}

TEST(BatcherResumeFilter, SuitesTheRunFinishedAreLeftOutWholeWithoutAListing) {
  // Trialm: tests registered only when not listing, 15,000 of 20,000
  // decided: by name ~255 KB, and nothing listed to name the rest. The
  // suites the run finished are whole whatever a listing says.
  auto all = numbered(20, 1000);
  std::vector<std::string> decided(all.begin(), all.begin() + 15001);
  FinishedSuites finished;
  for (int s = 0; s < 15; ++s) finished.insert(all[static_cast<std::size_t>(s) * 1000].substr(0, 7));
  ResumePlan p = plan_resume("", decided, {}, {}, finished);
  ASSERT_EQ(p.kind, ResumePlan::Kind::Exclude) << p.why_not;
  EXPECT_EQ(p.filter.rfind("*-Suite00.*:Suite01.*:", 0), 0u) << p.filter.substr(0, 100);
  EXPECT_NE(p.filter.find(":Suite14.*:Suite15.Test0000"), std::string::npos) << p.filter;
  EXPECT_LE(p.filter.size(), 400u);
  // With a base filter, a finished suite is left out of it only.
  EXPECT_EQ(compress_decided({"A.x", "B.y"}, {}, {"A"}), (std::vector<std::string>{"A.*", "B.y"}));
  EXPECT_EQ(plan_resume("A.*:B.*", {"A.x", "B.y"}, {}, {}, {"A"}).filter, "A.*:B.*-A.*:B.y");
}

TEST(BatcherResumeFilter, TooManyDecidedNamesRunTheRestInBoundedChunksThenWhatNoListingNamed) {
  // 20,000 tests, 15,000 decided one in three per suite (none whole): by
  // name they are ~255 KB, over the kernel's 128 KiB argument limit.
  auto known = numbered(20, 1000);
  std::vector<std::string> decided, remaining;
  for (std::size_t i = 0; i < known.size(); ++i) (i % 4 == 3 ? remaining : decided).push_back(known[i]);
  ASSERT_GT(exclude_from_filter("", decided).size(), 131072u);
  ResumePlan chunk = plan_resume("", decided, known, remaining);
  ASSERT_EQ(chunk.kind, ResumePlan::Kind::Chunk) << chunk.why_not;
  EXPECT_LE(chunk.filter.size(), kMaxFilterBytes);
  EXPECT_EQ(chunk.tests, remaining);  // 5,000 × 17 bytes fit in one chunk
  // A smaller bound: several chunks, each within it, in order.
  ResumePlan small = plan_resume("", decided, known, remaining, {}, 1000);
  ASSERT_EQ(small.kind, ResumePlan::Kind::Chunk);
  EXPECT_LE(small.filter.size(), 1000u);
  EXPECT_EQ(small.tests.front(), remaining.front());
  EXPECT_LT(small.tests.size(), remaining.size());
  // Every known test decided: every suite is whole, and what is left is
  // what no listing named.
  std::vector<std::string> all = decided;
  all.insert(all.end(), remaining.begin(), remaining.end());
  all.push_back("Unlisted.Ran");
  ResumePlan rest = plan_resume("", all, known, {});
  ASSERT_EQ(rest.kind, ResumePlan::Kind::Exclude) << rest.why_not;
  EXPECT_EQ(rest.filter.substr(0, 22), "*-Suite00.*:Suite01.*:");
  EXPECT_NE(rest.filter.find(":Unlisted.Ran"), std::string::npos) << rest.filter;
  EXPECT_LE(rest.filter.size(), kMaxFilterBytes);
  // Without a listing nothing can be named: no resume, and why.
  ResumePlan none = plan_resume("", decided, {}, {});
  EXPECT_EQ(none.kind, ResumePlan::Kind::None);
  EXPECT_NE(none.why_not.find("not listed"), std::string::npos) << none.why_not;
}

TEST(BatcherResumeFilter, ALastFailedListTooLongForOneArgumentRunsInChunks) {
  livegui::test_support::TempDir dir("resume-filter-last-failed");
  RunContext ctx;
  ctx.log_dir = dir.path();
  Unit u;
  u.id = "t/many";
  u.tier = "t";
  u.name = "many";
  u.gtest = true;
  u.listed = true;
  u.entry.executable = "/bin/false";
  u.tests = numbered(10, 1000);  // --last-failed: 10,000 failures, ~170 KB by name
  for (const auto& t : u.tests) u.gtest_filter += (u.gtest_filter.empty() ? "" : ":") + t;
  UnitRun run(u, ctx);
  AttemptSpec a = run.next_attempt();
  EXPECT_LE(a.filter.size(), kMaxFilterBytes);
  EXPECT_EQ(a.filter.substr(0, 33), "Suite00.Test0000:Suite00.Test0001");
  // The chunk passes: the next process runs the next chunk, and only those.
  std::string log, tests_json;
  std::size_t n = 0;
  for (std::size_t start = 0; start < a.filter.size(); ++n) {
    std::size_t end = a.filter.find(':', start);
    std::string name = a.filter.substr(start, end == std::string::npos ? std::string::npos : end - start);
    log += "[ RUN      ] " + name + "\n[       OK ] " + name + " (0 ms)\n";
    start = end == std::string::npos ? a.filter.size() : end + 1;
  }
  std::ofstream(a.log) << "[==========] Running " << n << " tests from 1 test suite.\n"
                       << log << "[==========] " << n << " tests from 1 test suite ran. (0 ms total)\n";
  run.attempt_finished(ExitStatus::exited(0), StopCause::None, std::chrono::milliseconds(5), 1);
  ASSERT_TRUE(run.wants_another_attempt());
  AttemptSpec b = run.next_attempt();
  EXPECT_LE(b.filter.size(), kMaxFilterBytes);
  EXPECT_EQ(b.filter.find("-"), std::string::npos) << "a chunk names its tests";
  EXPECT_EQ(b.filter.substr(0, b.filter.find(':')), u.tests[n]);
}

}  // namespace
}  // namespace livegui::batch
