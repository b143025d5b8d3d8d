#include "batcher/cli.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "batcher/batch.hpp"
#include "batcher/bazel_test_env.hpp"
#include "batcher/display/terminal.hpp"
#include "batcher/merge_command.hpp"
#include "batcher/plan/plan.hpp"
#include "batcher/select/shard_env.hpp"
#include "common/environment.hpp"
#include "common/log.hpp"

namespace livegui::batch {
namespace {

constexpr const char* kDescription = R"(livegui-batch runs test executables file by file, in tiers, and keeps going:
a crashed test binary is resumed without the test that crashed, a hang is
stopped at the timeout and the running test named, and between files that
use the AUT (the application under test) it reads the AUT state file and
warns when a file starts on a dirty AUT ([BATCH-WARN] …).

  livegui-batch [run] PLAN.toml [options]        run a plan (TOML: tiers of entries)
  livegui-batch [run] EXECUTABLE... [options]    the quick form: one tier, no plan
  livegui-batch merge OUT.json IN.json...        combine shard reports (--junit, --html)
)";

constexpr const char* kFooter = R"(
Results: PASS, FAIL, CRASH (killed by a signal), TIMEOUT, UNRESOLVED (could
not tell: missing executable, no report), SKIPPED (not run), XFAIL (failed as
the plan expects: counts as passed), XPASS (passed but expected to fail: a
failure), FLAKY (failed because the AUT or the binary broke, passed on a
retry: counts as passed, said apart).

Reports (in --report-dir): results.json (everything, including the AUT
timeline and dirty starts), junit.xml (one testcase per test), logs/ (one log
per process). With --shard I/N the files are results-shard-I-of-N.json and
junit-shard-I-of-N.xml; `merge` combines them, and a results.json there
balances the next sharded run by duration.

Sharding also follows GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX and Bazel's
TEST_TOTAL_SHARDS/TEST_SHARD_INDEX (0-based); --shard is 1-based. --shard auto
also reads GitLab's CI_NODE_TOTAL/CI_NODE_INDEX (1-based), CircleCI's
CIRCLE_NODE_TOTAL/CIRCLE_NODE_INDEX, Buildkite's BUILDKITE_PARALLEL_JOB_COUNT/
BUILDKITE_PARALLEL_JOB and a Kubernetes Indexed Job's JOB_COMPLETION_INDEX
with LIVEGUI_SHARD_TOTAL, in that order, and says which it used
(docs/ci.md). Under `bazel test` the report directory, state directory,
filter, JUnit file and a deadline come from Bazel's TEST_* variables.

Environment given to every entry: LIVEGUI_STATE_DIR, LIVEGUI_STATE_FILE,
LIVEGUI_BATCH_ENTRY, LIVEGUI_BATCH_ENTRY_NAME, LIVEGUI_ARTIFACT_DIR
(report-dir/artifacts/<entry>/ for files such as failure screenshots; the
entry creates it when it has something to leave), GTEST_OUTPUT (GoogleTest binaries); to entries that use the AUT
also LIVEGUI_AUT_SCOPE, LIVEGUI_LOG_DIR, LIVEGUI_AUT_SPEC (the tier's `aut`
table as a TOML file, without its token) and LIVEGUI_AUT_TOKEN (the token,
never written to a file). NO_COLOR disables colour.

Exit codes: 0 all passed (expected failures included), 1 any failure,
2 usage or plan error (nothing was run), 130 / 143 / 129 interrupted by
SIGINT / SIGTERM / SIGHUP (running entries and AUT groups are stopped, the
rest SKIPPED, partial reports written; a second signal kills at once).
)";

std::string program_name(char** argv) {
  std::string p = argv && argv[0] ? argv[0] : "livegui-batch";
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

int parse_error(const CLI::App& app, const CLI::ParseError& e, std::ostream& out, std::ostream& err) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    out << app.help();
    return kExitPassed;
  }
  err << app.get_name() << ": " << e.what() << "\n(see " << app.get_name() << " --help)\n";
  return kExitUsage;
}

