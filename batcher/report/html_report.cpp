#include "batcher/report/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "batcher/report/html_text.hpp"
#include "batcher/report/html_timeline.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/report/retry_text.hpp"
#include "batcher/reproduce.hpp"
#include "batcher/warning.hpp"
#include "common/ready_line.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

// ---- the AUT logs ------------------------------------------------------------

std::map<pid_t, fs::path> aut_logs_by_pid(const fs::path& dir) {
  std::map<pid_t, fs::path> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  std::size_t seen = 0;
  for (; !ec && it != end && seen < 2000; it.increment(ec), ++seen) {
    if (!it->is_regular_file(ec) || it->path().extension() != ".log") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string head(16 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    auto ready = find_ready_line(head);
    if (ready && ready->pid > 0) out[ready->pid] = it->path();
  }
  return out;
}

// ---- the page -----------------------------------------------------------------

namespace {

constexpr const char* kStyle = R"css(
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#212529;background:#fff}
header{padding:14px 24px 10px;border-bottom:1px solid #dee2e6;background:#f8f9fa}
main{padding:0 24px 40px;max-width:1380px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #dee2e6;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.meta{color:#495057;font-size:13px}
.verdict-PASSED{color:#2b8a3e}.verdict-FAILED{color:#e03131}.verdict-INTERRUPTED{color:#d9480f}.verdict-INCOMPLETE{color:#d9480f}
.banner{background:#fff4e6;border:1px solid #d9480f;border-radius:4px;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;margin:4px 0}
th,td{padding:3px 8px;border-bottom:1px solid #e9ecef;text-align:right;vertical-align:top}
th{background:#f1f3f5;font-weight:600}
th.l,td.l{text-align:left}
tr.total td{font-weight:600;border-top:2px solid #ced4da}
.badge{display:inline-block;min-width:86px;text-align:center;border-radius:3px;padding:0 4px;font:600 12px/1.6 ui-monospace,monospace;border:1px solid}
pre{background:#f8f9fa;border:1px solid #e9ecef;border-radius:3px;padding:8px;margin:4px 0;overflow:auto;max-height:420px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;line-height:1.4}
.warn{background:#fff9db;border-left:4px solid #fab005;padding:6px 10px;margin:6px 0;font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.note{background:#f1f3f5;border-left:4px solid #adb5bd;padding:6px 10px;margin:6px 0}
details{margin:6px 0}
details>summary{cursor:pointer}
details.entry{border:1px solid #dee2e6;border-radius:4px}
details.entry>summary{padding:5px 10px;background:#f8f9fa}
.entry-body{padding:4px 12px 10px}
.failure{border:1px solid #dee2e6;border-left:5px solid #e03131;border-radius:4px;padding:6px 12px;margin:10px 0}
.failure.expected{border-left-color:#5f3dc4}
.failure>summary{font-weight:600}
.label{font-weight:600;font-size:12px;color:#495057;margin-top:8px}
.muted{color:#868e96}
figure{margin:8px 0}
img.screenshot{max-width:min(100%,960px);height:auto;border:1px solid #adb5bd}
.timeline-figure{margin:6px 0;border:1px solid #ced4da;border-radius:4px;overflow:hidden}
svg.timeline text.tier{font-weight:600;font-size:12px}
svg.timeline text.axis,svg.timeline text.muted{fill:#868e96}
svg.timeline text.pid{fill:#ffffff;font-size:10px}
svg.timeline a:hover rect{stroke-width:2}
)css";

std::string esc(const std::string& s) { return html_escape(s); }

std::string first_line(const std::string& text, std::size_t max_chars = 240) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max_chars) {
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a code point
    line = line.substr(0, cut) + "…";
  }
  return line;
}

/// The end of `text`, at most `max` bytes, saying how much was cut.
std::string capped(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t from = text.size() - max;
  while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) ++from;
  return "… (" + std::to_string(from) + " bytes before this cut; see the log)\n" + text.substr(from);
}

std::string iso_utc(std::int64_t unix_ms) {
  if (unix_ms <= 0) return "unknown time";
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string badge(ResultCode code) {
  return std::string("<span class=\"badge\" style=\"background:") + result_fill(code) + ";color:" + result_ink(code) +
         ";border-color:" + result_ink(code) + "\">" + name(code) + "</span>";
}

/// A link to a file: relative paths stay relative ("./" so no part reads
/// as a URL scheme), absolute ones become file:// URLs; every byte outside
/// the unreserved set is percent-encoded.
std::string file_href(const std::string& path) {
  return (path.empty() || path[0] != '/' ? "./" : "file://") + percent_encode(path, "/");
}

std::string pre(const std::string& text, std::size_t max) { return "<pre>" + esc(capped(text, max)) + "</pre>"; }

struct Failure {
  std::size_t entry;
  std::size_t test;
};

class PageWriter {
 public:
  PageWriter(const BatchResults& results, const HtmlReportOptions& options)
      : r_(results), o_(options), lifetimes_(aut_lifetimes(results.aut_timeline, results.started_unix_ms)) {
    aut_logs_ = aut_logs_by_pid(o_.report_dir / "logs" / "aut");
  }

  std::string page() {
    std::string verdict = verdict_word(r_);
    out_ +=
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\" />"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\" />"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />"
        "<meta name=\"generator\" content=\"livegui-batch\" />";
    out_ += "<title>" + esc("livegui-batch: " + verdict + (r_.plan.empty() ? "" : " — " + r_.plan)) + "</title>";
    out_ += "<style>" + std::string(kStyle) + "</style></head>\n<body>";
    header(verdict);
    out_ += "<main>";
    summary();
    warnings();
    timeline();
    failures();
    entries();
    footer();
    out_ += "</main></body></html>\n";
    return std::move(out_);
  }

 private:
  void header(const std::string& verdict) {
    TierCounts total = count_all(r_);
    out_ += "<header><h1>livegui-batch report: <span class=\"verdict-" + verdict + "\">" + verdict + "</span></h1>";
    std::string tally = outcome_tally(total);
    out_ += "<div class=\"meta\">" + esc(tally) + " in " + esc(human_duration(r_.duration)) + " · started " +
            esc(iso_utc(r_.started_unix_ms)) + " · AUT scope " + esc(to_string(r_.aut_scope));
    if (r_.shard_count > 1)
      out_ += " · shard " + std::to_string(r_.shard_index + 1) + "/" + std::to_string(r_.shard_count);
    out_ += " · exit code " + std::to_string(r_.exit_code) + "</div>";
    if (!r_.plan.empty()) out_ += "<div class=\"meta\">plan: <code>" + esc(r_.plan) + "</code></div>";
    if (!r_.command_line.empty()) {
      std::string cmd;
      for (const auto& a : r_.command_line) cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
      out_ += "<div class=\"meta\">command: <code>" + esc(cmd) + "</code></div>";
    }
    out_ += "</header>";
    if (r_.interrupted)
      out_ += "<div class=\"banner\"><strong>Interrupted</strong> (" + esc(r_.interrupt_reason) +
              "): this report is partial; entries the run did not reach are SKIPPED.</div>";
  }

  void summary() {
    out_ += "<h2 id=\"summary\">Summary</h2><table class=\"summary\"><tr><th class=\"l\">tier</th><th>entries</th>";
    // The flaky column only when something was flaky (it counts as passed).
    std::vector<ResultCode> codes = {ResultCode::Pass,    ResultCode::Fail,       ResultCode::Crash,
                                     ResultCode::Timeout, ResultCode::Unresolved, ResultCode::Skipped,
                                     ResultCode::XFail,   ResultCode::XPass};
    if (count_all(r_).count(ResultCode::Flaky) > 0) codes.insert(codes.begin() + 1, ResultCode::Flaky);
    // Disabled tests apart from skipped ones, as GoogleTest counts them; the
    // column only when some test is disabled.
    const bool any_disabled = count_all(r_).disabled > 0;
    for (ResultCode code : codes) {
      out_ += "<th>" + column_name(code) + "</th>";
      if (code == ResultCode::Skipped && any_disabled) out_ += "<th>disabled</th>";
    }
    out_ += "<th>dirty</th><th>respawns</th><th>duration</th></tr>";
    auto row = [&](const std::string& label, const TierCounts& c, bool total) {
      out_ += total ? "<tr class=\"total\">" : "<tr>";
      out_ += "<td class=\"l\">" + esc(label) + "</td><td>" + std::to_string(c.entries) + "</td>";
      for (ResultCode code : codes) {
        int n = code == ResultCode::Skipped ? c.skipped() : c.count(code);
        std::string style = n > 0 && code != ResultCode::Pass
                                ? std::string(" style=\"color:") + result_ink(code) + ";font-weight:600\""
                                : "";
        out_ += "<td" + style + ">" + std::to_string(n) + "</td>";
        if (code == ResultCode::Skipped && any_disabled) out_ += "<td>" + std::to_string(c.disabled) + "</td>";
      }
      out_ += "<td>" + std::to_string(c.dirty_starts) + "</td><td>" + std::to_string(c.aut_respawns) + "</td><td>" +
              esc(human_duration(c.duration)) + "</td></tr>";
    };
    for (const auto& t : r_.tiers) row(t.name, count_tier(r_, t.name), false);
    if (r_.tiers.size() != 1) row("total", count_all(r_), true);
    out_ +=
        "</table><div class=\"meta\">Tests are counted (an entry without tests counts as one). xfail = expected "
        "failure (counts as passed), xpass = passed although expected to fail (a failure), dirty = entries that "
        "started after the previous one left the AUT dirty.</div>";
    for (const auto& note : r_.notes) out_ += "<div class=\"note\">note: " + esc(note) + "</div>";
  }

  void warnings() {
    std::string items;
    for (const auto& t : r_.tiers)
      for (const auto& w : t.warnings) items += "<div class=\"warn\">" + esc(w) + "</div>";
    for (std::size_t i = 0; i < r_.entries.size(); ++i) {
      const EntryResult& e = r_.entries[i];
      if (e.dirty_start)
        items += "<div class=\"warn\">" + esc(warn_line(e.dirty_start->message)) + " <a href=\"#" + entry_anchor(i) +
                 "\">(" + esc(e.tier + " › " + e.name) + ")</a></div>";
      for (const auto& w : e.warnings)
        items += "<div class=\"warn\">" + esc(e.tier + " › " + e.name + ": " + w) + "</div>";
    }
    if (items.empty()) return;
    out_ += "<h2 id=\"warnings\">Dirty-state warnings</h2>" + items;
  }

  void timeline() {
    out_ += "<h2 id=\"timeline\">AUT timeline</h2>";
    out_ +=
        "<div class=\"meta\">Each AUT process is a bar in its tier's AUT lane, from its spawn (dark tick) or "
        "respawn (blue diamond): green while healthy, orange once seen degraded, a crimson cross where it died. "
        "Below are the entries on the same time axis (bars coloured by result, tests as ticks where they ended). "
        "A dashed line marks each death or degradation through every row: the entry it crosses was running. "
        "A yellow triangle marks an entry that started on a dirty AUT. Hover for the reasons; click an entry "
        "for its details.</div>";
    out_ += "<figure class=\"timeline-figure\">" + timeline_svg(o_.timeline ? *o_.timeline : r_) + "</figure>";
    if (r_.aut_timeline.empty()) {
      out_ += "<div class=\"meta\">No AUT events were recorded.</div>";
      return;
    }
    out_ += "<details><summary>AUT events (" + std::to_string(r_.aut_timeline.size()) +
            ")</summary><table class=\"events\"><tr><th>at</th><th class=\"l\">tier</th><th class=\"l\">event</th>"
            "<th>pid</th><th class=\"l\">noticed in</th><th class=\"l\">reason</th></tr>";
    for (const auto& ev : r_.aut_timeline) {
      double at = static_cast<double>(ev.unix_ms - r_.started_unix_ms) / 1000.0;
      char buf[32];
      std::snprintf(buf, sizeof buf, "+%.2f s", at);
      out_ += "<tr><td>" + std::string(buf) + "</td><td class=\"l\">" + esc(ev.tier) + "</td><td class=\"l\">" +
              esc(to_string(ev.event)) + "</td><td>" + std::to_string(ev.pid) + "</td><td class=\"l\">" +
              esc(ev.entry) + "</td><td class=\"l\">" + esc(ev.reason) + "</td></tr>";
    }
    out_ += "</table></details>";
  }

  void failures() {
    std::vector<Failure> real, expected, flaky;
    for (std::size_t i = 0; i < r_.entries.size(); ++i)
      for (std::size_t j = 0; j < r_.entries[i].tests.size(); ++j) {
        ResultCode c = r_.entries[i].tests[j].code;
        if (is_failure(c))
          real.push_back({i, j});
        else if (c == ResultCode::XFail)
          expected.push_back({i, j});
        else if (c == ResultCode::Flaky)
          flaky.push_back({i, j});
      }
    out_ += "<h2 id=\"failures\">Failures (" + std::to_string(real.size()) + ")</h2>";
    if (real.empty()) out_ += "<div class=\"meta\">Nothing failed.</div>";
    for (const auto& f : real) failure(f, false);
    if (!expected.empty()) {
      out_ += "<h2 id=\"expected-failures\">Expected failures (" + std::to_string(expected.size()) + ")</h2>";
      for (const auto& f : expected) failure(f, true);
    }
    if (!flaky.empty()) {
      // Counted as passed, shown apart: each failed first because the AUT or the binary broke.
      out_ += "<h2 id=\"flaky\">Flaky: passed on a retry (" + std::to_string(flaky.size()) + ")</h2>";
      for (const auto& f : flaky) failure(f, true);
    }
  }

  std::string test_anchor(const Failure& f) const {
    return "test-" + std::to_string(f.entry) + "-" + std::to_string(f.test);
  }

  void failure(const Failure& f, bool expected) {
    const EntryResult& e = r_.entries[f.entry];
    const TestResult& t = e.tests[f.test];
    bool open = !expected || !t.screenshot.empty() || !t.stacks.empty() || !t.other_stacks.empty() ||
                t.code == ResultCode::Flaky;
    out_ += "<details class=\"failure" + std::string(expected ? " expected" : "") + "\" id=\"" + test_anchor(f) + "\"" +
            (open ? " open=\"open\"" : "") + "><summary>" + badge(t.code) + " " + esc(e.tier + " › " + e.name) +
            (t.synthetic && !e.gtest ? "" : " › " + esc(t.name)) + " <span class=\"muted\">(" +
            esc(human_duration(t.duration)) + (t.attempt > 1 ? ", attempt " + std::to_string(t.attempt) : "") +
            ")</span></summary>";
    out_ += "<div class=\"label\">Reproduce</div>" + pre(test_reproduce_line(e, t), o_.max_message_bytes);
    if (!t.message.empty()) out_ += "<div class=\"label\">Message</div>" + pre(t.message, o_.max_message_bytes);
    if (!t.tries.empty()) out_ += "<div class=\"label\">Attempts</div>" + pre(tries_text(t), o_.max_message_bytes);
    if (!t.screenshot.empty()) out_ += screenshot(t);
    if (!t.stacks.empty()) stacks(t.stacks);
    for (const auto& other : t.other_stacks) stacks(other);
    output_tail(e, t);
    aut_log_tails(e);
    out_ += "<div class=\"meta\"><a href=\"#" + entry_anchor(f.entry) + "\">entry details</a></div></details>";
  }

  /// Every thread's stack of the stalled AUT (or hung binary), beside the failure.
  void stacks(const std::string& name) {
    fs::path file = fs::path(name).is_absolute() ? fs::path(name) : o_.report_dir / name;
    std::string text = read_file_prefix(file, o_.max_message_bytes);
    out_ += "<details class=\"stacks\" open=\"open\"><summary>Stacks: <a href=\"" + esc(file_href(name)) + "\">" +
            esc(name) + "</a></summary>" +
            (text.empty() ? "<div class=\"muted\">" + esc(name) + " is missing or empty</div>"
                          : pre(text, o_.max_message_bytes)) +
            "</details>";
  }

  std::string screenshot(const TestResult& t) {
    fs::path file = fs::path(t.screenshot).is_absolute() ? fs::path(t.screenshot) : o_.report_dir / t.screenshot;
    std::string caption = "<figcaption class=\"meta\">failure screenshot: <a href=\"" + esc(file_href(t.screenshot)) +
                          "\">" + esc(t.screenshot) + "</a>";
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec || !fs::is_regular_file(file, ec))
      return "<div class=\"label\">Screenshot</div><div class=\"muted\">" + esc(t.screenshot) + " is missing (" +
             esc(ec ? ec.message() : "not a regular file") + ")</div>";
    if (size > o_.max_image_bytes || embedded_bytes_ + size > o_.max_total_image_bytes)
      return "<div class=\"label\">Screenshot</div><figure>" + caption + " (" + std::to_string(size) +
             " bytes: not embedded, over the " +
             (size > o_.max_image_bytes ? "per-image cap of " + std::to_string(o_.max_image_bytes)
                                        : "total cap of " + std::to_string(o_.max_total_image_bytes)) +
             " bytes)</figcaption></figure>";
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::string png = bytes.str();
    if (png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) != 0)
      return "<div class=\"label\">Screenshot</div><div class=\"muted\">" + esc(t.screenshot) +
             " is not a PNG file; not embedded</div>";
    embedded_bytes_ += png.size();
    return "<div class=\"label\">Screenshot</div><figure><img class=\"screenshot\" alt=\"" +
           esc("failure screenshot of " + t.name) + "\" src=\"data:image/png;base64," + base64_encode(png) + "\" />" +
           caption + "</figcaption></figure>";
  }

  void output_tail(const EntryResult& e, const TestResult& t) {
    // The attempt that matters for this test: the one it failed in (for a
    // FLAKY test, the last failing run before the retry that passed).
    int attempt = t.code == ResultCode::Flaky && !t.tries.empty() ? t.tries.back().attempt : t.attempt;
    std::string text, from;
    if (e.output_attempt == attempt || (e.output_attempt == 0 && e.attempts.size() <= 1)) {
      text = e.output_tail;
      from = e.output_log;
    }
    if (text.empty())
      for (const auto& a : e.attempts)
        if (a.number == attempt && !a.log.empty()) {
          from = a.log;
          text = tail_file(from, o_.output_tail_lines);
        }
    if (text.empty()) return;
    std::string which = e.attempts.size() > 1 ? " of attempt " + std::to_string(attempt) : "";
    out_ += "<details><summary>Output tail" + which + (from.empty() ? "" : " (<code>" + esc(from) + "</code>)") +
            "</summary>" + pre(text, o_.max_message_bytes) + "</details>";
  }

  /// The AUTs that lived while the entry ran; those that died or degraded then first.
  void aut_log_tails(const EntryResult& e) {
    if (!e.uses_aut || e.started_unix_ms <= 0) return;
    std::int64_t start = e.started_unix_ms;
    std::int64_t end = start + std::chrono::duration_cast<std::chrono::milliseconds>(e.duration).count();
    std::vector<const AutLifetime*> broke, lived;
    for (const auto& lt : lifetimes_) {
      if (lt.tier != e.tier) continue;
      std::int64_t lt_end = lt.end_ms < 0 ? end : lt.end_ms;
      if (lt.start_ms > end || lt_end < start) continue;
      bool broke_here = (lt.degraded_ms >= start && lt.degraded_ms <= end) ||
                        (lt.end_kind == LifetimeEnd::Death && lt.end_ms >= start && lt.end_ms <= end);
      (broke_here ? broke : lived).push_back(&lt);
    }
    broke.insert(broke.end(), lived.begin(), lived.end());
    std::size_t shown = 0;
    for (const AutLifetime* lt : broke) {
      if (shown == 2) break;
      auto it = aut_logs_.find(lt->pid);
      if (it == aut_logs_.end()) continue;
      std::string text = tail_file(it->second, o_.aut_log_tail_lines);
      if (text.empty()) continue;
      ++shown;
      out_ += "<details><summary>AUT log tail, pid " + std::to_string(lt->pid) + " (<code>" + esc(it->second.string()) +
              "</code>)</summary>" + pre(text, o_.max_message_bytes) + "</details>";
    }
  }

  void entries() {
    out_ += "<h2 id=\"entries\">Entries (" + std::to_string(r_.entries.size()) + ")</h2>";
    std::vector<std::string> tiers;
    for (const auto& t : r_.tiers) tiers.push_back(t.name);
    for (const auto& e : r_.entries)
      if (std::find(tiers.begin(), tiers.end(), e.tier) == tiers.end()) tiers.push_back(e.tier);
    std::set<std::pair<std::size_t, std::size_t>> detailed;
    for (std::size_t i = 0; i < r_.entries.size(); ++i)
      for (std::size_t j = 0; j < r_.entries[i].tests.size(); ++j)
        if (is_failure(r_.entries[i].tests[j].code) || r_.entries[i].tests[j].code == ResultCode::XFail)
          detailed.insert({i, j});
    for (const auto& tier : tiers) {
      out_ += "<h3>" + esc(tier) + "</h3>";
      for (std::size_t i = 0; i < r_.entries.size(); ++i)
        if (r_.entries[i].tier == tier) entry(i, detailed);
    }
  }

  void entry(std::size_t i, const std::set<std::pair<std::size_t, std::size_t>>& detailed) {
    const EntryResult& e = r_.entries[i];
    int tests = 0;
    for (const auto& t : e.tests)
      if (!t.synthetic) ++tests;
    out_ += "<details class=\"entry\" id=\"" + entry_anchor(i) + "\"" + (is_failure(e.code) ? " open=\"open\"" : "") +
            "><summary>" + badge(e.code) + " <strong>" + esc(e.name) + "</strong> <span class=\"muted\">" +
            (e.gtest ? "(" + std::to_string(tests) + (tests == 1 ? " test" : " tests") + ") " : "") +
            esc(human_duration(e.duration)) + (e.reason.empty() ? "" : " — " + esc(first_line(e.reason))) + "</span>" +
            (e.dirty_start ? " <span class=\"badge\" style=\"background:#fff3bf;color:#5c3c00;"
                             "border-color:#fab005\">dirty start</span>"
                           : "") +
            "</summary><div class=\"entry-body\">";
    if (e.dirty_start) out_ += "<div class=\"warn\">" + esc(warn_line(e.dirty_start->message)) + "</div>";
    if (e.dirty_start && !e.dirty_start->stacks.empty()) stacks(e.dirty_start->stacks);
    for (const auto& w : e.warnings) out_ += "<div class=\"warn\">" + esc(w) + "</div>";
    if (!e.tests.empty()) {
      out_ +=
          "<table class=\"tests\"><tr><th class=\"l\">result</th><th class=\"l\">test</th><th>duration</th>"
          "<th>attempt</th><th class=\"l\">message</th></tr>";
      for (std::size_t j = 0; j < e.tests.size(); ++j) {
        const TestResult& t = e.tests[j];
        std::string label = esc(t.name);
        if (detailed.count({i, j})) label = "<a href=\"#" + test_anchor({i, j}) + "\">" + label + "</a>";
        if (!t.screenshot.empty()) label += " <span class=\"muted\">[screenshot]</span>";
        out_ += "<tr><td class=\"l\">" + badge(t.code) + "</td><td class=\"l mono\">" + label + "</td><td>" +
                esc(human_duration(t.duration)) + "</td><td>" + std::to_string(t.attempt) + "</td><td class=\"l\">" +
                esc(first_line(t.message)) + "</td></tr>";
      }
      out_ += "</table>";
    }
    if (!e.attempts.empty()) {
      out_ +=
          "<div class=\"label\">Processes</div><table class=\"attempts\"><tr><th>#</th><th "
          "class=\"l\">what</th><th>pid</th><th class=\"l\">exit</th><th>duration</th><th "
          "class=\"l\">filter</th><th class=\"l\">log</th></tr>";
      for (const auto& a : e.attempts)
        out_ += "<tr><td>" + std::to_string(a.number) + "</td><td class=\"l\">" + esc(describe_attempt(a, e.uses_aut, !e.gtest)) +
                "</td><td>" + std::to_string(a.pid) + "</td><td class=\"l\">" +
                esc(a.exit + (a.stopped_for.empty() ? "" : " (stopped: " + a.stopped_for + ")")) + "</td><td>" +
                esc(human_duration(a.duration)) + "</td><td class=\"l mono\">" + esc(a.filter) +
                "</td><td class=\"l mono\">" + esc(a.log) + "</td></tr>";
      out_ += "</table>";
    }
    out_ += "<div class=\"label\">Reproduce</div>" + pre(e.reproduce, o_.max_message_bytes);
    if (is_failure(e.code) && !e.output_tail.empty())
      out_ += "<details><summary>Output tail" +
              (e.attempts.size() > 1 && e.output_attempt ? " of attempt " + std::to_string(e.output_attempt) : "") +
              "</summary>" + pre(e.output_tail, o_.max_message_bytes) + "</details>";
    out_ += "</div></details>";
  }

  void footer() {
    out_ +=
        "<h2 id=\"files\">Files</h2><div class=\"meta\">Beside this page: <code>results.json</code> (everything, "
        "for programs), <code>junit.xml</code> (for CI), <code>logs/</code> (each process's output; AUT logs in "
        "<code>logs/aut/</code>), <code>artifacts/</code> (files the entries left, such as failure "
        "screenshots). Written by livegui-batch at " +
        esc(iso_utc(r_.started_unix_ms + std::chrono::duration_cast<std::chrono::milliseconds>(r_.duration).count())) +
        ".</div>";
  }

  const BatchResults& r_;
  const HtmlReportOptions& o_;
  std::vector<AutLifetime> lifetimes_;
  std::map<pid_t, fs::path> aut_logs_;
  std::size_t embedded_bytes_ = 0;
  std::string out_;
};

}  // namespace

std::string html_report(const BatchResults& results, const HtmlReportOptions& options) {
  return PageWriter(results, options).page();
}

void write_html_report(const fs::path& file, const BatchResults& results, const HtmlReportOptions& options) {
  write_file_atomically(file, html_report(results, options));
}

}  // namespace livegui::batch
