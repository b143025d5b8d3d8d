// report.html from hand-built results: escaping (no HTML injection from test
// names, output, reasons or warnings), the timeline's elements, screenshots
// as data: URIs within the caps and linked beyond them, AUT log tails, a
// partial (interrupted) report, and the screenshot property's way from the
// gtest JSON into the results.
#include "batcher/report/html_report.hpp"

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "batcher/report/html_timeline.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/run/classify.hpp"
#include "batcher/run/gtest_output.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;
namespace fs = std::filesystem;

constexpr std::int64_t kT0 = 1795244250000;

// The canonical 1×1 transparent PNG.
const std::string kTinyPng(
    "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00"
    "\x00\nIDATx\x9c\x63\x00\x01\x00\x00\x05\x00\x01\x0d\x0a\x2d\xb4\x00\x00\x00\x00IEND\xae\x42\x60\x82",
    67);

void write_file(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// Tags balance (void elements are written self-closed), one root element.
bool balanced(const std::string& html, std::string* why) {
  std::vector<std::string> stack;
  for (auto i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
    auto end = html.find('>', i);
    if (end == std::string::npos) return *why = "unterminated tag", false;
    std::string tag = html.substr(i + 1, end - i - 1);
    if (tag.empty() || tag[0] == '!') continue;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1))
        return *why = "</" + tag.substr(1) + "> does not match", false;
      stack.pop_back();
      continue;
    }
    if (tag.back() == '/') continue;
    std::string name = tag.substr(0, tag.find_first_of(" \t\n"));
    // <style> holds CSS, which may contain '>' but never '<'.
    stack.push_back(name);
  }
  if (!stack.empty()) return *why = "<" + stack.back() + "> never closed", false;
  return true;
}

TestResult test(const std::string& name, ResultCode code, std::chrono::milliseconds d, const std::string& message = {},
                int attempt = 1) {
  TestResult t;
  t.name = name;
  t.code = code;
  t.duration = d;
  t.message = message;
  t.attempt = attempt;
  return t;
}

TimelineEvent event(std::int64_t at, const std::string& kind, pid_t pid, const std::string& reason,
                    const std::string& tier = "live", const std::string& entry = "live/a") {
  TimelineEvent e;
  e.unix_ms = kT0 + at;
  e.event = timeline_kind_from_name(kind).value();
  e.pid = pid;
  e.reason = reason;
  e.tier = tier;
  e.entry = entry;
  return e;
}

/// Two tiers; in `live`, entry a degrades the AUT (respawned for b, which
/// starts dirty), and the new AUT dies during b.
BatchResults sample() {
  BatchResults r;
  r.command_line = {"livegui-batch", "plan.toml"};
  r.plan = "/src/plan.toml";
  r.aut_scope = AutScope::Session;
  r.started_unix_ms = kT0;
  r.duration = 6s;
  r.tiers = {{"unit", false, 1s, {}}, {"live", true, 5s, {}}};

  EntryResult u;
  u.id = "unit/test_model";
  u.tier = "unit";
  u.name = "test_model";
  u.gtest = true;
  u.executable = "/b/test_model";
  u.started_unix_ms = kT0 + 10;
  u.duration = 900ms;
  u.tests = {test("Model.Adds", ResultCode::Pass, 300ms), test("Model.Removes", ResultCode::Pass, 400ms)};
  u.attempts = {{1, "", "exit code 0", "", 900ms, "", 100}};
  r.entries.push_back(u);

  EntryResult a;
  a.id = "live/a";
  a.tier = "live";
  a.name = "a";
  a.gtest = true;
  a.uses_aut = true;
  a.executable = "/b/a";
  a.code = ResultCode::XFail;
  a.started_unix_ms = kT0 + 1000;
  a.duration = 2s;
  a.tests = {test("Sims.First", ResultCode::Pass, 500ms),
             test("Sims.Breaks", ResultCode::XFail, 1200ms, "expected failure: FAIL: assertion in the main loop")};
  a.attempts = {{1, "", "exit code 1", "", 2s, "", 101}};
  r.entries.push_back(a);

  EntryResult b;
  b.id = "live/b";
  b.tier = "live";
  b.name = "b";
  b.gtest = true;
  b.uses_aut = true;
  b.executable = "/b/b";
  b.code = ResultCode::Fail;
  b.reason = "Flow.Works: the AUT died";
  b.started_unix_ms = kT0 + 3100;
  b.duration = 2500ms;
  b.dirty_start = DirtyStart{StateVerdictKind::Degraded, "live: a left the AUT (pid 500) degraded", "a", 500};
  b.tests = {test("Flow.Works", ResultCode::Fail, 2000ms, "the AUT died during this test")};
  b.attempts = {{1, "", "exit code 1", "", 2500ms, "", 102}};
  b.output_tail = "[ RUN      ] Flow.Works\nsomething went wrong\n";
  r.entries.push_back(b);

  r.aut_timeline = {event(900, "spawn", 500, "started by livegui-batch"),
                    event(2600, "degraded", 500, "assertion failed: x > 0 (frame 12)"),
                    event(3050, "respawn", 501, "AUT pid 500 degraded during Sims.Breaks", "live", ""),
                    event(4500, "death", 501, "AUT pid 501: killed by SIGSEGV", "live", "live/b")};
  r.exit_code = 1;
  return r;
}

