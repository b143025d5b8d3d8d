#include "batcher/batch.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "batcher/plan/plan.hpp"
#include "batcher/report/durations.hpp"
#include "batcher/report/html_report.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/report/junit_report.hpp"
#include "batcher/report/summary.hpp"
#include "batcher/reproduce.hpp"
#include "batcher/run/aut_session.hpp"
#include "batcher/run/executor.hpp"
#include "batcher/run/interrupt_signals.hpp"
#include "batcher/run/orphans.hpp"
#include "batcher/run/run_state.hpp"
#include "batcher/run/state_guard.hpp"
#include "batcher/scratch_dir.hpp"
#include "batcher/select/discovery.hpp"
#include "batcher/select/last_failed.hpp"
#include "batcher/warning.hpp"
#include "common/environment.hpp"
#include "common/log.hpp"
#include "common/log_file.hpp"
#include "common/text.hpp"
#include "harness/app_spec.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

std::string report_file_name(const std::string& stem, const std::string& ext, const ShardSpec& shard) {
  if (!shard.active()) return stem + ext;
  return stem + "-shard-" + std::to_string(shard.index + 1) + "-of-" + std::to_string(shard.count) + ext;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Makes sure reports can be written, before anything runs.
void check_report_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir / "logs", ec);
  if (ec) throw std::runtime_error("cannot create the report directory " + dir.string() + ": " + ec.message());
  std::string probe = (dir / ".write-probe-XXXXXX").string();
  int fd = ::mkstemp(probe.data());
  if (fd < 0)
    throw std::runtime_error("the report directory " + dir.string() + " is not writable: " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

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

/// Durations to balance shards by: --durations FILE, else a results.json
/// left in the report directory. A file that cannot be used (the first run
/// of a CI cache, say) is a note, and shards are dealt by count.
Durations previous_durations(const BatchOptions& options, std::ostream& err) {
  fs::path file = options.durations_file ? *options.durations_file : options.report_dir / "results.json";
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (options.durations_file)
      err << "livegui-batch: note: --durations " << file.string()
          << " does not exist; shards are balanced by entry count\n";
    return {};
  }
  try {
    return read_durations(file);
  } catch (const std::exception& e) {
    err << "livegui-batch: note: ignoring " << file.string() << " for shard balancing: " << e.what() << "\n";
    return {};
  }
}

/// TEST_PREMATURE_EXIT_FILE under `bazel test`: exists while the batch runs,
/// so a runner that dies (SIGKILL, a crash) is told apart from a normal end.
class PrematureExitMarker {
 public:
  explicit PrematureExitMarker(fs::path file) : file_(std::move(file)) {
    if (!file_.empty()) std::ofstream(file_).flush();
  }
  ~PrematureExitMarker() {
    std::error_code ec;
    if (!file_.empty()) fs::remove(file_, ec);
  }
  PrematureExitMarker(const PrematureExitMarker&) = delete;
  PrematureExitMarker& operator=(const PrematureExitMarker&) = delete;

 private:
  fs::path file_;
};

/// Tiers (session scope) whose AUT never started: no spawn was recorded and
/// the batcher could not provide it. Under Bazel that is an infrastructure
/// failure, not a test failure.
std::vector<std::string> tiers_whose_aut_never_started(const BatchResults& results) {
  std::vector<std::string> out;
  if (results.aut_scope != "session") return out;
  for (const auto& t : results.tiers) {
    if (!t.uses_aut) continue;
    bool spawned = std::any_of(results.aut_timeline.begin(), results.aut_timeline.end(), [&](const TimelineEvent& ev) {
      return ev.tier == t.name && (ev.event == TimelineKind::Spawn || ev.event == TimelineKind::Respawn);
    });
    bool unprovided = t.no_session ||
                      std::any_of(results.entries.begin(), results.entries.end(),
                                  [&](const EntryResult& e) { return e.tier == t.name && e.session_aut_unavailable; });
    if (!spawned && unprovided) out.push_back(t.name);
  }
  return out;
}

