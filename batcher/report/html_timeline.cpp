#include "batcher/report/html_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "batcher/report/html_report.hpp"
#include "batcher/warning.hpp"
#include "common/text.hpp"

namespace livegui::batch {

const char* result_fill(ResultCode code) {
  switch (code) {
    case ResultCode::Pass: return "#b2f2bb";
    case ResultCode::Fail: return "#ffc9c9";
    case ResultCode::Crash: return "#fcc2d7";
    case ResultCode::Timeout: return "#ffd8a8";
    case ResultCode::Unresolved: return "#dee2e6";
    case ResultCode::Skipped: return "#f1f3f5";
    case ResultCode::XFail: return "#e5dbff";
    case ResultCode::XPass: return "#ffc9c9";
    case ResultCode::Flaky: return "#fff3bf";
  }
  return "#dee2e6";
}

const char* result_ink(ResultCode code) {
  switch (code) {
    case ResultCode::Pass: return "#2b8a3e";
    case ResultCode::Fail: return "#e03131";
    case ResultCode::Crash: return "#a61e4d";
    case ResultCode::Timeout: return "#d9480f";
    case ResultCode::Unresolved: return "#495057";
    case ResultCode::Skipped: return "#adb5bd";
    case ResultCode::XFail: return "#5f3dc4";
    case ResultCode::XPass: return "#c92a2a";
    case ResultCode::Flaky: return "#e67700";
  }
  return "#495057";
}

std::string entry_anchor(std::size_t index) { return "entry-" + std::to_string(index); }

std::vector<AutLifetime> aut_lifetimes(const std::vector<TimelineEvent>& events, std::int64_t batch_start_ms) {
  std::vector<TimelineEvent> sorted = events;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.unix_ms < b.unix_ms; });
  std::vector<AutLifetime> out;
  std::map<pid_t, std::size_t> by_pid;
  for (const auto& ev : sorted) {
    if (ev.pid <= 0 || ev.event == TimelineKind::Corrupt) continue;  // not about a process we can draw
    const bool is_start = ev.event == TimelineKind::Spawn || ev.event == TimelineKind::Respawn;
    auto it = by_pid.find(ev.pid);
    if (it == by_pid.end()) {
      AutLifetime lt;
      lt.pid = ev.pid;
      lt.tier = ev.tier;
      if (is_start) {
        lt.start_ms = ev.unix_ms;
        lt.start_seen = true;
        lt.respawn = ev.event == TimelineKind::Respawn;
        lt.start_reason = ev.reason;
        if (lt.respawn) {
          // A respawn replaced whatever AUT of this tier was still open.
          for (auto& other : out)
            if (other.tier == ev.tier && other.end_ms < 0) {
              other.end_ms = ev.unix_ms;
              other.end_kind = LifetimeEnd::Replaced;
              other.end_reason = "replaced by AUT pid " + std::to_string(ev.pid);
            }
        }
      } else {
        lt.start_ms = std::min(batch_start_ms, ev.unix_ms);
        lt.start_reason = "already running when the batcher first saw it";
      }
      it = by_pid.emplace(ev.pid, out.size()).first;
      out.push_back(lt);
      if (is_start) continue;
    } else if (is_start) {
      continue;  // seen already
    }
    AutLifetime& lt = out[it->second];
    if (ev.event == TimelineKind::Degraded) {
      if (lt.degraded_ms < 0) {
        lt.degraded_ms = ev.unix_ms;
        lt.degraded_reason = ev.reason;
      }
    } else if (ev.event == TimelineKind::Death || ev.event == TimelineKind::Stopped ||
               ev.event == TimelineKind::LeakStopped) {
      if (lt.end_ms < 0 || lt.end_kind == LifetimeEnd::Replaced) {
        // What happened beats "replaced"; the time is the earlier one we know.
        lt.end_ms = lt.end_ms < 0 ? ev.unix_ms : std::min(lt.end_ms, ev.unix_ms);
        lt.end_kind = ev.event == TimelineKind::Death     ? LifetimeEnd::Death
                      : ev.event == TimelineKind::Stopped ? LifetimeEnd::Stopped
                                                          : LifetimeEnd::LeakStopped;
        lt.end_reason = ev.reason;
      }
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const AutLifetime& a, const AutLifetime& b) { return a.start_ms < b.start_ms; });
  // Lanes: lifetimes of one tier that overlap go on separate rows.
  std::map<std::string, std::vector<std::int64_t>> lane_ends;
  for (auto& lt : out) {
    auto& ends = lane_ends[lt.tier];
    std::int64_t end = lt.end_ms < 0 ? std::numeric_limits<std::int64_t>::max() : lt.end_ms;
    std::size_t lane = 0;
    while (lane < ends.size() && ends[lane] > lt.start_ms) ++lane;
    if (lane == ends.size())
      ends.push_back(end);
    else
      ends[lane] = end;
    lt.lane = static_cast<int>(lane);
  }
  return out;
}

