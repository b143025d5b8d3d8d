#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "batcher/report/html_report.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/report/junit_report.hpp"
#include "batcher/report/merge.hpp"
#include "batcher/report/summary.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;

BatchResults sample() {
  BatchResults r;
  r.command_line = {"livegui-batch", "plan.toml"};
  r.plan = "/p/plan.toml";
  r.started_unix_ms = 1'700'000'000'000;
  r.duration = 2500ms;
  TierResult t;
  t.name = "live_gui";
  t.uses_aut = true;
  t.duration = 2s;
  r.tiers.push_back(t);
  EntryResult e;
  e.id = "live_gui/test_x";
  e.tier = "live_gui";
  e.name = "test_x";
  e.executable = "/b/test_x";
  e.args = {"--flag"};
  e.env = {{"A", "b c"}};
  e.gtest = true;
  e.uses_aut = true;
  e.code = ResultCode::Crash;
  e.reason = "S.b: killed";
  e.duration = 1500ms;
  e.started_unix_ms = r.started_unix_ms + 10;
  AttemptRecord a;
  a.number = 1;
  a.exit = "killed by SIGSEGV";
  a.log = "/r/logs/x.log";
  a.pid = 4242;
  e.attempts.push_back(a);
  TestResult ok;
  ok.name = "S.a";
  ok.duration = 3ms;
  TestResult crash;
  crash.name = "S.b";
  crash.code = ResultCode::Crash;
  crash.message = "the test binary was killed by SIGSEGV <during> this test & \"more\"\x01";
  crash.output = "own output of S.b <b>\n";
  TestResult xf;
  xf.name = "S.c";
  xf.code = ResultCode::XFail;
  xf.message = "expected failure: FAIL";
  xf.expected_by = ExpectedBy::Runner;
  e.tests = {ok, crash, xf};
  e.output_tail = "last line <b>\n\xff\xfe broken utf8";
  e.reproduce = "/b/test_x --flag";
  DirtyStart d;
  d.kind = StateVerdictKind::Dead;
  d.message = "live_gui: test_w left the AUT (pid 1) dead — SIGABRT during A.b. test_x starts on a fresh AUT";
  d.previous_entry = "test_w";
  d.aut_pid = 1;
  e.dirty_start = d;
  e.aut_spawns = 2;
  e.aut_respawns = 1;
  r.entries.push_back(e);
  TimelineEvent ev;
  ev.unix_ms = r.started_unix_ms + 20;
  ev.event = TimelineKind::Respawn;
  ev.pid = 7;
  ev.reason = "AUT pid 6 died";
  ev.tier = "live_gui";
  ev.entry = e.id;
  r.aut_timeline.push_back(ev);
  r.exit_code = 1;
  return r;
}

