// A retry and a resume are different things, said apart in every report: a
// resume runs the rest of a binary after it died (or a test timed out) in a
// fresh process; a retry runs failed tests again on a fresh AUT (RetryPolicy).
// The console's failure block, results.json (attempts[].kind and .retry),
// report.html's process table and junit.xml's properties each say which.
#include <gtest/gtest.h>

#include "batcher/display/entry_text.hpp"
#include "batcher/report/html_report.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/report/junit_report.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

AttemptRecord attempt(int number, AttemptKind kind, int retry, const std::string& filter, const std::string& exit) {
  AttemptRecord a;
  a.number = number;
  a.kind = kind;
  a.retry = retry;
  a.filter = filter;
  a.exit = exit;
  return a;
}

/// Attempt 1 crashed in S.Crashes, 2 resumed the rest, 3 is the retry of
/// S.Crashes on a fresh AUT (it crashed again in S.Crashes, before S.Other),
/// 4 resumed that retry.
EntryResult resumed_and_retried() {
  EntryResult e;
  e.id = "live/test_x";
  e.tier = "live";
  e.name = "test_x";
  e.gtest = true;
  e.uses_aut = true;
  e.executable = "/b/test_x";
  e.reproduce = "/b/test_x";
  e.code = ResultCode::Crash;
  e.reason = "S.Crashes: killed by SIGSEGV during this test";
  e.started_unix_ms = 1'700'000'000'000;
  TestResult t;
  t.name = "S.Crashes";
  t.code = ResultCode::Crash;
  t.message = "killed by SIGSEGV during this test";
  t.attempt = 3;
  t.tries.push_back({1, ResultCode::Crash, RetriedFor::Crash, "killed by SIGSEGV during this test"});
  e.tests = {t};
  e.attempts = {attempt(1, AttemptKind::First, 0, "", "killed by SIGSEGV"),
                attempt(2, AttemptKind::Resume, 0, "*-S.Crashes", "exit code 0"),
                attempt(3, AttemptKind::Retry, 1, "S.Crashes:S.Other", "killed by SIGSEGV"),
                attempt(4, AttemptKind::Resume, 1, "S.Crashes:S.Other-S.Crashes", "exit code 0")};
  return e;
}

BatchResults batch_of(const EntryResult& e) {
  BatchResults r;
  r.started_unix_ms = e.started_unix_ms;
  r.duration = 2s;
  TierResult tier;
  tier.name = e.tier;
  r.tiers.push_back(tier);
  r.entries.push_back(e);
  r.exit_code = 1;
  return r;
}

TEST(BatcherRetryResumeWording, TheConsoleSaysWhichProcessWasAResumeAndWhichARetry) {
  std::string s = failure_block(resumed_and_retried(), false);
  EXPECT_TRUE(has(s, "  resumed in a fresh process (attempt 2, --gtest_filter=*-S.Crashes): exit code 0\n")) << s;
  EXPECT_TRUE(has(s,
                  "  retry 1 of the failed tests, on a fresh AUT (attempt 3, --gtest_filter=S.Crashes:S.Other): "
                  "killed by SIGSEGV\n"))
      << s;
  EXPECT_TRUE(has(
      s, "  resumed retry 1 in a fresh process (attempt 4, --gtest_filter=S.Crashes:S.Other-S.Crashes): exit code 0\n"))
      << s;
  EXPECT_FALSE(has(s, "resumed in a fresh process (attempt 3")) << s;
  // Without an AUT, a retry runs in a fresh process of the binary.
  EntryResult no_aut = resumed_and_retried();
  no_aut.uses_aut = false;
  EXPECT_TRUE(has(failure_block(no_aut, false), "  retry 1 of the failed tests, in a fresh process (attempt 3,"));
}

