#include "batcher/report/merge.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace livegui::batch {

BatchResults merge_results(const std::vector<BatchResults>& parts) {
  BatchResults out;
  if (parts.empty()) return out;
  out.command_line = parts.front().command_line;
  out.plan = parts.front().plan;
  out.aut_scope = parts.front().aut_scope;
  out.started_unix_ms = parts.front().started_unix_ms;
  std::map<std::string, std::size_t> entry_at;
  std::map<std::string, std::size_t> tier_at;
  std::map<int, std::set<int>> shards_seen;  // count → indexes
  bool incomplete = false;
  for (const auto& p : parts) {
    out.started_unix_ms = std::min(out.started_unix_ms, p.started_unix_ms);
    out.duration = std::max(out.duration, p.duration);
    if (p.interrupted) {
      out.interrupted = true;
      if (out.interrupt_reason.empty()) out.interrupt_reason = p.interrupt_reason;
    }
    if (p.shard_count > 1 && !shards_seen[p.shard_count].insert(p.shard_index).second) {
      out.notes.push_back("shard " + std::to_string(p.shard_index + 1) + "/" + std::to_string(p.shard_count) +
                          " was given more than once");
    }
    for (const auto& n : p.notes) out.notes.push_back(n);
    for (const auto& t : p.tiers) {
      auto it = tier_at.find(t.name);
      if (it == tier_at.end()) {
        tier_at[t.name] = out.tiers.size();
        out.tiers.push_back(t);
      } else {
        TierResult& mine = out.tiers[it->second];
        mine.duration = std::max(mine.duration, t.duration);
        mine.uses_aut = mine.uses_aut || t.uses_aut;
        for (const auto& w : t.warnings) mine.warnings.push_back(w);
      }
    }
    for (const auto& e : p.entries) {
      auto it = entry_at.find(e.id);
      if (it == entry_at.end()) {
        entry_at[e.id] = out.entries.size();
        out.entries.push_back(e);
        continue;
      }
      EntryResult& mine = out.entries[it->second];
      bool mine_ran = !mine.attempts.empty();
      bool theirs_ran = !e.attempts.empty();
      if (theirs_ran && !mine_ran) mine = e;
      if (theirs_ran && mine_ran) {
        // Shards dealt from one split never share an entry: these reports
        // come from different splits (e.g. another --durations file, or a
        // re-run shard), so entries dealt elsewhere in those splits may be in
        // no report at all. The merge cannot tell which: incomplete.
        out.notes.push_back(e.id +
                            " ran in more than one report (kept the first): the reports were not dealt from "
                            "one split of the plan, so some entries may be in none; the merged results are incomplete");
        incomplete = true;
      }
    }
    for (const auto& ev : p.aut_timeline) out.aut_timeline.push_back(ev);
  }
  for (const auto& [count, indexes] : shards_seen) {
    for (int i = 0; i < count; ++i) {
      if (!indexes.count(i)) {
        out.notes.push_back("shard " + std::to_string(i + 1) + "/" + std::to_string(count) +
                            " is missing: the merged results are incomplete");
        incomplete = true;
      }
    }
  }
  // --last-failed shards each carry what they did not run; what another ran
  // is no longer carried (of an entry one ran narrowed by --filter, the
  // failing tests none ran still are).
  for (const auto& p : parts)
    for (CarriedFailure c : p.not_selected) {
      auto ran =
          std::find_if(out.entries.begin(), out.entries.end(), [&](const EntryResult& e) { return e.id == c.id; });
      if (ran != out.entries.end()) {
        if (c.tests.empty()) continue;
        std::erase_if(c.tests, [&](const std::string& t) {
          return std::any_of(ran->tests.begin(), ran->tests.end(), [&](const TestResult& r) { return r.name == t; });
        });
        if (c.tests.empty()) continue;
      }
      auto same = std::find_if(out.not_selected.begin(), out.not_selected.end(),
                               [&](const CarriedFailure& o) { return o.id == c.id; });
      if (same == out.not_selected.end()) {
        out.not_selected.push_back(c);
      } else if (!same->tests.empty()) {
        // Carried by two shards: the failing tests of both (none = the whole entry).
        if (c.tests.empty()) same->tests.clear();
        for (const auto& t : c.tests)
          if (std::find(same->tests.begin(), same->tests.end(), t) == same->tests.end()) same->tests.push_back(t);
      }
    }
  std::stable_sort(out.aut_timeline.begin(), out.aut_timeline.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.unix_ms < b.unix_ms; });
  out.shard_index = 0;
  out.shard_count = 1;
  out.notes.push_back("merged from " + std::to_string(parts.size()) + " report(s)");
  out.exit_code = exit_code_for(out);
  if (incomplete && out.exit_code == 0) out.exit_code = 1;
  return out;
}

std::string shard_label(const BatchResults& part, std::size_t input_index) {
  if (part.shard_count > 1)
    return "shard " + std::to_string(part.shard_index + 1) + "/" + std::to_string(part.shard_count);
  return "report " + std::to_string(input_index + 1);
}

BatchResults timeline_by_shard(const BatchResults& merged, const std::vector<BatchResults>& parts) {
  BatchResults view = merged;
  // Which part ran each entry: the one merge_results kept (the first that ran it).
  std::map<std::string, std::string> label_of;
  for (std::size_t i = 0; i < parts.size(); ++i)
    for (const auto& e : parts[i].entries) {
      auto it = label_of.find(e.id);
      if (it == label_of.end() || !e.attempts.empty()) {
        if (it != label_of.end()) {
          bool earlier_ran = false;
          for (std::size_t j = 0; j < i && !earlier_ran; ++j)
            for (const auto& f : parts[j].entries)
              if (f.id == e.id && !f.attempts.empty()) earlier_ran = true;
          if (earlier_ran) continue;
        }
        label_of[e.id] = shard_label(parts[i], i);
      }
    }
  auto lane = [](const std::string& tier, const std::string& label) { return tier + " · " + label; };
  for (auto& e : view.entries)
    if (auto it = label_of.find(e.id); it != label_of.end()) e.tier = lane(e.tier, it->second);
  view.aut_timeline.clear();
  for (std::size_t i = 0; i < parts.size(); ++i)
    for (auto ev : parts[i].aut_timeline) {
      ev.tier = lane(ev.tier, shard_label(parts[i], i));
      view.aut_timeline.push_back(std::move(ev));
    }
  std::stable_sort(view.aut_timeline.begin(), view.aut_timeline.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.unix_ms < b.unix_ms; });
  view.tiers.clear();
  for (const auto& t : merged.tiers)
    for (std::size_t i = 0; i < parts.size(); ++i)
      for (const auto& pt : parts[i].tiers)
        if (pt.name == t.name) {
          TierResult copy = pt;
          copy.name = lane(t.name, shard_label(parts[i], i));
          view.tiers.push_back(std::move(copy));
        }
  return view;
}

}  // namespace livegui::batch