namespace {

constexpr double kWidth = 1200;
constexpr double kLabelX = 8;
constexpr double kChartX0 = 260;
constexpr double kChartX1 = 1185;
constexpr double kAxisHeight = 26;
constexpr double kTierRow = 22;
constexpr double kAutRow = 22;
constexpr double kEntryRow = 18;
constexpr std::size_t kLabelChars = 40;
constexpr const char* kGrid = "#d3dbe5";
constexpr const char* kText = "#212529";

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string seconds_label(double s) {
  char buf[32];
  if (s >= 120)
    std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else if (std::fabs(s - std::round(s)) < 1e-9)
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  else
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string shortened(const std::string& text, std::size_t max_chars) {
  // Counts UTF-8 code points so a cut never splits one.
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++chars > max_chars - 1) return text.substr(0, i) + "…";
  }
  return text;
}

std::string title(const std::string& text) { return "<title>" + html_escape(text) + "</title>"; }

class Canvas {
 public:
  Canvas(std::int64_t t0, std::int64_t t1) : t0_(t0), span_(std::max<std::int64_t>(1, t1 - t0)) {}
  double x(std::int64_t ms) const {
    double f = static_cast<double>(ms - t0_) / static_cast<double>(span_);
    return kChartX0 + std::clamp(f, 0.0, 1.0) * (kChartX1 - kChartX0);
  }
  std::int64_t t0() const { return t0_; }
  std::int64_t span() const { return span_; }
  std::string offset(std::int64_t ms) const { return "+" + seconds_label(static_cast<double>(ms - t0_) / 1000.0); }

  std::string out;

 private:
  std::int64_t t0_;
  std::int64_t span_;
};

std::string rect(double x, double y, double w, double h, const std::string& fill, const std::string& extra = "") {
  return "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" fill=\"" +
         fill + "\"" + extra + "/>";
}

std::string text(double x, double y, const std::string& content, const std::string& extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + extra + ">" + html_escape(content) + "</text>";
}

double nice_step_seconds(double span_s) {
  static const double kSteps[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200};
  for (double s : kSteps)
    if (span_s / s <= 12) return s;
  return 14400;
}

void draw_axis(Canvas& c, double height) {
  double span_s = static_cast<double>(c.span()) / 1000.0;
  double step = nice_step_seconds(span_s);
  for (double s = 0; s <= span_s + 1e-9; s += step) {
    double x = c.x(c.t0() + static_cast<std::int64_t>(std::llround(s * 1000)));
    c.out += "<line x1=\"" + num(x) + "\" y1=\"" + num(kAxisHeight - 6) + "\" x2=\"" + num(x) + "\" y2=\"" +
             num(height) + "\" stroke=\"" + kGrid + "\" stroke-width=\"1\"/>";
    c.out += text(x, kAxisHeight - 10, seconds_label(s), " text-anchor=\"middle\" class=\"axis\"");
  }
}

/// Where each test of an entry ended, from the attempts' and tests'
/// durations (the report has no per-test start times): tests of attempt k
/// follow each other from the start of attempt k.
std::vector<std::int64_t> test_end_times(const EntryResult& e) {
  std::vector<std::int64_t> attempt_start;
  std::int64_t at = e.started_unix_ms;
  for (const auto& a : e.attempts) {
    attempt_start.push_back(at);
    at += std::chrono::duration_cast<std::chrono::milliseconds>(a.duration).count();
  }
  std::int64_t entry_end =
      e.started_unix_ms + std::chrono::duration_cast<std::chrono::milliseconds>(e.duration).count();
  std::map<int, std::int64_t> cursor;
  std::vector<std::int64_t> out;
  for (const auto& t : e.tests) {
    std::size_t k = t.attempt >= 1 ? static_cast<std::size_t>(t.attempt - 1) : 0;
    if (!cursor.count(t.attempt)) cursor[t.attempt] = k < attempt_start.size() ? attempt_start[k] : e.started_unix_ms;
    cursor[t.attempt] += std::chrono::duration_cast<std::chrono::milliseconds>(t.duration).count();
    out.push_back(std::min(cursor[t.attempt], entry_end));
  }
  return out;
}

enum class Layer { Bars, Starts, Ends };