HtmlReportOptions options_for(const TempDir& dir) {
  HtmlReportOptions o;
  o.report_dir = dir.path();
  return o;
}

TEST(HtmlReport, NoInjectionFromNamesOutputReasonsOrWarnings) {
  TempDir dir("html");
  BatchResults r = sample();
  const std::string evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";
  r.plan = "/src/" + evil + ".toml";
  r.notes.push_back("note " + evil);
  r.tiers[1].warnings.push_back("[BATCH-WARN] live: " + evil);
  r.entries[2].name = "b" + evil;
  r.entries[2].reason = evil;
  r.entries[2].tests[0].name = "Flow.Works" + evil;
  r.entries[2].tests[0].message = "output: </pre>" + evil;
  r.entries[2].output_tail = "</details></pre>" + evil;
  r.entries[2].dirty_start->message = "</div>" + evil;
  r.entries[2].warnings.push_back(evil);
  r.entries[2].env["X"] = evil;
  r.entries[2].reproduce = "cd " + evil;
  r.aut_timeline[1].reason = "</title></svg>" + evil;
  r.aut_timeline[3].reason = evil;
  r.entries[2].tests[0].screenshot = "artifacts/" + evil + ".png";

  std::string html = html_report(r, options_for(dir));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(count(html, "<img"), count(html, "<img class=\"screenshot\""));
  EXPECT_EQ(count(html, "<svg"), 1u);
  EXPECT_EQ(html.find("</title></svg>"), std::string::npos);
  EXPECT_GE(count(html, "&lt;script&gt;alert(1)&lt;/script&gt;"), 8u);
  EXPECT_NE(html.find("&lt;/title&gt;&lt;/svg&gt;"), std::string::npos);
  // No script can run even if something slipped through.
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'; img-src data:;"), std::string::npos);
  EXPECT_NE(
      html.find("artifacts/&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;.png "
                "is missing"),
      std::string::npos);
  std::string why;
  EXPECT_TRUE(balanced(html, &why)) << why;
}