/// Writes each tier's AUT spec for the harness (LIVEGUI_AUT_SPEC), in the
/// syntax a plan uses, from the spec the plan reader validated. The token is
/// left out: the file is named in reports and reproduction commands, so the
/// token travels in the entries' environment (LIVEGUI_AUT_TOKEN) instead.
/// With `running` false (--list, --dry-run) nothing is written; the paths
/// are only named.
void prepare_aut_specs(const Plan& plan, std::vector<Unit>& units, const fs::path& dir, bool running) {
  std::map<std::string, std::string> files, tokens;
  for (const auto& tier : plan.tiers) {
    if (!tier.aut) continue;
    fs::path file = dir / ("aut-spec-" + safe_file_name(tier.name) + ".toml");
    if (running) write_file_atomically(file, tier.aut->to_toml(/*with_token=*/false));
    files[tier.name] = file.string();
    tokens[tier.name] = tier.aut->token;
  }
  for (auto& u : units) {
    if (auto it = files.find(u.tier); it != files.end()) u.aut_spec_file = it->second;
    if (auto it = tokens.find(u.tier); it != tokens.end()) u.aut_token = it->second;
  }
}

}  // namespace

int run_batch(const BatchOptions& options, std::ostream& out, std::ostream& err, InterruptSignals* signals) {
  auto log = logger("batcher");
  auto started = std::chrono::steady_clock::now();
  PrematureExitMarker premature_exit(options.bazel.premature_exit_file);
  std::int64_t started_unix_ms = unix_ms_now();
  if (options.inputs.empty()) {
    err << "livegui-batch: nothing to run: give a plan file (PLAN.toml) or test executables; see --help\n";
    return kExitUsage;
  }

  // 1. Plan.
  Plan plan;
  std::vector<std::string> skipped_inputs;
  try {
    if (options.inputs.size() == 1 && ends_with(options.inputs[0], ".toml")) {
      plan = load_plan(options.inputs[0]);
    } else {
      QuickPlanOptions q;
      q.tier = options.quick_tier;
      q.uses_aut = options.quick_uses_aut;
      q.split = options.quick_split == "suite" ? SplitMode::Suite : SplitMode::Binary;
      QuickPlan qp = quick_plan(options.inputs, q);
      plan = std::move(qp.plan);
      skipped_inputs = std::move(qp.skipped);
    }
  } catch (const PlanError& e) {
    err << "livegui-batch: plan error: " << e.what() << "\n";
    return kExitUsage;
  }
  for (const auto& note : plan.notes) err << "livegui-batch: note: " << note << "\n";
  if (options.aut_scope == "session") {
    for (const auto& tier : plan.tiers) {
      bool uses = std::any_of(tier.entries.begin(), tier.entries.end(), [](const PlanEntry& e) { return e.uses_aut; });
      if (uses && !tier.aut) {
        err << "livegui-batch: plan error: " << tier.where.str() << ": tiers.aut: tier \"" << tier.name
            << "\" uses the AUT but has no `aut` table; --aut-scope session needs it to start the AUT\n";
        return kExitUsage;
      }
    }
  }
  const bool running = !options.list && !options.dry_run;
  if (running) {
    try {
      check_report_dir(options.report_dir);
    } catch (const std::exception& e) {
      err << "livegui-batch: " << e.what() << " (nothing was run)\n";
      return kExitUsage;
    }
  }
  // --dry-run names the paths a real run would use (nothing is written there).
  fs::path report_dir = fs::absolute(options.report_dir);
  // What runs that died (SIGKILL, a crash) left in the temp directory.
  for (const auto& gone : remove_dead_scratch_dirs()) log->debug("removed {}, left by a run that died", gone.string());
  ScratchDir scratch;  // created only if --list / --dry-run needs it

  // 2. Discovery.
  DiscoveryOptions d;
  d.default_timeout = options.timeout;
  // One spawn per entry: a run is listed before it starts only where the
  // test names are needed first (--list, --filter, split = "suite"); the
  // executor lists a binary after its run only when a crash or a hang left
  // tests it must name.
  d.list_tests = options.list || !options.filter.empty();
  d.scratch_dir = running ? report_dir / "logs" / "discovery" : d.list_tests ? scratch.path() : fs::path();
  d.interrupt_fd = signals ? signals->fd() : -1;
  std::vector<Unit> units;
  std::string discovery_interrupted;
  try {
    units = discover(plan, d);
  } catch (const DiscoveryInterrupted& e) {
    // Nothing ran: every entry is SKIPPED, and the reports say so.
    if (signals) signals->drain();
    discovery_interrupted = signal_name(signals && signals->last_signal() ? signals->last_signal() : SIGINT);
    d.start_nothing = true;
    units = discover(plan, d);
    if (!running) {
      err << "livegui-batch: interrupted by " << discovery_interrupted << " during test discovery\n";
      return 128 + (signals && signals->last_signal() ? signals->last_signal() : SIGINT);
    }
  }

  // 3. Selection.
  ShardSpec shard;
  std::optional<BatchResults> previous_run;  // --last-failed: the record it reads
  std::vector<CarriedFailure> not_selected;  // … and the failures of it this run does not run
  try {
    std::vector<std::string> known;
    for (const auto& t : plan.tiers) known.push_back(t.name);
    units = select_tiers(std::move(units), options.tiers, known);
    if (!options.filter.empty()) units = select_matching(std::move(units), options.filter);
    if (options.last_failed) {
      fs::path previous = report_dir / "results.json";
      std::error_code ec;
      if (!fs::exists(previous, ec)) {
        err << "livegui-batch: --last-failed: no previous run in " << report_dir.string()
            << " (results.json is missing); nothing was run\n";
        return kExitUsage;
      }
      LastFailures failures;
      try {
        previous_run = read_results_json(previous);
        failures = last_failures(*previous_run);
        units = select_last_failed(std::move(units), failures);
      } catch (const std::exception& e) {
        err << "livegui-batch: --last-failed: " << e.what() << "\n";
        return kExitUsage;
      }
      if (units.empty()) {
        // The previous record stays as it is: it still holds every failure.
        if (failures.empty())
          out << "livegui-batch: --last-failed: nothing failed in the previous run (" << previous.string()
              << "); nothing to run\n";
        else
          out << "livegui-batch: --last-failed: none of the previous run's " << failures.size() << " failing entr"
              << (failures.size() == 1 ? "y" : "ies")
              << " is selected (--tier, --filter, or no longer in the plan); nothing to run; " << previous.string()
              << " keeps them\n";
        return kExitPassed;
      }
    }
    if (units.empty() && discovery_interrupted.empty() && (!options.tiers.empty() || !options.filter.empty())) {
      err << "livegui-batch: no entry matches" << (options.tiers.empty() ? "" : " --tier " + join(options.tiers, ","))
          << (options.filter.empty() ? "" : " --filter " + options.filter) << "\n";
      return kExitUsage;
    }
    if (options.shard) shard = *options.shard;
    if (shard.active()) units = select_shard(units, shard, previous_durations(options, err));
    if (previous_run) not_selected = unselected_failures(*previous_run, units);
  } catch (const SelectionError& e) {
    err << "livegui-batch: " << e.what() << "\n";
    return kExitUsage;
  }
  // Bazel asks runners that shard to say so by touching this file.
  if (const char* f = std::getenv("TEST_SHARD_STATUS_FILE"); f && *f && shard.active()) std::ofstream(f).flush();

  fs::path state_dir = options.state_dir ? fs::absolute(*options.state_dir) : default_state_dir();
  // This run's own state file: concurrent runs (and shards) never share one.
  const ProcessIdentity self = self_identity();
  const std::string shard_suffix =
      shard.active() ? "-shard-" + std::to_string(shard.index + 1) + "-of-" + std::to_string(shard.count) : "";
  const fs::path state_file = state_dir / run_state_file_name(self, shard_suffix);
  RunContext ctx;
  ctx.log_dir = report_dir / "logs";
  ctx.env[env::kStateDir] = state_dir.string();
  ctx.env[env::kStateFile] = state_file.string();
  ctx.aut_env[env::kAutScope] = options.aut_scope;
  // A session guest attaches only to an AUT this very run owns.
  ctx.aut_env[env::kAutOwner] = std::to_string(self.pid) + ":" + std::to_string(self.start_time);
  ctx.aut_env[env::kLogDir] = (report_dir / "logs" / "aut").string();
  try {
    prepare_aut_specs(plan, units, report_dir, running);
  } catch (const PlanError& e) {
    err << "livegui-batch: plan error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    err << "livegui-batch: " << e.what() << "\n";
    return kExitUsage;
  }

  if (options.list) {
    print_list(plan, units, out);
    return kExitPassed;
  }
  if (options.dry_run) {
    print_dry_run(units, ctx, out);
    return kExitPassed;
  }

  std::unique_ptr<RunState> run_state;
  try {
    ensure_state_dir(state_dir);
    run_state = std::make_unique<RunState>(state_dir, self, shard_suffix);
    std::error_code ec;
    fs::create_directories(report_dir / "logs" / "aut", ec);
    // The session AUT's harness logs beside the AUT logs: the console is for
    // the batcher's own lines, which say what of it matters.
    log_to_file({"harness", "hookclient"}, report_dir / "logs" / "aut" / "harness.log");
  } catch (const std::exception& e) {
    err << "livegui-batch: the state directory is unusable: " << e.what() << " (nothing was run)\n";
    return kExitUsage;
  }

  // 4. Run, tier by tier.
  auto display = make_display(out, options.display);
  for (const auto& s : skipped_inputs) display->note("skipped " + s);
  StateGuard guard({state_file, options.term_grace, options.kill_wait});
  ExecutorOptions eo;
  eo.jobs = options.jobs;
  eo.fail_fast = options.fail_fast;
  eo.term_grace = options.term_grace;
  eo.kill_wait = options.kill_wait;
  eo.run = ctx;
  if (options.display.kind != DisplayKind::Smart) eo.tick = std::chrono::milliseconds(250);
  Executor executor(eo, *display, signals, &guard, discovery_interrupted.empty() ? units.size() : 0);
  // Under `bazel test`: stop (as on SIGTERM) early enough that the reports
  // are written before Bazel's own kill at TEST_TIMEOUT.
  std::unique_ptr<SelfDeadline> deadline;
  std::chrono::milliseconds deadline_after{0};
  if (options.bazel.test_timeout && signals) {
    auto margin = deadline_margin(*options.bazel.test_timeout, options.term_grace + options.kill_wait);
    deadline_after = std::chrono::duration_cast<std::chrono::milliseconds>(*options.bazel.test_timeout) - margin -
                     std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    try {
      deadline = std::make_unique<SelfDeadline>(std::max(deadline_after, std::chrono::milliseconds(1)));
    } catch (const std::exception& e) {
      log->warn("no TEST_TIMEOUT deadline: {}", e.what());
    }
  }

  BatchResults results;
  results.command_line = options.command_line;
  results.plan = plan.source.string();
  results.aut_scope = options.aut_scope;
  results.started_unix_ms = started_unix_ms;
  results.shard_index = shard.index;
  results.shard_count = shard.count;
  for (std::size_t ti = 0; ti < plan.tiers.size(); ++ti) {
    const PlanTier& tier = plan.tiers[ti];
    TierJob job;
    job.name = tier.name;
    job.uses_aut = std::any_of(tier.entries.begin(), tier.entries.end(), [](const PlanEntry& e) { return e.uses_aut; });
    for (const auto& u : units)
      if (u.tier_index == ti) job.units.push_back(u);
    if (job.units.empty()) continue;
    if (!discovery_interrupted.empty()) {
      TierResult tr;
      tr.name = tier.name;
      tr.uses_aut = job.uses_aut;
      results.tiers.push_back(tr);
      for (const auto& u : job.units)
        results.entries.push_back(
            UnitRun::not_run(u, ctx, ResultCode::Skipped,
                             "not run: interrupted by " + discovery_interrupted + " during test discovery"));
      continue;
    }
    TierResult tr;
    std::unique_ptr<AutSession> session;
    if (options.aut_scope == "session" && job.uses_aut && !executor.stopped()) {
      try {
        session = std::make_unique<AutSession>(*tier.aut, state_file, report_dir / "logs" / "aut");
        job.session = session.get();
      } catch (const std::exception& e) {
        results.notes.push_back("tier " + tier.name + ": no session AUT (" + e.what() + "); entries own their AUT");
        tr.no_session = true;
      }
    }
    auto entries = executor.run_tier(job, tr);
    session.reset();  // stops the AUT (bounded)
    results.tiers.push_back(tr);
    for (auto& e : entries) results.entries.push_back(std::move(e));
  }
  // Anything still adopted by us at the end is a leftover of some entry.
  // Charged to the entry whose environment it inherited, when that is known.
  std::vector<std::string> unowned;
  for (const auto& o : stop_adopted_children({}, options.term_grace, options.kill_wait)) {
    auto from = std::find_if(results.entries.begin(), results.entries.end(),
                             [&](const EntryResult& e) { return !o.entry.empty() && e.id == o.entry; });
    if (from == results.entries.end())
      unowned.push_back(o.describe());
    else {
      from->warnings.push_back(from->name + " left " + o.describe() +
                               " running after it ended (orphaned; found at the end of the batch); stopped it");
      display->warning(entry_warn_line(from->tier, from->warnings.back()));
    }
  }
  if (!unowned.empty()) results.notes.push_back("stopped processes left behind at the end: " + join(unowned, ", "));
  results.aut_timeline = guard.timeline();
  results.interrupted = executor.interrupted() || !discovery_interrupted.empty();
  results.interrupt_reason = discovery_interrupted.empty() ? executor.interrupt_reason() : discovery_interrupted;
  if (deadline && deadline->reached() && results.interrupted) {
    results.interrupt_reason = "the TEST_TIMEOUT deadline (" + std::to_string(options.bazel.test_timeout->count()) +
                               "s, less a margin to write the reports)";
    results.notes.push_back("stopped at " + results.interrupt_reason + ", not by a user");
  }
  if (deadline) {
    bool fired = deadline->reached();
    deadline.reset();
    // A SIGTERM of ours still pending would end the process once the mask is restored.
    if (fired && signals) signals->drain();
  }
  results.duration = std::chrono::steady_clock::now() - started;
  results.exit_code = exit_code_for(results);
  results.not_selected = not_selected;
  if (!not_selected.empty()) {
    std::string ids;
    for (const auto& c : not_selected) ids += (ids.empty() ? "" : ", ") + describe_carried(c, units);
    results.notes.push_back(
        "--last-failed did not select " + std::to_string(not_selected.size()) + " earlier failure" +
        (not_selected.size() == 1 ? "" : "s") +
        ", kept for the next --last-failed (results.json not_selected; not run, not counted): " + ids);
  }

  // 5. Reports, then the summary.
  fs::path json_file = report_dir / report_file_name("results", ".json", shard);
  fs::path junit_file = report_dir / report_file_name("junit", ".xml", shard);
  fs::path html_file = report_dir / report_file_name("report", ".html", shard);
  int code = results.exit_code;
  try {
    write_results_json(json_file, results);
    write_junit_xml(junit_file, results);
    HtmlReportOptions html;
    html.report_dir = report_dir;
    write_html_report(html_file, results, html);
    if (!options.bazel.xml_output_file.empty()) write_junit_xml(options.bazel.xml_output_file, results);
    if (!options.bazel.infrastructure_failure_file.empty()) {
      auto broken = tiers_whose_aut_never_started(results);
      if (!broken.empty())
        write_file_atomically(options.bazel.infrastructure_failure_file,
                              "livegui-batch: the AUT could not start at all in tier(s) " + join(broken, ", ") +
                                  "; see " + html_file.string() + "\n");
    }
  } catch (const std::exception& e) {
    err << "livegui-batch: " << e.what() << "\n";
    if (code == kExitPassed) code = kExitFailed;
  }
  display->finish();
  SummaryOptions so;
  so.color = options.display.color;
  so.report_files = {junit_file.string(), json_file.string(), html_file.string()};
  display->print(summary_text(results, so));
  return code;
}

}  // namespace livegui::batch
