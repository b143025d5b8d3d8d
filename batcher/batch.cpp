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
#include <optional>
#include <set>
#include <sstream>

#include "batcher/plan/plan.hpp"
#include "batcher/plan_listing.hpp"
#include "batcher/report/durations.hpp"
#include "batcher/report/html_report.hpp"
#include "batcher/report/json_report.hpp"
#include "batcher/report/junit_report.hpp"
#include "batcher/report/summary.hpp"
#include "batcher/report_dir_lock.hpp"
#include "batcher/reproduce.hpp"
#include "batcher/run/aut_session.hpp"
#include "batcher/run/executor.hpp"
#include "batcher/run/interrupt_signals.hpp"
#include "batcher/run/orphans.hpp"
#include "batcher/run/run_cgroup.hpp"
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
  if (results.aut_scope != AutScope::Session) return out;
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

namespace {

/// How a batch ends before it runs anything (a usage error, nothing to run):
/// the one way out of every step below. run_batch prints
/// "livegui-batch: <message>" to `err` (or `out` when `to_out`) and returns
/// `code`.
struct EarlyEnd {
  int code = kExitUsage;
  std::string message;
  bool to_out = false;
};

[[noreturn]] void usage_error(std::string message) { throw EarlyEnd{kExitUsage, std::move(message)}; }

/// Step 1: the plan, from a plan file or the quick form's executables.
struct LoadedPlan {
  Plan plan;
  std::vector<std::string> skipped_inputs;  ///< quick-form inputs that are not test executables
};

LoadedPlan load_step(const BatchOptions& options, std::ostream& err) {
  if (options.inputs.empty())
    usage_error("nothing to run: give a plan file (PLAN.toml) or test executables; see --help");
  LoadedPlan loaded;
  try {
    if (options.inputs.size() == 1 && ends_with(options.inputs[0], ".toml")) {
      loaded.plan = load_plan(options.inputs[0]);
    } else {
      QuickPlanOptions q;
      q.tier = options.quick_tier;
      q.uses_aut = options.quick_uses_aut;
      q.split = options.quick_split;
      QuickPlan qp = quick_plan(options.inputs, q);
      loaded.plan = std::move(qp.plan);
      loaded.skipped_inputs = std::move(qp.skipped);
    }
  } catch (const PlanError& e) {
    usage_error(std::string("plan error: ") + e.what());
  }
  for (const auto& note : loaded.plan.notes) err << "livegui-batch: note: " << note << "\n";
  if (options.aut_scope == AutScope::Session)
    for (const auto& tier : loaded.plan.tiers) {
      bool uses = std::any_of(tier.entries.begin(), tier.entries.end(), [](const PlanEntry& e) { return e.uses_aut; });
      if (uses && !tier.aut)
        usage_error("plan error: " + tier.where.str() + ": tiers.aut: tier \"" + tier.name +
                    "\" uses the AUT but has no `aut` table; --aut-scope session needs it to start the AUT");
    }
  return loaded;
}

/// The report directory, made sure to be writable before anything runs
/// (only named, never created, by --list and --dry-run).
fs::path report_dir_step(const BatchOptions& options, bool running) {
  const fs::path dir = fs::absolute(options.report_dir);
  // --last-failed reads the record it replaces: without one, nothing is
  // created either.
  std::error_code ec;
  if (options.last_failed && !fs::exists(dir / "results.json", ec))
    usage_error("--last-failed: no previous run in " + dir.string() + " (results.json is missing); nothing was run");
  if (running) try {
      check_report_dir(options.report_dir);
    } catch (const std::exception& e) {
      usage_error(std::string(e.what()) + " (nothing was run)");
    }
  return dir;
}

/// Step 2: the entries and, where needed, their tests.
struct Discovered {
  std::vector<Unit> units;
  std::string interrupted;  ///< the signal that stopped discovery ("SIGINT"); empty when it ended
};

Discovered discover_step(const Plan& plan, const BatchOptions& options, const fs::path& report_dir, bool running,
                         ScratchDir& scratch, InterruptSignals* signals) {
  DiscoveryOptions d;
  d.default_timeout = options.timeout;
  // One spawn per entry: a run is listed before it starts only where the
  // test names are needed first (--list, --filter, split = "suite"); the
  // executor lists a binary after its run only when a crash or a hang left
  // tests it must name.
  d.list_tests = options.list || !options.filter.empty();
  d.scratch_dir = running ? report_dir / "logs" / "discovery" : d.list_tests ? scratch.path() : fs::path();
  d.interrupt_fd = signals ? signals->fd() : -1;
  Discovered found;
  try {
    found.units = discover(plan, d);
  } catch (const DiscoveryInterrupted&) {
    // Nothing ran: every entry is SKIPPED, and the reports say so.
    if (signals) signals->drain();
    const int sig = signals && signals->first_signal() ? signals->first_signal() : SIGINT;
    found.interrupted = signal_name(sig);
    if (!running) throw EarlyEnd{128 + sig, "interrupted by " + found.interrupted + " during test discovery"};
    d.start_nothing = true;
    found.units = discover(plan, d);
  }
  return found;
}

/// The record a run narrowed by --tier or --filter carries the earlier
/// failures of; std::nullopt when there is none, or (said on `err`) when it
/// cannot be read.
std::optional<BatchResults> previous_record(const fs::path& file, std::ostream& err) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    return read_results_json(file);
  } catch (const std::exception& e) {
    err << "livegui-batch: note: the earlier failures in " << file.string()
        << " are not carried into this run's record: " << e.what() << "\n";
    return std::nullopt;
  }
}