/// A lifetime, one layer at a time: bars first, then every start mark, then
/// every end mark, so an AUT's death is never hidden under its successor's
/// respawn. End marks sit just inside the bar's end, start marks just after
/// its start: a death and the respawn at the same moment stand side by side.
void draw_lifetime(Canvas& c, const AutLifetime& lt, double y, std::int64_t t_end, Layer layer) {
  const double bar_y = y + 5;
  const double bar_h = 12;
  const double cy = bar_y + bar_h / 2;
  double x0 = c.x(lt.start_ms);
  std::int64_t end = lt.end_ms < 0 ? t_end : lt.end_ms;
  double x1 = std::max(c.x(end), x0 + 3);
  std::string who = "AUT pid " + std::to_string(lt.pid);
  if (layer == Layer::Bars) {
    double xd = lt.degraded_ms < 0 ? x1 : std::clamp(c.x(lt.degraded_ms), x0, x1);
    if (lt.degraded_ms >= 0 && x1 - xd < 4) xd = std::max(x0, x1 - 4);  // a short degradation stays visible
    std::string life = who + " (" + lt.tier + "), " + c.offset(lt.start_ms) + " to " +
                       (lt.end_ms < 0 ? std::string("the end") : c.offset(lt.end_ms)) + ": " +
                       (lt.respawn ? "respawned: " : "started: ") + lt.start_reason;
    c.out += "<g class=\"aut\">";
    if (xd > x0) c.out += "<g>" + title(life) + rect(x0, bar_y, xd - x0, bar_h, TimelineColours::kHealthy) + "</g>";
    if (lt.degraded_ms >= 0)
      c.out += "<g class=\"aut-degraded\">" +
               title(who + " degraded at " + c.offset(lt.degraded_ms) + ": " + lt.degraded_reason) +
               rect(xd, bar_y, x1 - xd, bar_h, TimelineColours::kDegraded) + "</g>";
    if (x1 - x0 > (lt.respawn ? 90 : 70))
      c.out += text(x0 + (lt.respawn ? 16 : 4), bar_y + 10, "pid " + std::to_string(lt.pid), " class=\"pid\"");
    c.out += "</g>";
  } else if (layer == Layer::Starts) {
    if (lt.respawn) {
      double cx = x0 + 7;
      c.out += "<g class=\"aut-respawn\">" + title("respawn at " + c.offset(lt.start_ms) + ": " + lt.start_reason) +
               "<polygon points=\"" + num(cx) + "," + num(cy - 7) + " " + num(cx + 7) + "," + num(cy) + " " + num(cx) +
               "," + num(cy + 7) + " " + num(cx - 7) + "," + num(cy) + "\" fill=\"" + TimelineColours::kRespawn +
               "\" stroke=\"#ffffff\" stroke-width=\"1\"/></g>";
    } else if (lt.start_seen) {
      c.out += "<g>" + title("spawn at " + c.offset(lt.start_ms) + ": " + lt.start_reason) +
               rect(x0, bar_y - 3, 3, bar_h + 6, "#343a40") + "</g>";
    }
  } else if (lt.end_kind == LifetimeEnd::Death) {
    double cx = x1 - 7.5;
    c.out += "<g class=\"aut-death\">" + title(who + " died at " + c.offset(lt.end_ms) + ": " + lt.end_reason) +
             "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"7.5\" fill=\"" + TimelineColours::kDead +
             "\" stroke=\"#ffffff\" stroke-width=\"1\"/>" + "<path d=\"M" + num(cx - 3.5) + " " + num(cy - 3.5) + "L" +
             num(cx + 3.5) + " " + num(cy + 3.5) + "M" + num(cx + 3.5) + " " + num(cy - 3.5) + "L" + num(cx - 3.5) +
             " " + num(cy + 3.5) + "\" stroke=\"#ffffff\" stroke-width=\"2\"/></g>";
  } else if (lt.end_kind == LifetimeEnd::Stopped || lt.end_kind == LifetimeEnd::LeakStopped) {
    std::string what =
        lt.end_kind == LifetimeEnd::Stopped ? " stopped at " : " left running, stopped by the batcher at ";
    c.out += "<g class=\"aut-stop\">" + title(who + what + c.offset(lt.end_ms) + ": " + lt.end_reason) +
             rect(x1 - 8, cy - 5, 8, 10, lt.end_kind == LifetimeEnd::Stopped ? "#495057" : TimelineColours::kDirty,
                  " stroke=\"#343a40\" stroke-width=\"1\"") +
             "</g>";
  }
}