TEST(BatcherReports, ResultsJsonRoundTrips) {
  test_support::TempDir dir("reports");
  BatchResults r = sample();
  write_results_json(dir / "results.json", r);
  BatchResults back = read_results_json(dir / "results.json");
  // Same model, same JSON (invalid UTF-8 in the output tail is replaced once).
  EXPECT_EQ(results_to_json(back).dump(2, ' ', false, nlohmann::json::error_handler_t::replace),
            results_to_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  ASSERT_EQ(back.entries.size(), 1u);
  EXPECT_EQ(back.entries[0].tests[1].code, ResultCode::Crash);
  EXPECT_EQ(back.entries[0].tests[2].expected_by, ExpectedBy::Runner);
  ASSERT_TRUE(back.entries[0].dirty_start.has_value());
  EXPECT_EQ(back.entries[0].dirty_start->kind, StateVerdictKind::Dead);
  EXPECT_EQ(back.aut_timeline[0].event, TimelineKind::Respawn);
  auto doc = nlohmann::json::parse(results_to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  EXPECT_EQ(doc["tiers"][0]["tests"]["CRASH"], 1);
  EXPECT_EQ(doc["tiers"][0]["dirty_starts"], 1);
  EXPECT_EQ(doc["tiers"][0]["aut_respawns"], 1);
  EXPECT_EQ(durations_of(r).at("live_gui/test_x"), 1.5);
}

// Issue 16 leftover: an entry that started on the degraded AUT the batcher
// kept (session scope, respawn "never") says so in results.json ("kept"),
// and a re-read keeps it (merge, --last-failed read the file back); a
// dirty start on a fresh AUT says false. It was not written at all.
TEST(BatcherReports, ADirtyStartOnTheKeptAutRoundTripsAsKept) {
  test_support::TempDir dir("reports-kept");
  BatchResults r = sample();
  r.entries.push_back(r.entries[0]);
  r.entries[1].id = "live_gui/test_y";
  r.entries[1].name = "test_y";
  r.entries[1].dirty_start->kind = StateVerdictKind::Degraded;
  r.entries[1].dirty_start->kept = true;
  write_results_json(dir / "results.json", r);
  auto doc = nlohmann::json::parse(test_support::read_text(dir / "results.json"));
  EXPECT_EQ(doc["entries"][0]["dirty_start"]["kept"], false) << doc["entries"][0]["dirty_start"].dump();
  EXPECT_EQ(doc["entries"][1]["dirty_start"]["kept"], true) << doc["entries"][1]["dirty_start"].dump();
  BatchResults back = read_results_json(dir / "results.json");
  ASSERT_EQ(back.entries.size(), 2u);
  ASSERT_TRUE(back.entries[0].dirty_start && back.entries[1].dirty_start);
  EXPECT_FALSE(back.entries[0].dirty_start->kept);
  EXPECT_TRUE(back.entries[1].dirty_start->kept);
}

TEST(BatcherReports, ReadingNamesTheBadField) {
  auto doc = results_to_json(sample());
  doc["entries"][0]["tests"][1]["result"] = "EXPLODED";
  try {
    results_from_json(nlohmann::json::parse(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    FAIL();
  } catch (const ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("results.entries[0].tests[1].result: unknown result \"EXPLODED\""),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(results_from_json(nlohmann::json::parse(R"({"format": "other"})")), ReportError);
  EXPECT_THROW(read_results_json("/nonexistent/results.json"), ReportError);
}

// Who expected an XFAIL is a closed set (ExpectedBy), refused by field.
TEST(BatcherReports, AnUnknownExpectedByIsRefusedByField) {
  auto doc = results_to_json(sample());
  EXPECT_EQ(doc["entries"][0]["tests"][2]["expected_by"], "runner");
  EXPECT_FALSE(doc["entries"][0]["tests"][0].contains("expected_by")) << "only an XFAIL has one";
  doc["entries"][0]["tests"][2]["expected_by"] = "someone";
  try {
    results_from_json(nlohmann::json::parse(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    FAIL();
  } catch (const ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("results.entries[0].tests[2].expected_by: unknown \"someone\""),
              std::string::npos)
        << e.what();
  }
}

// A dirty start's kind and the run's AUT scope are closed sets
// (StateVerdictKind, AutScope): a file naming another is refused, by field.
TEST(BatcherReports, AnUnknownDirtyStartKindOrScopeIsRefusedByField) {
  auto doc = results_to_json(sample());
  ASSERT_TRUE(doc["entries"][0].contains("dirty_start")) << doc["entries"][0].dump();
  EXPECT_EQ(doc["entries"][0]["dirty_start"]["kind"], "dead");
  doc["entries"][0]["dirty_start"]["kind"] = "sticky";
  try {
    results_from_json(nlohmann::json::parse(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    FAIL() << "an unknown dirty-start kind was read";
  } catch (const ReportError& e) {
    EXPECT_EQ(std::string(e.what()), "results.entries[0].dirty_start.kind: unknown kind \"sticky\"");
  }
  doc = results_to_json(sample());
  doc["aut_scope"] = "tier";
  try {
    results_from_json(nlohmann::json::parse(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    FAIL() << "an unknown scope was read";
  } catch (const ReportError& e) {
    EXPECT_EQ(std::string(e.what()), "results.aut_scope: unknown scope \"tier\" (file or session)");
  }
}

// Timeline events are a closed set (TimelineKind): an unknown or missing one
// is an error naming the field, not an event no report can draw.
TEST(BatcherReports, ReadingRejectsAnUnknownTimelineEvent) {
  auto doc = results_to_json(sample());
  ASSERT_EQ(doc["aut_timeline"][0]["event"], "respawn");
  doc["aut_timeline"][0]["event"] = "exploded";
  // The sample holds bytes that are not UTF-8 (as test output may): replaced, as results.json is written.
  auto reread = [&] {
    return results_from_json(nlohmann::json::parse(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  };
  try {
    reread();
    FAIL() << "an unknown timeline event was accepted";
  } catch (const ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("results.aut_timeline[0].event: unknown event \"exploded\""),
              std::string::npos)
        << e.what();
  }
  doc["aut_timeline"][0].erase("event");
  EXPECT_THROW(reread(), ReportError);
}

TEST(BatcherReports, EveryTimelineKindRoundTripsThroughItsName) {
  for (TimelineKind k : {TimelineKind::Spawn, TimelineKind::Respawn, TimelineKind::Death, TimelineKind::Degraded,
                         TimelineKind::Stopped, TimelineKind::LeakStopped, TimelineKind::Stale, TimelineKind::Corrupt})
    EXPECT_EQ(timeline_kind_from_name(to_string(k)), k) << to_string(k);
  EXPECT_EQ(to_string(TimelineKind::LeakStopped), std::string("leak-stopped"));
  EXPECT_FALSE(timeline_kind_from_name("Spawn")) << "the results.json spelling only";
}

// A pytest entry's tests keep their node ids: the '.' of ".py" is not a
// GoogleTest suite boundary (it was: classname "live_gui.test_basic.tests/
// live/test_basic", name "py::test_click_increments").
TEST(BatcherReports, JunitKeepsPytestNodeIdsWhole) {
  BatchResults r;
  EntryResult e;
  e.id = "live_gui/test_basic";
  e.tier = "live_gui";
  e.name = "test_basic";
  e.gtest = false;
  e.reproduce = "pytest tests/live/test_basic.py";
  for (auto [n, c] : std::vector<std::pair<std::string, ResultCode>>{
           {"tests/live/test_basic.py::test_click_increments", ResultCode::Pass},
           {"tests/live/test_basic.py::TestK::test_p[a.b::c]", ResultCode::Fail},
           {"tests.live.test_broken", ResultCode::Fail}}) {  // a collection error, as pytest's junitxml names it
    TestResult t;
    t.name = n;
    t.code = c;
    t.message = "boom";
    e.tests.push_back(t);
  }
  r.entries.push_back(e);
  std::string xml = junit_xml(r);
  EXPECT_NE(xml.find("<testcase classname=\"live_gui.test_basic\" "
                     "name=\"tests/live/test_basic.py::test_click_increments\""),
            std::string::npos)
      << xml;
  EXPECT_NE(
      xml.find("<testcase classname=\"live_gui.test_basic\" name=\"tests/live/test_basic.py::TestK::test_p[a.b::c]\""),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"live_gui.test_basic\" name=\"tests.live.test_broken\""), std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("name=\"py::"), std::string::npos) << xml;
}

TEST(BatcherReports, APytestTestsSystemOutIsItsOwnOutputNeverTheWholeRunsTail) {
  // Trial12c: every failing pytest testcase carried the tail of the whole
  // run, other tests' output and tracebacks included.
  BatchResults r;
  EntryResult e;
  e.id = "py/out";
  e.tier = "py";
  e.name = "out";
  e.gtest = false;
  e.output_tail = "MARK-A\nMARK-B\n== 2 failed ==\n";
  TestResult a;
  a.name = "test_out.py::test_a";
  a.code = ResultCode::Fail;
  a.message = "assert 1 == 2";
  a.output = "MARK-A\n";  // its own, from the JUnit report
  TestResult b;
  b.name = "test_out.py::test_b";
  b.code = ResultCode::Fail;
  b.message = "assert 3 == 4";  // no output of its own
  e.tests = {a, b};
  r.entries.push_back(e);
  std::string xml = junit_xml(r);
  auto case_of = [&](const std::string& name) {
    auto at = xml.find("name=\"" + name + "\"");
    return at == std::string::npos ? std::string() : xml.substr(at, xml.find("</testcase>", at) - at);
  };
  EXPECT_NE(case_of("test_out.py::test_a").find("<system-out>MARK-A\n</system-out>"), std::string::npos) << xml;
  EXPECT_EQ(case_of("test_out.py::test_b").find("<system-out>"), std::string::npos) << xml;
  EXPECT_EQ(case_of("test_out.py::test_a").find("MARK-B"), std::string::npos) << xml;
}

/// A pytest entry whose tests failed in each phase (issue 15 leftover).
EntryResult phases_entry() {
  EntryResult e;
  e.id = "py/test_f";
  e.tier = "py";
  e.name = "test_f";
  e.reproduce = "pytest t/test_f.py";
  for (auto [n, where] :
       std::vector<std::pair<std::string, ErrorIn>>{{"t/test_f.py::test_setup", ErrorIn::Setup},
                                                    {"t/test_f.py::test_td", ErrorIn::Teardown},
                                                    {"t/test_f.py::test_both", ErrorIn::CallAndTeardown},
                                                    {"t/bad.py", ErrorIn::Collection},
                                                    {"t/test_f.py::test_fails", ErrorIn::None}}) {
    TestResult t;
    t.name = n;
    t.code = ResultCode::Fail;
    t.error_in = where;
    t.message = "why " + n;
    e.tests.push_back(t);
  }
  return e;
}

// pytest's error (a fixture that raised in set-up or tear-down, a file it
// could not collect) is junit.xml's <error> (Surefire: not an assertion), a
// body failure with a tear-down error both; counted as errors. results.json
// keeps error_in and reads it back.
TEST(BatcherReports, AnErrorInSetUpTearDownOrCollectionIsAJunitErrorAndRoundTrips) {
  BatchResults r;
  r.entries.push_back(phases_entry());
  const std::string xml = junit_xml(r);
  auto testcase = [&](const std::string& name) {
    auto at = xml.find("name=\"" + name + "\"");
    return at == std::string::npos ? std::string() : xml.substr(at, xml.find("</testcase>", at) - at);
  };
  for (const char* n : {"t/test_f.py::test_setup", "t/test_f.py::test_td", "t/bad.py"}) {
    EXPECT_NE(testcase(n).find("<error type=\"FAIL\""), std::string::npos) << xml;
    EXPECT_EQ(testcase(n).find("<failure"), std::string::npos) << xml;
  }
  EXPECT_NE(testcase("t/test_f.py::test_both").find("<failure type=\"FAIL\""), std::string::npos) << xml;
  EXPECT_NE(testcase("t/test_f.py::test_both").find("<error type=\"teardown\""), std::string::npos) << xml;
  EXPECT_NE(testcase("t/test_f.py::test_fails").find("<failure"), std::string::npos) << xml;
  EXPECT_EQ(testcase("t/test_f.py::test_fails").find("<error"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testsuites name=\"livegui-batch\" tests=\"5\" failures=\"2\" errors=\"3\""), std::string::npos)
      << xml;

  auto doc = results_to_json(r);
  EXPECT_EQ(doc["entries"][0]["tests"][0]["error_in"], "setup");
  EXPECT_EQ(doc["entries"][0]["tests"][2]["error_in"], "call-and-teardown");
  EXPECT_EQ(doc["entries"][0]["tests"][3]["error_in"], "collection");
  EXPECT_FALSE(doc["entries"][0]["tests"][4].contains("error_in")) << "an assertion's failure has none";
  BatchResults back = results_from_json(nlohmann::json::parse(doc.dump()));
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(back.entries[0].tests[i].error_in, r.entries[0].tests[i].error_in) << i;
  doc["entries"][0]["tests"][1]["error_in"] = "lunch";
  try {
    results_from_json(nlohmann::json::parse(doc.dump()));
    FAIL();
  } catch (const ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("results.entries[0].tests[1].error_in: unknown \"lunch\""), std::string::npos)
        << e.what();
  }
}

// An error whose runner said no phase (a JUnit <error> of a runner other
// than pytest: Surefire's unexpected exception) stays an <error>, never an
// assertion's <failure>, and results.json says "unspecified".
TEST(BatcherReports, AnErrorOfUnspecifiedPhaseIsAJunitErrorAndRoundTrips) {
  BatchResults r;
  EntryResult e;
  e.id = "j/app";
  e.tier = "j";
  e.name = "app";
  TestResult t;
  t.name = "com.acme.AppTest.opens";
  t.code = ResultCode::Fail;
  t.error_in = ErrorIn::Unspecified;
  t.message = "error: boom";
  e.tests.push_back(t);
  r.entries.push_back(e);
  const std::string xml = junit_xml(r);
  EXPECT_NE(xml.find("<error type=\"FAIL\" message=\"error: boom\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos) << xml;
  EXPECT_NE(xml.find("failures=\"0\" errors=\"1\""), std::string::npos) << xml;
  auto doc = results_to_json(r);
  EXPECT_EQ(doc["entries"][0]["tests"][0]["error_in"], "unspecified");
  BatchResults back = results_from_json(nlohmann::json::parse(doc.dump()));
  EXPECT_EQ(back.entries[0].tests[0].error_in, ErrorIn::Unspecified);
}

TEST(BatcherReports, JunitShowsCrashesExpectedFailuresAndDirtyStarts) {
  std::string xml = junit_xml(sample());
  EXPECT_NE(xml.find("<testsuites name=\"livegui-batch\" tests=\"3\" failures=\"0\" errors=\"1\" skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"live_gui.test_x.S\" name=\"a\" time=\"0.003\"/>"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<error type=\"CRASH\" message=\"the test binary was killed by SIGSEGV &lt;during&gt; this "
                     "test &amp; &quot;more&quot;\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("reproduce: A=&apos;b c&apos; /b/test_x --flag --gtest_filter=S.b"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<skipped message=\"expected failure: FAIL\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"livegui.dirty_start\" value=\"dead\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<system-out>[BATCH-WARN] live_gui: test_w left the AUT"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"livegui.aut_respawns\" value=\"1\"/>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find('\x01'), std::string::npos) << "control characters are not allowed in XML";
  EXPECT_EQ(xml.find('\xff'), std::string::npos) << "invalid UTF-8 is replaced";
  // A failing test's <system-out> is its own output, not the binary's tail.
  EXPECT_NE(xml.find("<system-out>own output of S.b &lt;b&gt;"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("last line &lt;b&gt;"), std::string::npos) << xml;
}

// A tier's own warning (a guest replaced the session AUT during the tier's
// last entry, said at the tier's end) is in the console and results.json; it
// reaches junit.xml too, with the tier's last entry, once.
TEST(BatcherReports, JunitCarriesATiersOwnWarningsWithItsLastEntry) {
  BatchResults r;
  TierResult t;
  t.name = "live";
  t.warnings = {
      "[BATCH-WARN] live: during b, livegui-aut (pid 9) replaced the session AUT (pid 8) with pid 10 — AUT "
      "pid 8 died during t.py::test_x (killed by SIGSEGV); it stopped pid 10 when it ended. (No AUT entry "
      "follows in this tier.)"};
  TierResult other;
  other.name = "unit";
  r.tiers = {t, other};
  for (auto [tier, name] :
       std::vector<std::pair<std::string, std::string>>{{"live", "a"}, {"live", "b"}, {"unit", "c"}}) {
    EntryResult e;
    e.id = tier + "/" + name;
    e.tier = tier;
    e.name = name;
    r.entries.push_back(e);
  }
  std::string xml = junit_xml(r);
  // Said as the tier's (trial14a: read as the last entry's on a dashboard).
  const std::string line =
      "<system-out>Warnings of tier live (not of b alone):\n[BATCH-WARN] live: during b, livegui-aut (pid 9) replaced the session AUT "
      "(pid 8) with pid 10 — AUT pid 8 died during t.py::test_x (killed by SIGSEGV); it stopped "
      "pid 10 when it ended. (No AUT entry follows in this tier.)\n</system-out>\n  </testsuite>";
  auto at = xml.find(line);
  ASSERT_NE(at, std::string::npos) << xml;
  EXPECT_EQ(xml.find("replaced the session AUT", at + line.size()), std::string::npos) << "said once: " << xml;
  auto b = xml.find("<testsuite name=\"live.b\"");
  auto c = xml.find("<testsuite name=\"unit.c\"");
  EXPECT_LT(b, at) << xml;
  EXPECT_GT(c, at) << xml;
}

// A passing test's note ("fresh AUT: …", which the livegui_pytest plugin
// streams when a test got a respawned AUT) is in results.json and in junit.xml.
TEST(BatcherReports, JunitCarriesAPassingTestsNote) {
  BatchResults r;
  EntryResult e;
  e.id = "live/t";
  e.tier = "live";
  e.name = "t";
  TestResult ok;
  ok.name = "t.py::test_after";
  ok.message = "fresh AUT: AUT pid 41 died during t.py::test_crash (SIGSEGV); respawned for t.py::test_after as pid 42";
  e.tests.push_back(ok);
  r.entries.push_back(e);
  std::string xml = junit_xml(r);
  EXPECT_NE(xml.find("<testcase classname=\"live.t\" name=\"t.py::test_after\" time=\"0.000\">\n      "
                     "<system-out>fresh AUT: AUT pid 41 died during t.py::test_crash (SIGSEGV); respawned for "
                     "t.py::test_after as pid 42</system-out>\n    </testcase>"),
            std::string::npos)
      << xml;
}

TEST(BatcherReports, XmlEscaping) {
  EXPECT_EQ(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  EXPECT_EQ(xml_escape("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(xml_escape("\x1b[31m"), "[31m");
  EXPECT_EQ(xml_escape("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(xml_escape("bad\xc3"), "bad\xEF\xBF\xBD");
}

TEST(BatcherReports, MergeCombinesShards) {
  BatchResults a = sample();
  a.shard_index = 0;
  a.shard_count = 2;
  BatchResults b = sample();
  b.shard_index = 1;
  b.shard_count = 2;
  b.entries[0].id = "live_gui/test_y";
  b.entries[0].name = "test_y";
  b.entries[0].code = ResultCode::Pass;
  b.entries[0].tests = {b.entries[0].tests[0]};
  b.duration = 9s;
  b.aut_timeline[0].unix_ms -= 15;
  BatchResults m = merge_results({a, b});
  EXPECT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.tiers.size(), 1u);
  EXPECT_EQ(m.duration, 9s);
  EXPECT_EQ(m.shard_count, 1);
  ASSERT_EQ(m.aut_timeline.size(), 2u);
  EXPECT_LT(m.aut_timeline[0].unix_ms, m.aut_timeline[1].unix_ms);
  EXPECT_EQ(m.exit_code, 1);
  BatchResults only_b = merge_results({b});
  EXPECT_EQ(only_b.exit_code, 1) << "shard 1/2 missing: incomplete";
  bool noted = false;
  for (const auto& n : only_b.notes) noted = noted || n.find("shard 1/2 is missing") != std::string::npos;
  EXPECT_TRUE(noted);
}

// Reports dealt from different splits (one shard run with another
// --durations file) can share an entry and miss another, e.g. the failing
// one: the merge must not pass silently.
TEST(BatcherReports, MergeOfReportsFromDifferentSplitsIsIncomplete) {
  BatchResults a = sample();
  a.shard_index = 0;
  a.shard_count = 2;
  a.entries[0].code = ResultCode::Pass;
  for (auto& t : a.entries[0].tests) t.code = ResultCode::Pass;
  BatchResults b = a;  // shard 2/2 of another split: the same entry again
  b.shard_index = 1;
  BatchResults m = merge_results({a, b});
  EXPECT_EQ(m.entries.size(), 1u);
  EXPECT_EQ(m.exit_code, 1) << "an entry in two reports means the merged results may lack others";
  bool noted = false;
  for (const auto& n : m.notes) noted = noted || n.find("ran in more than one report") != std::string::npos;
  EXPECT_TRUE(noted);
  std::string text = summary_text(m, SummaryOptions{});
  EXPECT_NE(text.find("INCOMPLETE: "), std::string::npos) << text;
  EXPECT_EQ(text.find("PASSED: "), std::string::npos) << "the closing line agrees with the exit code: " << text;
  // report.html's verdict is the console's.
  std::string html = html_report(m, HtmlReportOptions{});
  EXPECT_NE(html.find("<span class=\"verdict-INCOMPLETE\">INCOMPLETE</span>"), std::string::npos);
  EXPECT_EQ(html.find("verdict-PASSED\">"), std::string::npos);
}

// merge --html: each shard's AUT lifetimes and entries get a lane group of
// their own, and the entries keep the merged page's order (its links).
TEST(BatcherReports, MergedTimelineHasLanesPerShard) {
  BatchResults a = sample();
  a.shard_index = 0;
  a.shard_count = 2;
  BatchResults b = sample();
  b.shard_index = 1;
  b.shard_count = 2;
  b.entries[0].id = "live_gui/test_y";
  b.entries[0].name = "test_y";
  b.aut_timeline[0].pid = 777;
  BatchResults m = merge_results({a, b});
  BatchResults lanes = timeline_by_shard(m, {a, b});
  ASSERT_EQ(lanes.entries.size(), 2u);
  EXPECT_EQ(lanes.entries[0].id, m.entries[0].id);
  EXPECT_EQ(lanes.entries[0].tier, "live_gui · shard 1/2");
  EXPECT_EQ(lanes.entries[1].tier, "live_gui · shard 2/2");
  ASSERT_EQ(lanes.tiers.size(), 2u);
  EXPECT_EQ(lanes.tiers[0].name, "live_gui · shard 1/2");
  EXPECT_EQ(lanes.tiers[1].name, "live_gui · shard 2/2");
  ASSERT_EQ(lanes.aut_timeline.size(), 2u);
  for (const auto& ev : lanes.aut_timeline)
    EXPECT_EQ(ev.tier, ev.pid == 777 ? "live_gui · shard 2/2" : "live_gui · shard 1/2");
  EXPECT_EQ(m.entries[0].tier, "live_gui") << "the merged results themselves are unchanged";
  BatchResults plain = sample();
  EXPECT_EQ(shard_label(plain, 2), "report 3");
}

TEST(BatcherReports, TheSummaryDoesNotRepeatATiersWarningTheConsoleAlreadyPrinted) {
  // A tier's warning is printed once, live, when the tier ends (and kept in
  // every report); the summary after it does not print it a second time.
  BatchResults r = sample();
  ASSERT_FALSE(r.tiers.empty());
  r.tiers[0].warnings.push_back(
      "[BATCH-WARN] live_gui: test_long left the AUT (pid 28330) dead — it went down with its owner. (No AUT entry "
      "follows in this tier.)");
  std::string text = summary_text(r, SummaryOptions{});
  EXPECT_EQ(text.find("[BATCH-WARN]"), std::string::npos) << text;
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

/// Every field name docs/results.md gives in the first column of a table.
std::set<std::string> documented_fields() {
  std::ifstream in(livegui::test_support::source("docs/results.md"));
  std::set<std::string> out;
  static const std::regex kName("`([a-z_]+)`");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    std::string first = line.substr(1, line.find('|', 1) - 1);
    for (std::sregex_iterator it(first.begin(), first.end(), kName), end; it != end; ++it) out.insert((*it)[1]);
  }
  return out;
}

void collect_keys(const nlohmann::ordered_json& j, const std::string& path, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      // The per-code count objects are keyed by result code, documented as such.
      if (path == "tiers.tests") continue;
      out.insert(k);
      // An entry's `env` is keyed by the user's variable names.
      if (k != "env") collect_keys(v, path.empty() ? k : path + "." + k, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collect_keys(v, path, out);
  }
}

TEST(BatcherReports, EveryFieldResultsJsonHasIsDocumented) {
  BatchResults r = sample();
  // Switch on every optional field.
  TestResult all;
  all.name = "S.d";
  all.code = ResultCode::Skipped;
  all.message = "disabled";
  all.disabled = true;
  all.synthetic = true;
  all.screenshot = "artifacts/x.png";
  all.output = "its own output\n";
  r.entries[0].tests.push_back(all);
  std::set<std::string> keys;
  collect_keys(results_to_json(r), "", keys);
  std::set<std::string> doc = documented_fields();
  ASSERT_GT(doc.size(), 30u) << "docs/results.md was not read";
  for (const auto& k : keys) EXPECT_TRUE(doc.count(k)) << "results.json field `" << k << "` is not in docs/results.md";
}

TEST(BatcherReports, TheSummaryLineCountsDisabledTestsApartFromSkippedOnes) {
  BatchResults r = sample();
  TestResult off;
  off.name = "S.DISABLED_off";
  off.code = ResultCode::Skipped;
  off.message = "disabled";
  off.disabled = true;
  TestResult skip;
  skip.name = "S.skip";
  skip.code = ResultCode::Skipped;
  r.entries[0].tests.push_back(off);
  r.entries[0].tests.push_back(off);
  r.entries[0].tests.push_back(skip);
  std::string text = summary_text(r, SummaryOptions{});
  EXPECT_NE(text.find(", 1 skipped, 2 disabled"), std::string::npos) << text;
}

}  // namespace
}  // namespace livegui::batch
