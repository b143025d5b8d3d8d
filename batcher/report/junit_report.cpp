#include "batcher/report/junit_report.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "batcher/report/json_report.hpp"
#include "batcher/report/retry_text.hpp"
#include "batcher/reproduce.hpp"
#include "batcher/warning.hpp"

namespace livegui::batch {

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
std::size_t utf8_length(const std::string& s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for bytes that are not UTF-8
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text, i, n);
      i += n;
      continue;
    }
    ++i;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') break;  // not allowed in XML 1.0
        out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {

std::string secs(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", std::chrono::duration<double>(d).count());
  return buf;
}

std::string iso_time(std::int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::string attr(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + xml_escape(value) + "\"";
}

std::string first_line(const std::string& text) {
  auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

/// One livegui.stacks property per stacks file of the test.
std::string stacks_properties(const TestResult& t) {
  std::string out;
  if (!t.stacks.empty()) out += "        <property" + attr("name", "livegui.stacks") + attr("value", t.stacks) + "/>\n";
  for (const auto& other : t.other_stacks)
    out += "        <property" + attr("name", "livegui.stacks") + attr("value", other) + "/>\n";
  return out;
}

/// A <failure> (an assertion's, or an unexpected pass) rather than an <error>.
bool is_junit_failure(ResultCode c) { return c == ResultCode::Fail || c == ResultCode::XPass; }

/// The same of a run whose FAIL may be what its runner calls an error
/// (ErrorIn: set-up, tear-down, collection, unspecified; not an assertion):
/// an <error>, <rerunError>, <flakyError> (Surefire: an error is not an
/// assertion's failure). A body failure with a tear-down error is a <failure>.
bool is_junit_failure(ResultCode c, ErrorIn where) {
  return is_junit_failure(c) && (where == ErrorIn::None || where == ErrorIn::CallAndTeardown);
}

/// One run of a test as junit.xml writes it.
struct JunitRun {
  int attempt = 1;
  ResultCode code = ResultCode::Fail;
  std::string message;                  ///< the one-line message attribute
  std::string text;                     ///< the element's text, or its <stackTrace>
  const std::string* output = nullptr;  ///< the run's output, when kept (only the test's own run)
  ErrorIn error_in = ErrorIn::None;     ///< of a FAIL: an error, not an assertion's failure
};

/// A run of a test that still fails, in which it passed: a whole-entry
/// retry ran it again although the policy did not retry it (its failure is
/// not a listed reason). Surefire has no element for it (<rerunFailure> and
/// <rerunError> are failing reruns; <flakyFailure> belongs to a passing
/// test), so it is a livegui.passing_rerun property and a system-out line.
bool passing_rerun(const TestResult& t, const TryRecord& r) {
  return is_failure(t.code) && !r.interrupted && !is_failure(r.code) && r.code != ResultCode::Skipped;
}

/// Every run of a test still failing after its retries, in attempt order:
/// its earlier runs (each a one-line TryRecord) and its own result (`detail`,
/// `output`), an interrupted retry after the run whose failure it keeps;
/// `reproduce` ("reproduce: …") ends each earlier run's text.
std::vector<JunitRun> runs_of(const TestResult& t, const std::string& detail, const std::string& reproduce,
                              const std::string& output) {
  std::vector<JunitRun> runs;
  for (const auto& r : t.tries) {
    if (passing_rerun(t, r)) continue;  // no rerun element: a property and a system-out line
    std::string said = describe_try(r);
    runs.push_back({r.attempt, r.code, said, said + "\n\n" + reproduce, nullptr, r.error_in});
  }
  runs.push_back({t.attempt, t.code,
                  "attempt " + std::to_string(t.attempt) + ": " + name(t.code) + ": " + first_line(t.message), detail,
                  &output, t.error_in});
  std::stable_sort(runs.begin(), runs.end(),
                   [](const JunitRun& a, const JunitRun& b) { return a.attempt < b.attempt; });
  // The first run is the <failure>/<error> itself: its message is its own.
  if (runs.front().output) runs.front().message = first_line(t.message);
  return runs;
}

/// The result junit.xml files a test under (<failure> or <error>, and the
/// counts): its first run's when it still fails after retries (Surefire's
/// rule), else its own.
ResultCode junit_code(const TestResult& t) {
  if (!is_failure(t.code)) return t.code;
  ResultCode first = t.code;
  int first_attempt = t.attempt;
  for (const auto& r : t.tries)
    if (r.attempt < first_attempt) first = r.code, first_attempt = r.attempt;
  return first;
}

/// Whether junit.xml files a failing test as a <failure> (else an <error>):
/// by its first run's code and phase when it still fails after retries.
bool filed_as_failure(const TestResult& t) {
  ResultCode first = t.code;
  ErrorIn where = t.error_in;
  int first_attempt = t.attempt;
  for (const auto& r : t.tries)
    if (r.attempt < first_attempt) first = r.code, where = r.error_in, first_attempt = r.attempt;
  return is_junit_failure(first, where);
}

/// A result of a GoogleTest entry that is no test of GoogleTest's: a
/// failure it reports outside any test (is_suite_level_name), or the
/// binary's own death or exit beside its tests ("<entry> (process)"). Alone,
/// a process result stands for the whole binary (no test ran), as under ctest.
bool outside_any_test(const EntryResult& e, const TestResult& t) {
  return e.gtest && (is_suite_level_name(t.name) || (t.synthetic && e.tests.size() > 1));
}

/// A GoogleTest failure the binary's own main() accepted (it exited 0): XFAIL
/// in livegui's verdict, as under ctest, but a <failure> in junit.xml, which
/// counts as GoogleTest's own report does (issue 18: "counts equal GoogleTest's
/// own"). A failure the plan's `xfail` expects stays a <skipped>, as pytest
/// writes an xfail.
bool accepted_by_own_main(const EntryResult& e, const TestResult& t) {
  return t.code == ResultCode::XFail && t.expected_by == ExpectedBy::OwnMain && !outside_any_test(e, t);
}

void write_case(std::string& out, const EntryResult& e, const TestResult& t) {
  std::string classname = e.tier + "." + e.name;
  std::string test_name = t.name;
  // Only a GoogleTest name is "Suite.Name". Any other runner's name stays
  // whole: a pytest node id ("tests/t.py::test_x", a collection error's
  // "tests.t") has dots that are not a suite boundary.
  if (e.gtest && !t.synthetic) {
    auto dot = t.name.find('.');
    if (dot != std::string::npos) {
      classname += "." + t.name.substr(0, dot);
      test_name = t.name.substr(dot + 1);
    }
  }
  out += "    <testcase" + attr("classname", classname) + attr("name", test_name) + attr("time", secs(t.duration));
  std::string body;
  std::string repro = test_reproduce_line(e, t);
  std::string detail = t.message + "\n\nreproduce: " + repro;
  const std::string reproduce_line = "reproduce: " + repro;
  // Children in the order of Surefire's schema (surefire-test-report-3.0.xsd):
  // failure, rerunFailure*, flakyFailure*, skipped, error, rerunError*,
  // flakyError*, system-out; GoogleTest's <properties> (ours: retried, flaky,
  // stacks) before them.
  if (!t.tries.empty()) {
    body += "      <properties>\n        <property" + attr("name", "livegui.retried") +
            attr("value", std::to_string(t.tries.size())) + "/>\n";
    if (t.code == ResultCode::Flaky)
      body += "        <property" + attr("name", "livegui.flaky") + attr("value", "true") + "/>\n";
    for (const auto& r : t.tries)
      if (passing_rerun(t, r))
        body += "        <property" + attr("name", "livegui.passing_rerun") + attr("value", describe_try(r)) + "/>\n";
    body += stacks_properties(t);
    body += "      </properties>\n";
  } else if (!t.stacks.empty() || !t.other_stacks.empty()) {
    body += "      <properties>\n" + stacks_properties(t) + "      </properties>\n";
  }
  // Surefire's rerun format (apache/maven-surefire,
  // maven-surefire-common/.../report/StatelessXmlReporter.java,
  // serializeTestClassWithRerun; maven-surefire-plugin, "Rerun Failing
  // Tests": https://maven.apache.org/surefire/maven-surefire-plugin/examples/rerun-failing-tests.html):
  // a test that passes on a re-run is a passing <testcase> with one
  // <flakyFailure>/<flakyError> per failed run; a test failing every run has
  // its FIRST run as the <failure>/<error> ("the type of the failure … depends
  // on its first failure"), with that run's output, and each later run as a
  // <rerunFailure>/<rerunError> holding its message, type, <stackTrace> and
  // <system-out>. So here, in the schema's order (reruns grouped by kind).
  const bool still_failing = is_failure(t.code) && !t.tries.empty();
  // A test's own output; the entry's tail stands only for a result that is
  // no test's (a crash outside any test, a command entry's own result). A
  // JUnit runner's test without output of its own has none (pytest writes it
  // only with junit_logging): never the whole run's tail.
  const std::string& own = !t.output.empty() ? t.output : t.synthetic ? e.output_tail : t.output;
  std::vector<JunitRun> runs = still_failing ? runs_of(t, detail, reproduce_line, own) : std::vector<JunitRun>{};
  auto rerun_element = [](const std::string& tag, const JunitRun& r) {
    std::string x = "      <" + tag + attr("type", name(r.code)) + attr("message", r.message) +
                    ">\n        <stackTrace>" + xml_escape(r.text) + "</stackTrace>\n";
    if (r.output && !r.output->empty()) x += "        <system-out>" + xml_escape(*r.output) + "</system-out>\n";
    return x + "      </" + tag + ">\n";
  };
  // Each run after the first: <rerunFailure>/<rerunError> (still failing), or
  // each earlier run of a FLAKY test: <flakyFailure>/<flakyError>.
  auto later_runs = [&](bool errors) {
    std::string out;
    if (still_failing) {
      for (std::size_t i = 1; i < runs.size(); ++i)
        if (is_junit_failure(runs[i].code, runs[i].error_in) != errors)
          out += rerun_element(errors ? "rerunError" : "rerunFailure", runs[i]);
      return out;
    }
    for (const auto& r : t.tries) {
      if (is_junit_failure(r.code, r.error_in) == errors) continue;
      std::string msg = describe_try(r);
      out +=
          rerun_element(std::string(t.code == ResultCode::Flaky ? "flaky" : "rerun") + (errors ? "Error" : "Failure"),
                        {r.attempt, r.code, msg, msg, nullptr});
    }
    return out;
  };
  // The <failure>/<error> itself: the test's result, or its first run.
  JunitRun primary =
      still_failing ? runs.front() : JunitRun{t.attempt, t.code, first_line(t.message), detail, &own, t.error_in};
  // A failure outside any test (suite set-up or tear-down, a global
  // environment) is no test's failure: GoogleTest counts it in neither
  // "tests" nor "failures", so it is an <error> of the fixture here.
  const bool outside_tests = outside_any_test(e, t);
  const bool accepted = accepted_by_own_main(e, t);
  const bool primary_is_failure =
      accepted || (is_failure(t.code) && is_junit_failure(primary.code, primary.error_in) && !outside_tests);
  auto primary_element = [&](const char* tag) {
    return "      <" + std::string(tag) + attr("type", name(primary.code)) + attr("message", primary.message) + ">" +
           xml_escape(primary.text) + "</" + tag + ">\n";
  };
  if (primary_is_failure) body += primary_element("failure");
  body += later_runs(false);
  if (t.code == ResultCode::Skipped) body += "      <skipped" + attr("message", first_line(t.message)) + "/>\n";
  if (t.code == ResultCode::XFail && !accepted)
    body +=
        "      <skipped" +
        attr("message", t.message.rfind("expected failure", 0) == 0 ? first_line(t.message)
                                                                    : "expected failure: " + first_line(t.message)) +
        "/>\n";
  if (is_failure(t.code) && !primary_is_failure) body += primary_element("error");
  // A body that failed and a tear-down that raised: pytest's failure and
  // error, both (the failure's text holds the tear-down's message too).
  if (primary_is_failure && t.tries.empty() && t.error_in == ErrorIn::CallAndTeardown)
    body += "      <error" + attr("type", "teardown") +
            attr("message", "error in tear-down after the failure (see the failure's text)") + "/>\n";
  body += later_runs(true);
  // The output of the run the <failure>/<error> is: the test's own (the
  // binary's tail only stands for a test with none of its own: a crash
  // outside any test, a command entry). An earlier run's output is not kept.
  std::string passing_runs;
  for (const auto& r : t.tries)
    if (passing_rerun(t, r))
      passing_runs += "[livegui] " + describe_try(r) + "; the test keeps its " + name(t.code) + " of attempt " +
                      std::to_string(t.attempt) + "\n";
  if ((is_failure(t.code) || accepted) && ((primary.output && !primary.output->empty()) || !passing_runs.empty()))
    body += "      <system-out>" + xml_escape(passing_runs + (primary.output ? *primary.output : std::string())) +
            "</system-out>\n";
  // A pass has no element for its message: its note ("fresh AUT: …") is its output.
  if (t.code == ResultCode::Pass && !t.synthetic && !t.message.empty())
    body += "      <system-out>" + xml_escape(t.message) + "</system-out>\n";
  if (body.empty()) {
    out += "/>\n";
  } else {
    out += ">\n" + body + "    </testcase>\n";
  }
}

/// Whether entries[i] is the last of its tier in the report.
bool last_of_tier(const BatchResults& results, std::size_t i) {
  for (std::size_t k = i + 1; k < results.entries.size(); ++k)
    if (results.entries[k].tier == results.entries[i].tier) return false;
  return true;
}

/// Results outside any test (outside_any_test), by what they add to
/// TierCounts: GoogleTest counts them in neither "tests" nor "failures" (nor
/// "skipped"), and junit.xml follows it; a failing one is an error (see
/// write_case).
struct OutsideTests {
  int results = 0, failures = 0, skipped = 0;
};

OutsideTests outside_tests(const std::vector<EntryResult>& entries) {
  OutsideTests o;
  for (const auto& e : entries)
    for (const auto& t : e.tests) {
      if (!outside_any_test(e, t)) continue;
      ++o.results;
      o.failures += is_junit_failure(junit_code(t));
      o.skipped += t.code == ResultCode::XFail || t.code == ResultCode::Skipped;
    }
  return o;
}

/// tests="…" failures="…" errors="…" skipped="…" disabled="…" of `entries`.
std::string count_attrs(const std::vector<EntryResult>& entries) {
  BatchResults some;
  some.entries = entries;
  TierCounts c = count_all(some);
  OutsideTests o = outside_tests(entries);
  int failures = c.count(ResultCode::Fail) + c.count(ResultCode::XPass);
  int errors = c.count(ResultCode::Crash) + c.count(ResultCode::Timeout) + c.count(ResultCode::Unresolved);
  // A test still failing after retries is filed by its first run's kind (write_case).
  for (const auto& e : entries)
    for (const auto& t : e.tests) {
      if (outside_any_test(e, t)) continue;  // an <error> either way
      if (!is_failure(t.code) || filed_as_failure(t) == is_junit_failure(t.code)) continue;
      const int to_failures = filed_as_failure(t) ? 1 : -1;
      failures += to_failures;
      errors -= to_failures;
    }
  int accepted = 0;
  for (const auto& e : entries)
    for (const auto& t : e.tests) accepted += accepted_by_own_main(e, t);
  failures += accepted;
  // GoogleTest counts disabled tests apart from skipped ones (both in "tests").
  int skipped = c.skipped() + c.count(ResultCode::XFail) - accepted;
  return attr("tests", std::to_string(c.total_tests() - o.results)) +
         attr("failures", std::to_string(failures - o.failures)) + attr("errors", std::to_string(errors + o.failures)) +
         attr("skipped", std::to_string(skipped - o.skipped)) + attr("disabled", std::to_string(c.disabled));
}

}  // namespace

std::string junit_xml(const BatchResults& results) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attr("name", "livegui-batch") + count_attrs(results.entries) +
         attr("time", secs(results.duration)) + ">\n";
  for (std::size_t i = 0; i < results.entries.size(); ++i) {
    const EntryResult& e = results.entries[i];
    out += "  <testsuite" + attr("name", e.tier + "." + e.name) + count_attrs({e}) + attr("time", secs(e.duration)) +
           attr("timestamp", iso_time(e.started_unix_ms)) + ">\n";
    out += "    <properties>\n";
    out += "      <property" + attr("name", "livegui.result") + attr("value", name(e.code)) + "/>\n";
    out += "      <property" + attr("name", "livegui.executable") + attr("value", e.executable) + "/>\n";
    out += "      <property" + attr("name", "livegui.reproduce") + attr("value", e.reproduce) + "/>\n";
    out += "      <property" + attr("name", "livegui.attempts") + attr("value", std::to_string(e.attempts.size())) +
           "/>\n";
    // Of those processes: resumes of the rest after a crash or a per-test
    // timeout, and retries of failed tests (RetryPolicy) — not the same thing.
    int retries = 0;
    for (const auto& a : e.attempts) retries = std::max(retries, a.retry);
    if (int resumes = resume_count(e.attempts); resumes > 0)
      out += "      <property" + attr("name", "livegui.resumes") + attr("value", std::to_string(resumes)) + "/>\n";
    if (retries > 0)
      out += "      <property" + attr("name", "livegui.retries") + attr("value", std::to_string(retries)) + "/>\n";
    // What each process was ("first,without-stream"), when not only a first run.
    if (e.attempts.size() > 1) {
      std::string kinds;
      for (const auto& a : e.attempts) kinds += (kinds.empty() ? "" : ",") + std::string(to_string(a.kind));
      out += "      <property" + attr("name", "livegui.attempt_kinds") + attr("value", kinds) + "/>\n";
    }
    if (e.uses_aut) {
      out +=
          "      <property" + attr("name", "livegui.aut_spawns") + attr("value", std::to_string(e.aut_spawns)) + "/>\n";
      out += "      <property" + attr("name", "livegui.aut_respawns") + attr("value", std::to_string(e.aut_respawns)) +
             "/>\n";
    }
    if (e.dirty_start) {
      out += "      <property" + attr("name", "livegui.dirty_start") + attr("value", to_string(e.dirty_start->kind)) +
             "/>\n";
      out += "      <property" + attr("name", "livegui.dirty_start_message") + attr("value", e.dirty_start->message) +
             "/>\n";
      if (!e.dirty_start->stacks.empty())
        out += "      <property" + attr("name", "livegui.stacks") + attr("value", e.dirty_start->stacks) + "/>\n";
    }
    out += "    </properties>\n";
    if (e.tests.empty() && (!e.gtest || is_failure(e.code))) {
      TestResult t;
      t.name = e.name;
      t.code = e.code;
      t.message = e.reason;
      t.duration = e.duration;
      t.synthetic = true;
      write_case(out, e, t);
    }
    for (const auto& t : e.tests) write_case(out, e, t);
    std::string sysout;
    if (e.dirty_start) sysout += warn_line(e.dirty_start->message) + "\n";
    for (const auto& w : e.warnings) sysout += warn_line(w) + "\n";
    // A tier's own warnings (said at its end, of its last entries; whole
    // lines) go with its last entry: JUnit has no place for a tier.
    // Said as the tier's, so that a dashboard showing them under this entry
    // does not read them as this entry's.
    if (last_of_tier(results, i))
      for (const auto& t : results.tiers)
        if (t.name == e.tier && !t.warnings.empty()) {
          sysout += "Warnings of tier " + t.name + " (not of " + e.name + " alone):\n";
          for (const auto& w : t.warnings) sysout += w + "\n";
        }
    if (!sysout.empty()) out += "    <system-out>" + xml_escape(sysout) + "</system-out>\n";
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

void write_junit_xml(const std::filesystem::path& file, const BatchResults& results) {
  write_file_atomically(file, junit_xml(results));
}

}  // namespace livegui::batch