void draw_guide(Canvas& c, std::int64_t ms, const char* colour, const std::string& why, double y0, double y1) {
  double x = c.x(ms);
  c.out += "<g class=\"guide\">" + title(why) + "<line x1=\"" + num(x) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(x) +
           "\" y2=\"" + num(y1) + "\" stroke=\"" + colour + "\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/></g>";
}

void draw_entry(Canvas& c, const EntryResult& e, std::size_t index, double y) {
  std::string label = (e.dirty_start ? "⚠ " : "") + e.name;
  c.out += "<a href=\"#" + entry_anchor(index) + "\">" +
           title(e.id + ": " + name(e.code) + (e.reason.empty() ? "" : " — " + e.reason)) +
           text(kLabelX + 14, y + 13, shortened(label, kLabelChars), " class=\"entry-label\"") + "</a>";
  if (e.started_unix_ms <= 0) {
    c.out += text(kChartX0 + 4, y + 13, "not run", " class=\"muted\"");
    return;
  }
  std::int64_t end = e.started_unix_ms + std::chrono::duration_cast<std::chrono::milliseconds>(e.duration).count();
  double x0 = c.x(e.started_unix_ms);
  double x1 = std::max(c.x(end), x0 + 2);
  c.out += "<a href=\"#" + entry_anchor(index) + "\" class=\"entry\">" +
           title(e.id + ": " + name(e.code) + ", " + c.offset(e.started_unix_ms) + " to " + c.offset(end) +
                 (e.reason.empty() ? "" : " — " + e.reason)) +
           rect(x0, y + 3, x1 - x0, kEntryRow - 6, result_fill(e.code),
                " stroke=\"" + std::string(result_ink(e.code)) + "\" stroke-width=\"0.6\"") +
           "</a>";
  auto ends = test_end_times(e);
  for (std::size_t i = 0; i < e.tests.size(); ++i) {
    const TestResult& t = e.tests[i];
    if (t.synthetic) continue;
    double tx = std::clamp(c.x(ends[i]), x0, x1) - 1;
    c.out += "<g class=\"test\">" +
             title(t.name + ": " + name(t.code) + " (" + human_duration(t.duration) + ", ended about " +
                   c.offset(ends[i]) + ")") +
             rect(tx, y + 1, 2, kEntryRow - 2, result_ink(t.code)) + "</g>";
  }
  if (e.dirty_start) {
    double cy = y + 1;
    c.out += "<g class=\"dirty-start\">" +
             title("dirty start (" + std::string(to_string(e.dirty_start->kind)) +
                   "): " + warn_line(e.dirty_start->message)) +
             "<polygon points=\"" + num(x0 - 7) + "," + num(cy) + " " + num(x0 + 7) + "," + num(cy) + " " + num(x0) +
             "," + num(cy + 13) + "\" fill=\"" + TimelineColours::kDirty +
             "\" stroke=\"#5c3c00\" stroke-width=\"1\"/></g>";
  }
}

void draw_legend(Canvas& c, double y) {
  struct Item {
    const char* colour;
    const char* label;
  };
  const Item items[] = {{TimelineColours::kHealthy, "AUT healthy"},
                        {TimelineColours::kDegraded, "AUT degraded"},
                        {TimelineColours::kDead, "AUT died"},
                        {TimelineColours::kRespawn, "respawn"},
                        {TimelineColours::kDirty, "dirty start"},
                        {result_fill(ResultCode::Pass), "entry passed"},
                        {result_fill(ResultCode::Fail), "entry failed"},
                        {result_fill(ResultCode::XFail), "expected failure"},
                        {result_ink(ResultCode::Pass), "test (tick)"}};
  double x = kLabelX;
  for (const auto& it : items) {
    c.out += rect(x, y + 3, 12, 12, it.colour, " stroke=\"#868e96\" stroke-width=\"0.5\"");
    c.out += text(x + 16, y + 13, it.label, " class=\"legend\"");
    x += 22 + 6.5 * static_cast<double>(std::string(it.label).size());
  }
}

}  // namespace