/// Step 3: what of it this run runs (--tier, --filter, --last-failed, the shard).
struct Selection {
  std::vector<Unit> units;
  ShardSpec shard;
  std::vector<CarriedFailure> not_selected;  ///< --last-failed: earlier failures this run does not run
};

Selection select_step(const Plan& plan, std::vector<Unit> units, bool discovery_interrupted,
                      const BatchOptions& options, const fs::path& report_dir, std::ostream& err) {
  Selection sel;
  std::optional<BatchResults> previous_run;  // --last-failed: the record it reads
  try {
    std::vector<std::string> known;
    for (const auto& t : plan.tiers) known.push_back(t.name);
    units = select_tiers(std::move(units), options.tiers, known);
    if (!options.filter.empty()) units = select_matching(std::move(units), options.filter);
    if (options.last_failed) {
      fs::path previous = report_dir / "results.json";  // exists: report_dir_step
      LastFailures failures;
      try {
        previous_run = read_results_json(previous);
        failures = last_failures(*previous_run);
        units = select_last_failed(std::move(units), failures, options.filter);
      } catch (const std::exception& e) {
        usage_error(std::string("--last-failed: ") + e.what());
      }
      if (units.empty()) {
        // The previous record stays as it is: it still holds every failure.
        if (failures.empty())
          throw EarlyEnd{
              kExitPassed,
              "--last-failed: nothing failed in the previous run (" + previous.string() + "); nothing to run", true};
        throw EarlyEnd{kExitPassed,
                       "--last-failed: the previous run's failures are not in this run's selection (--tier, "
                       "--filter, or no longer in the plan): " +
                           describe_failures(unselected_failures(*previous_run, {})) + "; nothing to run; " +
                           previous.string() + " keeps them for the next --last-failed",
                       true};
      }
    } else if ((!options.tiers.empty() || !options.filter.empty()) && !options.shard) {
      // A run narrowed by --tier or --filter did not re-test the earlier
      // failures it did not select: it carries them, as pytest's lastfailed
      // cache does, so the next --last-failed still runs them.
      previous_run = previous_record(report_dir / "results.json", err);
    }
    if (units.empty() && !discovery_interrupted && (!options.tiers.empty() || !options.filter.empty()))
      usage_error(std::string("no entry matches") +
                  (options.tiers.empty() ? "" : " --tier " + join(options.tiers, ",")) +
                  (options.filter.empty() ? "" : " --filter " + options.filter));
    if (options.shard) sel.shard = *options.shard;
    if (sel.shard.active()) units = select_shard(units, sel.shard, previous_durations(options, err));
    if (previous_run) sel.not_selected = unselected_failures(*previous_run, units);
  } catch (const SelectionError& e) {
    usage_error(e.what());
  }
  // Bazel asks runners that shard to say so by touching this file.
  if (const char* f = std::getenv("TEST_SHARD_STATUS_FILE"); f && *f && sel.shard.active()) std::ofstream(f).flush();
  sel.units = std::move(units);
  return sel;
}