TEST(BatcherRetryResumeWording, AResumeSaysWhatEndedTheProcessBeforeIt) {
  auto attempt = [](AttemptKind kind, const std::string& stopped_for) {
    AttemptRecord a;
    a.kind = kind;
    a.stopped_for = stopped_for;
    return a;
  };
  const AttemptRecord first_died = attempt(AttemptKind::First, "");
  const AttemptRecord first_timed_out = attempt(AttemptKind::First, "test_timeout");
  const AttemptRecord resume_died = attempt(AttemptKind::Resume, "");
  EXPECT_EQ(resume_phrase({first_died}, true), "");
  EXPECT_EQ(resume_phrase({first_died, resume_died}, true), "resumed 1x after the binary died");
  EXPECT_EQ(resume_phrase({first_died, resume_died}, false), "resumed 1x after the process died");
  EXPECT_EQ(resume_phrase({first_timed_out, resume_died}, true),
            "resumed 1x after a test ran longer than test_timeout");
  EXPECT_EQ(resume_phrase({first_timed_out, attempt(AttemptKind::Resume, ""), resume_died}, true),
            "resumed 2x (1 after the binary died, 1 after a test ran longer than test_timeout)");
}

TEST(BatcherRetryResumeWording, ResultsJsonRecordsEachAttemptsKindAndRetry) {
  auto j = results_to_json(batch_of(resumed_and_retried()));
  const auto& a = j["entries"][0]["attempts"];
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0]["kind"], "first");
  EXPECT_EQ(a[1]["kind"], "resume");
  EXPECT_EQ(a[2]["kind"], "retry");
  EXPECT_EQ(a[2]["retry"], 1);
  EXPECT_EQ(a[3]["kind"], "resume");
  EXPECT_EQ(a[3]["retry"], 1);
  EXPECT_EQ(a[1]["retry"], 0);
  BatchResults back = results_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_EQ(back.entries[0].attempts.size(), 4u);
  EXPECT_EQ(back.entries[0].attempts[2].kind, AttemptKind::Retry);
  EXPECT_EQ(back.entries[0].attempts[2].retry, 1);
  EXPECT_EQ(back.entries[0].attempts[3].kind, AttemptKind::Resume);
  // A record written before attempts had a kind: the first, then resumes.
  for (auto& x : j["entries"][0]["attempts"]) {
    x.erase("kind");
    x.erase("retry");
  }
  BatchResults old = results_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(old.entries[0].attempts[0].kind, AttemptKind::First);
  EXPECT_EQ(old.entries[0].attempts[2].kind, AttemptKind::Resume);
  // Any other kind is refused, naming the field.
  j["entries"][0]["attempts"][1]["kind"] = "rerun";
  try {
    results_from_json(nlohmann::json::parse(j.dump()));
    ADD_FAILURE() << "an unknown kind was read";
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()), "results.entries[0].attempts[1].kind: unknown kind \"rerun\"");
  }
}

TEST(BatcherRetryResumeWording, ReportHtmlSaysWhatEachProcessWas) {
  test_support::TempDir dir;
  HtmlReportOptions o;
  o.report_dir = dir.path();
  std::string h = html_report(batch_of(resumed_and_retried()), o);
  EXPECT_TRUE(has(h, "<td class=\"l\">first run</td>")) << h;
  EXPECT_TRUE(has(h, "<td class=\"l\">resumed in a fresh process</td>"));
  EXPECT_TRUE(has(h, "<td class=\"l\">retry 1 of the failed tests, on a fresh AUT</td>"));
  EXPECT_TRUE(has(h, "<td class=\"l\">resumed retry 1 in a fresh process</td>"));
}

TEST(BatcherRetryResumeWording, JunitCountsResumesAndRetriesApart) {
  std::string x = junit_xml(batch_of(resumed_and_retried()));
  EXPECT_TRUE(has(x, "<property name=\"livegui.attempts\" value=\"4\"/>")) << x;
  EXPECT_TRUE(has(x, "<property name=\"livegui.resumes\" value=\"2\"/>")) << x;
  EXPECT_TRUE(has(x, "<property name=\"livegui.retries\" value=\"1\"/>")) << x;
}

}  // namespace
}  // namespace livegui::batch