int merge_main(std::vector<std::string> args, std::ostream& out, std::ostream& err) {
  CLI::App app("Combine the results JSON of several shards (or runs) into one report.", "livegui-batch merge");
  std::string output, junit, html, durations;
  std::vector<std::string> inputs;
  app.add_option("OUT", output, "merged results JSON to write")->required();
  app.add_option("IN", inputs, "results JSON files to merge (e.g. results-shard-*.json)")->required();
  app.add_option("--junit", junit, "also write the merged JUnit XML here");
  app.add_option("--html", html,
                 "also write one report.html here: every shard's entries, warnings and AUT timeline (lanes per shard)");
  app.add_option("--durations", durations,
                 "where to write the entry durations for the next run's --durations (default: durations.json next "
                 "to OUT)");
  try {
    std::reverse(args.begin(), args.end());
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e, out, err);
  }
  MergeOptions m;
  m.output = output;
  m.inputs.assign(inputs.begin(), inputs.end());
  m.junit = junit;
  m.html = html;
  m.durations = durations;
  return run_merge(m, out, err);
}

}  // namespace

namespace {

std::vector<std::string>& startup_notes() {
  static std::vector<std::string> notes;
  return notes;
}

}  // namespace

void defer_startup_note(std::string note) { startup_notes().push_back(std::move(note)); }