TEST(HtmlReport, SummaryHasTheTextSummaryNumbersPerTier) {
  TempDir dir("html");
  std::string html = html_report(sample(), options_for(dir));
  // tier, entries, pass, fail, crash, timeout, unresolved, skip, xfail, xpass, dirty, respawns, duration
  auto cells = [&](const std::string& tier) {
    auto at = html.find("<td class=\"l\">" + tier + "</td>");
    EXPECT_NE(at, std::string::npos) << tier;
    auto end = html.find("</tr>", at);
    std::string tr = html.substr(at, end - at);
    std::vector<std::string> out;
    std::regex cell(R"(<td[^>]*>([^<]*)</td>)");
    for (auto it = std::sregex_iterator(tr.begin(), tr.end(), cell); it != std::sregex_iterator(); ++it)
      out.push_back((*it)[1]);
    return out;
  };
  EXPECT_EQ(cells("unit"),
            (std::vector<std::string>{"unit", "1", "2", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1.00 s"}));
  auto live = cells("live");
  ASSERT_GE(live.size(), 12u);
  EXPECT_EQ(std::vector<std::string>(live.begin(), live.begin() + 12),
            (std::vector<std::string>{"live", "2", "1", "1", "0", "0", "0", "0", "1", "0", "1", "0"}));
  auto total = cells("total");
  ASSERT_GE(total.size(), 4u);
  EXPECT_EQ(total[1], "3");
  EXPECT_EQ(total[2], "3");
  EXPECT_NE(html.find("verdict-FAILED"), std::string::npos);
}

TEST(HtmlTimeline, DrawsLifetimesDeathsRespawnsDirtyStartsAndTests) {
  BatchResults r = sample();
  std::string svg = timeline_svg(r);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find(TimelineColours::kBackground), std::string::npos);
  // pid 500: healthy, then degraded; pid 501: respawned, then died.
  EXPECT_EQ(count(svg, "class=\"aut-degraded\""), 1u);
  EXPECT_NE(svg.find(std::string("fill=\"") + TimelineColours::kDegraded), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"aut-respawn\""), 1u);
  EXPECT_NE(svg.find(std::string("fill=\"") + TimelineColours::kRespawn), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"aut-death\""), 1u);
  EXPECT_NE(svg.find(std::string("fill=\"") + TimelineColours::kDead), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"dirty-start\""), 1u);
  EXPECT_NE(svg.find(std::string("fill=\"") + TimelineColours::kDirty), std::string::npos);
  // Guides through every row: one for the degradation, one for the death.
  EXPECT_EQ(count(svg, "class=\"guide\""), 2u);
  // Reasons are tooltips.
  EXPECT_NE(svg.find("<title>AUT pid 500 degraded at +2.6 s: assertion failed: x &gt; 0 (frame 12)</title>"),
            std::string::npos);
  EXPECT_NE(svg.find("<title>respawn at +3.0 s: AUT pid 500 degraded during Sims.Breaks</title>"), std::string::npos)
      << svg;
  EXPECT_NE(svg.find("AUT pid 501 died at +4.5 s: AUT pid 501: killed by SIGSEGV"), std::string::npos);
  EXPECT_NE(svg.find("dirty start (degraded): [BATCH-WARN] live: a left the AUT (pid 500) degraded"),
            std::string::npos);
  // Entries link to their sections; every test is a tick.
  for (int i = 0; i < 3; ++i) EXPECT_NE(svg.find("href=\"#entry-" + std::to_string(i) + "\""), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"test\""), 5u);
  EXPECT_NE(svg.find("<title>Flow.Works: FAIL (2.00 s, ended about +5.1 s)</title>"), std::string::npos) << svg;
}

TEST(HtmlTimeline, RebuildsLifetimesFromEvents) {
  BatchResults r = sample();
  auto lts = aut_lifetimes(r.aut_timeline, kT0);
  ASSERT_EQ(lts.size(), 2u);
  EXPECT_EQ(lts[0].pid, 500);
  EXPECT_EQ(lts[0].start_ms, kT0 + 900);
  EXPECT_FALSE(lts[0].respawn);
  EXPECT_EQ(lts[0].degraded_ms, kT0 + 2600);
  EXPECT_EQ(lts[0].end_kind, LifetimeEnd::Replaced);
  EXPECT_EQ(lts[0].end_ms, kT0 + 3050);
  EXPECT_EQ(lts[1].pid, 501);
  EXPECT_TRUE(lts[1].respawn);
  EXPECT_EQ(lts[1].end_kind, LifetimeEnd::Death);
  EXPECT_EQ(lts[1].end_ms, kT0 + 4500);
  EXPECT_EQ(lts[0].lane, 0);
  EXPECT_EQ(lts[1].lane, 0);

  // An AUT first seen dying started before the batch saw it; an explicit
  // stop beats "replaced"; overlapping AUTs get separate lanes.
  std::vector<TimelineEvent> evs = {event(100, "death", 7, "killed by SIGKILL"), event(200, "spawn", 8, "started"),
                                    event(300, "spawn", 9, "started by another owner"),
                                    event(400, "stopped", 8, "stopped"), event(500, "corrupt", 0, "bad json")};
  auto more = aut_lifetimes(evs, kT0);
  ASSERT_EQ(more.size(), 3u);
  EXPECT_EQ(more[0].pid, 7);
  EXPECT_FALSE(more[0].start_seen);
  EXPECT_EQ(more[0].start_ms, kT0);
  EXPECT_EQ(more[0].end_kind, LifetimeEnd::Death);
  EXPECT_EQ(more[1].lane, 0);
  EXPECT_EQ(more[2].lane, 1);
  EXPECT_EQ(more[1].end_kind, LifetimeEnd::Stopped);
  EXPECT_EQ(more[2].end_ms, -1);
  EXPECT_FALSE(more[2].end_kind) << "still running when the batch ended";
}

