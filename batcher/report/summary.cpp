#include "batcher/report/summary.hpp"

#include <algorithm>
#include <cstdio>

#include "batcher/display/entry_text.hpp"
#include "batcher/reproduce.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace {

struct Column {
  const char* header;
  std::string (*value)(const TierCounts&);
  bool only_when_nonzero = false;  ///< shown only when some row has one
};

std::string n(int v) { return std::to_string(v); }

const Column kColumns[] = {
    {"pass", [](const TierCounts& c) { return n(c.count(ResultCode::Pass)); }},
    {"flaky", [](const TierCounts& c) { return n(c.count(ResultCode::Flaky)); }, true},
    {"fail", [](const TierCounts& c) { return n(c.count(ResultCode::Fail)); }},
    {"crash", [](const TierCounts& c) { return n(c.count(ResultCode::Crash)); }},
    {"timeout", [](const TierCounts& c) { return n(c.count(ResultCode::Timeout)); }},
    {"unresolved", [](const TierCounts& c) { return n(c.count(ResultCode::Unresolved)); }},
    // GoogleTest counts disabled tests apart from skipped ones; so does every report.
    {"skip", [](const TierCounts& c) { return n(c.skipped()); }},
    {"disabled", [](const TierCounts& c) { return n(c.disabled); }, true},
    {"xfail", [](const TierCounts& c) { return n(c.count(ResultCode::XFail)); }},
    {"xpass", [](const TierCounts& c) { return n(c.count(ResultCode::XPass)); }},
    {"dirty", [](const TierCounts& c) { return n(c.dirty_starts); }},
    {"respawns", [](const TierCounts& c) { return n(c.aut_respawns); }},
    {"duration", [](const TierCounts& c) { return human_duration(c.duration); }},
};

std::string pad_left(const std::string& s, std::size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}
std::string pad_right(const std::string& s, std::size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

std::string first_line(const std::string& text) {
  auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

}  // namespace

std::string summary_text(const BatchResults& results, const SummaryOptions& options) {
  std::vector<std::pair<std::string, TierCounts>> rows;
  for (const auto& t : results.tiers) {
    TierCounts c = count_tier(results, t.name);
    rows.push_back({t.name + " (" + n(c.entries) + (c.entries == 1 ? " entry)" : " entries)"), c});
  }
  TierCounts total = count_all(results);
  if (results.tiers.size() != 1)
    rows.push_back({"total (" + n(total.entries) + (total.entries == 1 ? " entry)" : " entries)"), total});

  std::string out = "\n";
  std::string title = "Summary";
  if (results.shard_count > 1) title += " (shard " + n(results.shard_index + 1) + "/" + n(results.shard_count) + ")";
  if (results.interrupted) title += " — INTERRUPTED (" + results.interrupt_reason + ")";
  std::size_t label_w = title.size();
  for (const auto& [label, c] : rows) label_w = std::max(label_w, label.size() + 2);
  std::vector<const Column*> columns;
  for (const auto& col : kColumns)
    if (!col.only_when_nonzero ||
        std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return col.value(r.second) != "0"; }))
      columns.push_back(&col);
  std::vector<std::size_t> widths;
  for (const Column* col : columns) {
    std::size_t w = std::string(col->header).size();
    for (const auto& [label, c] : rows) w = std::max(w, col->value(c).size());
    widths.push_back(w);
  }
  out += pad_right(title, label_w);
  for (std::size_t i = 0; i < columns.size(); ++i) out += "  " + pad_left(columns[i]->header, widths[i]);
  out += "\n";
  for (const auto& [label, c] : rows) {
    out += pad_right("  " + label, label_w);
    for (std::size_t i = 0; i < columns.size(); ++i) out += "  " + pad_left(columns[i]->value(c), widths[i]);
    out += "\n";
  }
  const bool any_flaky = total.count(ResultCode::Flaky) > 0;
  out += std::string("  (tests counted; ") +
         (any_flaky ? "flaky = passed on a retry after the AUT or the binary broke, " : "") +
         "xfail = expected failure, xpass = unexpectedly passed (a failure), dirty = entries that "
         "started after the previous one left the AUT dirty)\n";

  if (options.tier_warnings)
    for (const auto& t : results.tiers)
      for (const auto& w : t.warnings) out += paint_warning(w, options.color) + "\n";
  for (const auto& note : results.notes) out += "note: " + note + "\n";

  std::vector<std::pair<const EntryResult*, const TestResult*>> failures;
  for (const auto& e : results.entries)
    for (const auto& t : e.tests)
      if (is_failure(t.code)) failures.push_back({&e, &t});
  if (!failures.empty()) {
    out += "\nFailures (" + n(static_cast<int>(failures.size())) + "):\n";
    std::size_t shown = 0;
    for (const auto& [e, t] : failures) {
      if (shown++ == options.max_failures_listed) {
        out += "  … and " + n(static_cast<int>(failures.size() - options.max_failures_listed)) +
               " more (see the reports)\n";
        break;
      }
      std::string what = t->synthetic && !e->gtest ? "" : " " + t->name;
      out += "  " + paint(pad_right(name(t->code), 10), t->code, options.color) + " " + entry_label(e->tier, e->name) +
             what + " — " + console_safe(first_line(t->message)) + "\n";
      out += "             " + test_reproduce_line(*e, *t) + "\n";
    }
  }
  std::vector<std::pair<const EntryResult*, const TestResult*>> flaky;
  for (const auto& e : results.entries)
    for (const auto& t : e.tests)
      if (t.code == ResultCode::Flaky) flaky.push_back({&e, &t});
  if (!flaky.empty()) {
    out += "\nFlaky (" + n(static_cast<int>(flaky.size())) + "), passed on a retry:\n";
    for (const auto& [e, t] : flaky) {
      std::string what = t->synthetic && !e->gtest ? "" : " " + t->name;
      out += "  " + paint(pad_right(name(t->code), 10), t->code, options.color) + " " + entry_label(e->tier, e->name) +
             what + " — " + first_line(t->message) + "\n";
    }
  }
  std::vector<const EntryResult*> dirty;
  for (const auto& e : results.entries)
    if (e.dirty_start) dirty.push_back(&e);
  if (!dirty.empty()) {
    out += "\nDirty starts (" + n(static_cast<int>(dirty.size())) + "):\n";
    for (const auto* e : dirty)
      out += "  " + entry_label(e->tier, e->name) + ": " + to_string(e->dirty_start->kind) + "\n";
  }
  if (!options.report_files.empty()) {
    out += "\nReports:";
    for (const auto& f : options.report_files) out += " " + f;
    out += "\n";
  }
  const std::string verdict = verdict_word(results);
  const std::string tally = outcome_tally(total);
  ResultCode shade = verdict == "PASSED" ? ResultCode::Pass : ResultCode::Fail;
  out += "\n" + paint(verdict, shade, options.color) + ": " + tally + " in " + human_duration(results.duration) + "\n";
  return out;
}

}  // namespace livegui::batch