/// What every entry of this run is given: its own state file (concurrent
/// runs and shards never share one), the owner a session guest must match,
/// where logs go, and each tier's AUT spec (written only when `running`).
struct RunSetup {
  ProcessIdentity self;
  fs::path state_dir;
  std::string shard_suffix;
  fs::path state_file;
  RunContext ctx;
};

RunSetup setup_step(const Plan& plan, std::vector<Unit>& units, const ShardSpec& shard, const BatchOptions& options,
                    const fs::path& report_dir, bool running) {
  RunSetup s;
  s.state_dir = options.state_dir ? fs::absolute(*options.state_dir) : default_state_dir();
  s.self = self_identity();
  s.shard_suffix =
      shard.active() ? "-shard-" + std::to_string(shard.index + 1) + "-of-" + std::to_string(shard.count) : "";
  s.state_file = s.state_dir / run_state_file_name(s.self, s.shard_suffix);
  s.ctx.log_dir = report_dir / "logs";
  s.ctx.env[env::kStateDir] = s.state_dir.string();
  s.ctx.env[env::kStateFile] = s.state_file.string();
  s.ctx.aut_env[env::kAutScope] = to_string(options.aut_scope);
  // A session guest attaches only to an AUT this very run owns.
  s.ctx.aut_env[env::kAutOwner] = std::to_string(s.self.pid) + ":" + std::to_string(s.self.start_time);
  s.ctx.aut_env[env::kLogDir] = (report_dir / "logs" / "aut").string();
  try {
    prepare_aut_specs(plan, units, report_dir, running);
  } catch (const PlanError& e) {
    usage_error(std::string("plan error: ") + e.what());
  } catch (const std::exception& e) {
    usage_error(e.what());
  }
  return s;
}

/// This run's claim on its state file (held until the batch returns), and
/// the AUT and harness log folder.
std::unique_ptr<RunState> claim_state_step(const RunSetup& setup, const fs::path& report_dir) {
  try {
    ensure_state_dir(setup.state_dir);
    auto run_state = std::make_unique<RunState>(setup.state_dir, setup.self, setup.shard_suffix);
    std::error_code ec;
    fs::create_directories(report_dir / "logs" / "aut", ec);
    // The session AUT's harness logs beside the AUT logs: the console is for
    // the batcher's own lines, which say what of it matters.
    log_to_file({"harness", "hookclient"}, report_dir / "logs" / "aut" / "harness.log");
    return run_state;
  } catch (const std::exception& e) {
    usage_error(std::string("the state directory is unusable: ") + e.what() + " (nothing was run)");
  }
}

/// Under `bazel test`: a deadline that stops the run (as SIGTERM does) early
/// enough that the reports are written before Bazel's own kill at
/// TEST_TIMEOUT. Null when there is none.
std::unique_ptr<SelfDeadline> bazel_deadline(const BatchOptions& options, InterruptSignals* signals,
                                             std::chrono::steady_clock::time_point started) {
  if (!options.bazel.test_timeout || !signals) return nullptr;
  auto margin = deadline_margin(*options.bazel.test_timeout, options.term_grace + options.kill_wait);
  auto after = std::chrono::duration_cast<std::chrono::milliseconds>(*options.bazel.test_timeout) - margin -
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  try {
    return std::make_unique<SelfDeadline>(std::max(after, std::chrono::milliseconds(1)));
  } catch (const std::exception& e) {
    logger("batcher")->warn("no TEST_TIMEOUT deadline: {}", e.what());
    return nullptr;
  }
}

