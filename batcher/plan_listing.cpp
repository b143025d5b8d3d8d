#include "batcher/plan_listing.hpp"

#include <string>

#include "batcher/reproduce.hpp"
#include "common/environment.hpp"
#include "common/text.hpp"

namespace livegui::batch {

void print_list(const Plan& plan, const std::vector<Unit>& units, std::ostream& out) {
  for (const auto& tier : plan.tiers) {
    std::vector<const Unit*> mine;
    for (const auto& u : units)
      if (u.tier == tier.name) mine.push_back(&u);
    if (mine.empty()) continue;
    out << tier.name << (tier.uses_aut ? " (uses the AUT)" : "") << ": " << mine.size()
        << (mine.size() == 1 ? " entry" : " entries") << "\n";
    for (const Unit* u : mine) {
      out << "  " << u->name;
      if (!u->unresolved.empty())
        out << "  UNRESOLVED: " << u->unresolved;
      else if (!u->not_run.empty())
        out << "  SKIPPED: " << u->not_run;
      else if (!u->skip_if_no_test.empty())
        out << "  [gtest, asked by its run with --gtest_filter=" << u->gtest_filter
            << ": no test its listing names matches]";
      else if (u->gtest)
        out << "  [gtest" << (u->listed ? ", " + std::to_string(u->tests.size()) + " tests" : "") << "]";
      else
        out << "  [command]";
      if (u->entry.expect_fail) out << " [expected to fail]";
      out << "\n";
      for (const auto& t : u->tests) out << "      " << t << "\n";
    }
  }
}

void print_dry_run(const std::vector<Unit>& units, const RunContext& ctx, std::ostream& out) {
  std::size_t i = 0;
  for (const auto& u : units) {
    ++i;
    out << "[" << i << "/" << units.size() << "] " << u.tier << " › " << u.name;
    if (!u.unresolved.empty()) {
      out << "  UNRESOLVED: " << u.unresolved << "\n";
      continue;
    }
    if (!u.not_run.empty()) {
      out << "  SKIPPED: " << u.not_run << "\n";
      continue;
    }
    out << "  (timeout " << human_duration(u.timeout) << (u.entry.uses_aut ? ", uses the AUT" : "") << ")\n";
    UnitRun run(u, ctx);
    AttemptSpec a = run.next_attempt();
    std::string cmd;
    if (!a.spawn.cwd.empty()) cmd += "cd " + shell_quote(a.spawn.cwd.string()) + " && ";
    for (const auto& [k, v] : a.spawn.env_set)
      cmd += k + "=" + (k == env::kAutToken ? std::string("<the tier's token>") : shell_quote(v)) + " ";
    cmd += shell_quote(a.spawn.executable.string());
    for (const auto& arg : a.spawn.args) cmd += " " + shell_quote(arg);
    out << "    " << cmd << "\n";
  }
}

}  // namespace livegui::batch