TEST(HtmlReport, EmbedsASmallScreenshotAsADataUri) {
  TempDir dir("html");
  write_file(dir / "artifacts/live__b/Flow.Works.png", kTinyPng);
  BatchResults r = sample();
  r.entries[2].tests[0].screenshot = "artifacts/live__b/Flow.Works.png";
  std::string html = html_report(r, options_for(dir));
  EXPECT_NE(
      html.find("<img class=\"screenshot\" alt=\"failure screenshot of Flow.Works\" src=\"data:image/png;base64," +
                base64_encode(kTinyPng) + "\" />"),
      std::string::npos);
  EXPECT_NE(html.find("href=\"./artifacts/live__b/Flow.Works.png\""), std::string::npos);
  EXPECT_NE(html.find("Flow.Works</a> <span class=\"muted\">[screenshot]</span>"), std::string::npos);
}

TEST(HtmlReport, LinksScreenshotsBeyondThePerImageAndTotalCaps) {
  TempDir dir("html");
  std::string big = kTinyPng + std::string(200, 'x');  // 267 bytes
  write_file(dir / "artifacts/one <\"&'>.png", big);
  write_file(dir / "artifacts/two.png", big);
  BatchResults r = sample();
  r.entries[1].tests[1].screenshot = "artifacts/one <\"&'>.png";
  r.entries[2].tests[0].screenshot = "artifacts/two.png";

  HtmlReportOptions per_image = options_for(dir);
  per_image.max_image_bytes = 100;
  std::string html = html_report(r, per_image);
  EXPECT_EQ(html.find("data:image/png"), std::string::npos);
  EXPECT_EQ(count(html, "not embedded, over the per-image cap of 100 bytes"), 2u);
  // Links are relative and percent-encoded.
  EXPECT_NE(
      html.find("<a href=\"./artifacts/one%20%3C%22%26%27%3E.png\">artifacts/one &lt;&quot;&amp;&#39;&gt;.png</a>"),
      std::string::npos);

  HtmlReportOptions total = options_for(dir);
  total.max_total_image_bytes = 400;  // room for one
  html = html_report(r, total);
  EXPECT_EQ(count(html, "data:image/png;base64,"), 1u);
  EXPECT_EQ(count(html, "over the total cap of 400 bytes"), 1u);
}

TEST(HtmlReport, SaysWhenAScreenshotIsMissingOrNotAPng) {
  TempDir dir("html");
  write_file(dir / "artifacts/fake.png", "GIF89a not a png");
  BatchResults r = sample();
  r.entries[1].tests[1].screenshot = "artifacts/fake.png";
  r.entries[2].tests[0].screenshot = "artifacts/gone.png";
  std::string html = html_report(r, options_for(dir));
  EXPECT_EQ(html.find("data:image"), std::string::npos);
  EXPECT_NE(html.find("artifacts/fake.png is not a PNG file; not embedded"), std::string::npos);
  EXPECT_NE(html.find("artifacts/gone.png is missing"), std::string::npos);
}

TEST(HtmlReport, ShowsFailureDetailsWithReproductionOutputAndAutLogTail) {
  TempDir dir("html");
  write_file(dir / "logs/aut/aut-2.log",
             "LIVEGUI_HOOK_READY port=4000 pid=501 protocol=1\nframe 1\nsegfault in render <here>\n");
  write_file(dir / "logs/aut/aut-1.log", "LIVEGUI_HOOK_READY port=4001 pid=500 protocol=1\nassert\n");
  write_file(dir / "logs/aut/unrelated.txt", "LIVEGUI_HOOK_READY port=1 pid=999 protocol=1\n");
  auto logs = aut_logs_by_pid(dir / "logs/aut");
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[501].filename(), "aut-2.log");

  BatchResults r = sample();
  std::string html = html_report(r, options_for(dir));
  auto block = html.find("id=\"test-2-0\"");
  ASSERT_NE(block, std::string::npos);
  std::string failure = html.substr(block, html.find("</details>", html.find("AUT log tail, pid 501", block)) - block);
  EXPECT_NE(failure.find("<pre>/b/b --gtest_filter=Flow.Works</pre>"), std::string::npos) << failure;
  EXPECT_NE(failure.find("the AUT died during this test"), std::string::npos);
  EXPECT_NE(failure.find("something went wrong"), std::string::npos);
  EXPECT_NE(failure.find("segfault in render &lt;here&gt;"), std::string::npos);
  // The expected failure is listed apart, and the dirty-state warning at the top.
  EXPECT_NE(html.find("Expected failures (1)"), std::string::npos);
  EXPECT_NE(html.find("Failures (1)"), std::string::npos);
  auto warn = html.find("<div class=\"warn\">[BATCH-WARN] live: a left the AUT (pid 500) degraded");
  ASSERT_NE(warn, std::string::npos);
  EXPECT_LT(warn, html.find("id=\"timeline\""));
}