/// Whatever is still adopted by us at the end is a leftover of some entry,
/// charged to the entry whose environment it inherited when that is known.
void stop_leftovers(BatchResults& results, const BatchOptions& options, Display& display) {
  std::vector<std::string> unowned;
  for (const auto& o : stop_adopted_children({}, options.term_grace, options.kill_wait)) {
    auto from = std::find_if(results.entries.begin(), results.entries.end(),
                             [&](const EntryResult& e) { return !o.entry.empty() && e.id == o.entry; });
    if (from == results.entries.end()) {
      unowned.push_back(o.describe());
      continue;
    }
    from->warnings.push_back(from->name + " left " + o.describe() +
                             " running after it ended (orphaned; found at the end of the batch); stopped it");
    display.warning(entry_warn_line(from->tier, from->warnings.back()));
  }
  if (!unowned.empty()) results.notes.push_back("stopped processes left behind at the end: " + join(unowned, ", "));
}

/// Step 4: the tiers in plan order, each with its session AUT when the scope
/// is "session"; then what was left running, and how the run ended.
BatchResults run_step(const Plan& plan, const Selection& sel, const Discovered& found, const RunSetup& setup,
                      const BatchOptions& options, const fs::path& report_dir, Display& display,
                      InterruptSignals* signals, std::chrono::steady_clock::time_point started) {
  StateGuard guard({setup.state_file, options.term_grace, options.kill_wait});
  ExecutorOptions eo;
  eo.jobs = options.jobs;
  eo.fail_fast = options.fail_fast;
  eo.term_grace = options.term_grace;
  eo.kill_wait = options.kill_wait;
  eo.run = setup.ctx;
  if (options.display.kind != DisplayKind::Smart) eo.tick = std::chrono::milliseconds(250);
  const bool discovered = found.interrupted.empty();
  Executor executor(eo, display, signals, &guard, discovered ? sel.units.size() : 0);
  auto deadline = bazel_deadline(options, signals, started);

  BatchResults results;
  results.command_line = options.command_line;
  results.plan = plan.source.string();
  results.aut_scope = options.aut_scope;
  results.shard_index = sel.shard.index;
  results.shard_count = sel.shard.count;
  // Run cgroups beside ours whose batcher and reaper both died (kill -9 of the session).
  for (const auto& stale : clean_stale_run_cgroups_beside_ours(options.kill_wait))
    display.warning(warn_line(results.notes.emplace_back(stale.describe())));
  for (std::size_t ti = 0; ti < plan.tiers.size(); ++ti) {
    const PlanTier& tier = plan.tiers[ti];
    TierJob job;
    job.name = tier.name;
    job.uses_aut = std::any_of(tier.entries.begin(), tier.entries.end(), [](const PlanEntry& e) { return e.uses_aut; });
    for (const auto& u : sel.units)
      if (u.tier_index == ti) job.units.push_back(u);
    if (job.units.empty()) continue;
    TierResult tr;
    tr.name = tier.name;
    tr.uses_aut = job.uses_aut;
    if (!discovered) {
      results.tiers.push_back(tr);
      for (const auto& u : job.units)
        results.entries.push_back(
            UnitRun::not_run(u, setup.ctx, ResultCode::Skipped,
                             "not run: interrupted by " + found.interrupted + " during test discovery"));
      continue;
    }
    std::unique_ptr<AutSession> session;
    if (options.aut_scope == AutScope::Session && job.uses_aut && !executor.stopped()) {
      try {
        session = std::make_unique<AutSession>(*tier.aut, setup.state_file, report_dir / "logs" / "aut");
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
  stop_leftovers(results, options, display);
  results.aut_timeline = guard.timeline();
  results.interrupted = executor.interrupted() || !discovered;
  results.interrupt_reason = discovered ? executor.interrupt_reason() : found.interrupted;
  if (deadline) {
    if (deadline->reached() && results.interrupted) {
      results.interrupt_reason = "the TEST_TIMEOUT deadline (" + std::to_string(options.bazel.test_timeout->count()) +
                                 "s, less a margin to write the reports)";
      results.notes.push_back("stopped at " + results.interrupt_reason + ", not by a user");
    }
    bool fired = deadline->reached();
    deadline.reset();
    // A SIGTERM of ours still pending would end the process once the mask is restored.
    if (fired && signals) signals->drain();
  }
  results.not_selected = sel.not_selected;
  // Kept in the results file this run writes (a shard's own); read from results.json.
  if (auto note = not_selected_note(sel.not_selected, sel.units, report_file_name("results", ".json", sel.shard),
                                    "results.json", options.last_failed ? "--last-failed" : "this run");
      !note.empty())
    results.notes.push_back(note);
  return results;
}

/// Step 5: results.json, junit.xml, report.html (and Bazel's files), then
/// the summary. Returns the exit code: the run's, or failed when a report
/// could not be written.
int report_step(const BatchResults& results, const BatchOptions& options, const fs::path& report_dir,
                const ShardSpec& shard, Display& display, std::ostream& err) {
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
  display.finish();
  SummaryOptions so;
  so.color = options.display.color;
  so.report_files = {junit_file.string(), json_file.string(), html_file.string()};
  display.print(summary_text(results, so));
  return code;
}

}  // namespace

int run_batch(const BatchOptions& options, std::ostream& out, std::ostream& err, InterruptSignals* signals) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t started_unix_ms = unix_ms_now();
  PrematureExitMarker premature_exit(options.bazel.premature_exit_file);
  const bool running = !options.list && !options.dry_run;
  try {
    LoadedPlan loaded = load_step(options, err);
    const fs::path report_dir = report_dir_step(options, running);
    std::optional<ReportDirLock> report_lock;
    if (running) try {
        report_lock.emplace(report_dir);
      } catch (const ReportDirInUse& e) {
        usage_error(std::string(e.what()) + " (nothing was run)");
      }
    // What runs that died (SIGKILL, a crash) left in the temp directory.
    for (const auto& gone : remove_dead_scratch_dirs())
      logger("batcher")->debug("removed {}, left by a run that died", gone.string());
    ScratchDir scratch;  // created only if --list / --dry-run needs it
    const std::unique_ptr<ScratchDir> fast = running ? tmpfs_scratch_dir() : nullptr;  // until the reports are written
    Discovered found = discover_step(loaded.plan, options, report_dir, running, scratch, signals);
    Selection sel =
        select_step(loaded.plan, std::move(found.units), !found.interrupted.empty(), options, report_dir, err);
    RunSetup setup = setup_step(loaded.plan, sel.units, sel.shard, options, report_dir, running);
    if (fast) setup.ctx.scratch_dir = fast->path();
    if (options.list) {
      print_list(loaded.plan, sel.units, out);
      return kExitPassed;
    }
    if (options.dry_run) {
      print_dry_run(sel.units, setup.ctx, out);
      return kExitPassed;
    }
    std::unique_ptr<RunState> run_state = claim_state_step(setup, report_dir);
    // Named otherwise when another run of our pid and start time (in another
    // pid namespace) holds that name (RunState).
    if (run_state->state_file() != setup.state_file) {
      setup.state_file = run_state->state_file();
      setup.ctx.env[env::kStateFile] = setup.state_file.string();
    }
    auto display = make_display(out, options.display);
    for (const auto& s : loaded.skipped_inputs) display->note("skipped " + s);
    BatchResults results = run_step(loaded.plan, sel, found, setup, options, report_dir, *display, signals, started);
    results.started_unix_ms = started_unix_ms;
    results.duration = std::chrono::steady_clock::now() - started;
    results.exit_code = exit_code_for(results);
    // --filter matched no listed test and every binary asked by its run
    // (select_matching) selected none: the filter matches nothing.
    const bool matched_nothing =
        !sel.units.empty() &&
        std::all_of(sel.units.begin(), sel.units.end(), [](const Unit& u) { return !u.skip_if_no_test.empty(); }) &&
        std::all_of(results.entries.begin(), results.entries.end(),
                    [](const EntryResult& e) { return e.code == ResultCode::Skipped; });
    if (matched_nothing) results.exit_code = kExitUsage;
    const int code = report_step(results, options, report_dir, sel.shard, *display, err);
    if (matched_nothing)
      err << "livegui-batch: no entry matches --filter " << options.filter << " (no listing names a matching test, and "
          << sel.units.size() << (sel.units.size() == 1 ? " binary" : " binaries")
          << " run with it as their --gtest_filter selected none)\n";
    return code;
  } catch (const EarlyEnd& e) {
    (e.to_out ? out : err) << "livegui-batch: " << e.message << "\n";
    return e.code;
  }
}

}  // namespace livegui::batch