std::string timeline_svg(const BatchResults& results) {
  // The time span: the batch, widened to anything recorded outside it.
  std::int64_t t0 = results.started_unix_ms;
  std::int64_t t1 = t0 + std::chrono::duration_cast<std::chrono::milliseconds>(results.duration).count();
  for (const auto& e : results.entries) {
    if (e.started_unix_ms <= 0) continue;
    if (t0 <= 0) t0 = e.started_unix_ms;
    t0 = std::min(t0, e.started_unix_ms);
    t1 = std::max(t1, e.started_unix_ms + std::chrono::duration_cast<std::chrono::milliseconds>(e.duration).count());
  }
  for (const auto& ev : results.aut_timeline) {
    if (ev.unix_ms <= 0) continue;
    if (t0 <= 0) t0 = ev.unix_ms;
    t1 = std::max(t1, ev.unix_ms);
  }
  t1 = std::max(t1, t0 + 1);
  Canvas c(t0, t1);
  auto lifetimes = aut_lifetimes(results.aut_timeline, t0);

  // Tiers in order; tiers only events or entries name come last.
  std::vector<std::string> tiers;
  std::map<std::string, bool> uses_aut;
  for (const auto& t : results.tiers) {
    tiers.push_back(t.name);
    uses_aut[t.name] = t.uses_aut;
  }
  auto add_tier = [&](const std::string& name) {
    if (std::find(tiers.begin(), tiers.end(), name) == tiers.end()) tiers.push_back(name);
  };
  for (const auto& e : results.entries) add_tier(e.tier);
  for (const auto& lt : lifetimes) add_tier(lt.tier);

  double y = kAxisHeight;
  Canvas rows_canvas(t0, t1);  // drawn before the guides
  for (const auto& tier : tiers) {
    rows_canvas.out += "<line x1=\"0\" y1=\"" + num(y) + "\" x2=\"" + num(kWidth) + "\" y2=\"" + num(y) +
                       "\" stroke=\"#adb5bd\" stroke-width=\"1\"/>";
    rows_canvas.out += text(kLabelX, y + 15, shortened(tier, kLabelChars), " class=\"tier\"");
    y += kTierRow;
    int lanes = 0;
    for (const auto& lt : lifetimes)
      if (lt.tier == tier) lanes = std::max(lanes, lt.lane + 1);
    if (lanes == 0 && uses_aut[tier]) {
      rows_canvas.out += text(kLabelX + 14, y + 15, "AUT", " class=\"aut-label\"");
      rows_canvas.out +=
          text(kChartX0 + 4, y + 15, "no AUT start or end was observed in this tier", " class=\"muted\"");
      y += kAutRow;
    }
    for (int lane = 0; lane < lanes; ++lane) {
      rows_canvas.out += text(kLabelX + 14, y + 15, lane == 0 ? "AUT" : "AUT (overlapping)", " class=\"aut-label\"");
      for (Layer layer : {Layer::Bars, Layer::Starts, Layer::Ends})
        for (const auto& lt : lifetimes)
          if (lt.tier == tier && lt.lane == lane) draw_lifetime(rows_canvas, lt, y, t1, layer);
      y += kAutRow;
    }
    for (std::size_t i = 0; i < results.entries.size(); ++i) {
      if (results.entries[i].tier != tier) continue;
      draw_entry(rows_canvas, results.entries[i], i, y);
      y += kEntryRow;
    }
  }
  const double rows_end = y + 4;
  // Deaths and degradations cross every row: the entry they cross was running.
  Canvas guides(t0, t1);
  for (const auto& lt : lifetimes) {
    if (lt.degraded_ms >= 0)
      draw_guide(guides, lt.degraded_ms, TimelineColours::kDegraded,
                 "AUT pid " + std::to_string(lt.pid) + " seen degraded at " + c.offset(lt.degraded_ms) + ": " +
                     lt.degraded_reason,
                 kAxisHeight, rows_end);
    if (lt.end_kind == LifetimeEnd::Death)
      draw_guide(guides, lt.end_ms, TimelineColours::kDead,
                 "AUT pid " + std::to_string(lt.pid) + " died at " + c.offset(lt.end_ms) + ": " + lt.end_reason,
                 kAxisHeight, rows_end);
  }
  for (const auto& ev : results.aut_timeline)
    if (ev.event == TimelineKind::Corrupt)
      draw_guide(guides, ev.unix_ms, TimelineColours::kDirty, "state file corrupt: " + ev.reason, kAxisHeight,
                 rows_end);
  const double legend_y = rows_end + 6;
  const double height = legend_y + 24;

  draw_axis(c, rows_end);
  draw_legend(c, legend_y);
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" role=\"img\" "
      "aria-label=\"AUT timeline\" viewBox=\"0 0 " +
      num(kWidth) + " " + num(height) +
      "\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" font-family=\"sans-serif\" "
      "font-size=\"11\" fill=\"" +
      kText + "\">";
  svg += rect(0, 0, kWidth, height, TimelineColours::kBackground, " class=\"timeline-bg\"");
  svg += c.out;  // axis and legend
  svg += rows_canvas.out;
  svg += guides.out;
  svg += "</svg>";
  return svg;
}

}  // namespace livegui::batch