TEST(HtmlReport, CapsLongMessagesKeepingTheirEnd) {
  TempDir dir("html");
  BatchResults r = sample();
  r.entries[2].tests[0].message = std::string(200 * 1024, 'm') + "THE END";
  HtmlReportOptions o = options_for(dir);
  std::string html = html_report(r, o);
  EXPECT_NE(html.find("THE END"), std::string::npos);
  EXPECT_NE(html.find("bytes before this cut; see the log)"), std::string::npos);
  EXPECT_LT(html.size(), 120u * 1024);
}

TEST(HtmlReport, AnInterruptedRunIsAValidPartialReport) {
  TempDir dir("html");
  BatchResults r = sample();
  r.interrupted = true;
  r.interrupt_reason = "SIGINT";
  r.entries[2].code = ResultCode::Skipped;
  r.entries[2].tests[0] = test("Flow.Works", ResultCode::Skipped, 0ms, "interrupted by SIGINT while running");
  r.entries[2].started_unix_ms = 0;
  r.aut_timeline.clear();
  fs::path file = dir / "report.html";
  write_html_report(file, r, options_for(dir));
  std::ifstream in(file);
  std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<strong>Interrupted</strong> (SIGINT): this report is partial"), std::string::npos);
  EXPECT_NE(html.find("verdict-INTERRUPTED"), std::string::npos);
  EXPECT_EQ(html.rfind("</html>\n"), html.size() - 8);
  std::string why;
  EXPECT_TRUE(balanced(html, &why)) << why;
}

TEST(FailureScreenshotProperty, ComesFromTheGtestJsonOrTheOutputLine) {
  auto json = parse_gtest_json(R"({"testsuites": [{"name": "Shot", "testsuite": [
      {"name": "Fails", "status": "RUN", "result": "COMPLETED", "time": "0.1s",
       "failures": [{"failure": "t.cpp:3\nExpected equality"}],
       "aut_pid": "4121", "screenshot": "/r/artifacts/live__shot/Shot.Fails.png"},
      {"name": "Passes", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})");
  ASSERT_TRUE(json.has_value());
  ASSERT_EQ(json->tests.size(), 2u);
  EXPECT_EQ(json->tests[0].screenshot, "/r/artifacts/live__shot/Shot.Fails.png");
  EXPECT_EQ(json->tests[1].screenshot, "");

  EXPECT_EQ(screenshot_in_output("x\n[livegui] failure screenshot: /r/a/S.T.png\r\nmore\n"), "/r/a/S.T.png");
  EXPECT_EQ(screenshot_in_output("no screenshot here\n"), "");

  // A binary that crashed later has no JSON: the marker output still names it.
  AttemptEvidence ev;
  ev.expected_tests = {"Shot.Fails", "Shot.Crashes"};
  std::istringstream log(
      "[ RUN      ] Shot.Fails\nt.cpp:3: Failure\n[livegui] failure screenshot: /r/S.png\n"
      "[  FAILED  ] Shot.Fails (5 ms)\n[ RUN      ] Shot.Crashes\n");
  ev.progress = parse_gtest_progress(log);
  ev.status = ExitStatus::killed(11);
  AttemptOutcome out = interpret_gtest_attempt(ev);
  ASSERT_FALSE(out.results.empty());
  EXPECT_EQ(out.results[0].name, "Shot.Fails");
  EXPECT_EQ(out.results[0].screenshot, "/r/S.png");

  // results.json keeps it.
  BatchResults r = sample();
  r.entries[2].tests[0].screenshot = "artifacts/live__b/Flow.Works.png";
  BatchResults back = results_from_json(results_to_json(r));
  EXPECT_EQ(back.entries[2].tests[0].screenshot, "artifacts/live__b/Flow.Works.png");
  EXPECT_FALSE(results_to_json(r)["entries"][0]["tests"][0].contains("screenshot"));
}

}  // namespace
}  // namespace livegui::batch