int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err, InterruptSignals* signals) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  if (!args.empty() && args[0] == "merge") return merge_main({args.begin() + 1, args.end()}, out, err);
  if (!args.empty() && args[0] == "run") args.erase(args.begin());

  CLI::App app(kDescription, program_name(argv));
  app.footer(kFooter);
  app.get_formatter()->column_width(34);
  BatchOptions o;
  std::string timeout, term_grace, kill_wait, shard, log_level, report_dir = o.report_dir.string(), state_dir;
  std::string aut_scope = to_string(o.aut_scope), split = to_string(o.quick_split);
  std::vector<std::string> tiers;
  bool quiet = false;
  app.add_option("inputs", o.inputs, "a plan file (*.toml), or test executables for the quick form");
  app.add_option("--tier", tiers, "run only these tiers (repeat, or comma-separate)")->delimiter(',');
  app.add_option("--filter", o.filter,
                 "run only entries whose id (tier/name) matches this regex, or only the GoogleTest tests whose "
                 "tier/name/Suite.Test matches");
  app.add_flag("--list", o.list, "list tiers, entries and tests, then exit");
  app.add_flag("--dry-run", o.dry_run, "print the commands that would run, then exit");
  app.add_option("-j,--jobs", o.jobs, "entries to run at once (entries that use the AUT still run one at a time)")
      ->check(CLI::Range(1, 256));
  app.add_option("--shard", shard,
                 "run only shard I of N (1-based), e.g. --shard 2/4; auto: from the CI engine's variables "
                 "(GitLab, CircleCI, Buildkite, Kubernetes, GoogleTest, Bazel; see docs/ci.md)");
  std::string durations;
  app.add_option("--durations", durations,
                 "balance shards by the entry durations in this file: a results JSON (merged or not) or the "
                 "durations.json `merge` writes, e.g. from a CI cache (default: REPORT_DIR/results.json)");
  app.add_flag("--last-failed", o.last_failed,
               "run only the entries and tests that failed (or crashed, timed out, were unresolved) in the report "
               "directory's previous results.json; with --tier, --filter or --shard, only those of them these "
               "select (the others are kept for the next --last-failed)");
  app.add_flag("--fail-fast", o.fail_fast, "stop starting entries after the first failure (off by default)");
  app.add_option("--timeout", timeout, "per-entry timeout when the plan gives none (\"90s\", \"2min\"; default 600s)");
  app.add_option("--term-grace", term_grace, "SIGTERM → SIGKILL grace when stopping an entry (default 3s)");
  app.add_option("--kill-wait", kill_wait,
                 "how long to wait for an entry to go after SIGKILL before moving on without it; it is reaped "
                 "when it finally exits (default 2s)");
  app.add_option("--report-dir", report_dir, "where reports and logs go (default ./livegui-report)");
  app.add_option("--state-dir", state_dir,
                 "AUT state directory, shared by concurrent runs, each with its own file (default $LIVEGUI_STATE_DIR, "
                 "$XDG_RUNTIME_DIR/livegui, /dev/shm/livegui-<uid> on tmpfs, /tmp/livegui-<uid>)");
  app.add_option("--aut-scope", aut_scope,
                 "file: each test binary owns its AUT; session: the batcher owns one AUT per tier and entries "
                 "attach to it")
      ->check(CLI::IsMember({to_string(AutScope::File), to_string(AutScope::Session)}));
  app.add_flag("-v,--verbose", o.verbose, "a line per entry start and per test, and notes (resumes, skipped inputs)");
  app.add_flag("-q,--quiet", quiet, "print only failures, warnings and the summary");
  app.add_option("--log-level", log_level, "log level on stderr: trace, debug, info, warn (default), error, off");
  auto quick = "Quick form (no plan)";
  app.add_option("--tier-name", o.quick_tier, "the tier's name (default \"default\")")->group(quick);
  app.add_flag("--uses-aut", o.quick_uses_aut, "the executables use the AUT (one at a time, state checks)")
      ->group(quick);
  app.add_option("--split", split, "binary: one process per executable; suite: one per GoogleTest suite")
      ->check(CLI::IsMember({to_string(SplitMode::Binary), to_string(SplitMode::Suite)}))
      ->group(quick);
  try {
    std::reverse(args.begin(), args.end());
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e, out, err);
  }

  for (const auto& t : tiers)
    if (!t.empty()) o.tiers.push_back(t);
  // Both checked by IsMember above.
  o.aut_scope = parse_aut_scope(aut_scope).value_or(AutScope::File);
  o.quick_split = split == to_string(SplitMode::Suite) ? SplitMode::Suite : SplitMode::Binary;
  auto duration = [&](const std::string& flag, const std::string& text, std::chrono::milliseconds& into) {
    if (text.empty()) return true;
    auto d = parse_duration(text);
    if (!d || d->count() <= 0) {
      err << app.get_name() << ": " << flag << " " << text << ": expected a duration like 90s, 500ms, 2min\n";
      return false;
    }
    into = *d;
    return true;
  };
  if (!duration("--timeout", timeout, o.timeout) || !duration("--term-grace", term_grace, o.term_grace) ||
      !duration("--kill-wait", kill_wait, o.kill_wait))
    return kExitUsage;
  auto getenv_value = [](const char* n) -> std::optional<std::string> {
    const char* v = std::getenv(n);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  try {
    if (shard == "auto") {
      o.shard = shard_from_ci_environment(getenv_value);
      if (o.shard && o.shard->active())
        out << "livegui-batch: --shard auto: shard " << o.shard->index + 1 << "/" << o.shard->count << " from "
            << o.shard->source << "\n";
      else
        out << "livegui-batch: --shard auto: "
            << (o.shard ? "one shard (" + o.shard->source + ")" : std::string("no shard variable is set"))
            << "; running the whole plan\n";
    } else if (!shard.empty()) {
      o.shard = parse_shard_flag(shard);
    } else {
      o.shard = shard_from_environment(getenv_value);
    }
  } catch (const SelectionError& e) {
    err << app.get_name() << ": " << e.what() << "\n";
    return kExitUsage;
  }
  if (!log_level.empty() && !set_log_level(log_level)) {
    err << app.get_name() << ": --log-level " << log_level << ": expected trace, debug, info, warn, error or off\n";
    return kExitUsage;
  }
  for (const auto& note : startup_notes()) logger("batcher")->info("{}", note);
  startup_notes().clear();
  o.report_dir = report_dir;
  if (!state_dir.empty()) o.state_dir = std::filesystem::path(state_dir);
  if (!durations.empty()) o.durations_file = std::filesystem::path(durations);
  // Under `bazel test`: Bazel's places and filter, unless the command line says otherwise.
  o.bazel = read_bazel_test_env(getenv_value);
  if (app.count("--report-dir") == 0 && !o.bazel.undeclared_outputs_dir.empty())
    o.report_dir = o.bazel.undeclared_outputs_dir;
  if (state_dir.empty() && !getenv_value(env::kStateDir) && !o.bazel.tmpdir.empty())
    o.state_dir = o.bazel.tmpdir / "livegui-state";
  if (app.count("--filter") == 0 && !o.bazel.test_only.empty()) o.filter = o.bazel.test_only;
  o.verbose = o.verbose && !quiet;
  TerminalInfo term = detect_terminal(STDOUT_FILENO);
  o.display.color = term.color;
  o.display.width = term.width;
  o.display.verbose = o.verbose;
  o.display.kind = quiet ? DisplayKind::Quiet : term.smart ? DisplayKind::Smart : DisplayKind::Plain;
  for (int i = 0; i < argc; ++i) o.command_line.emplace_back(argv[i]);
  return run_batch(o, out, err, signals);
}

}  // namespace livegui::batch
