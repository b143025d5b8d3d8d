#include "batcher/run/unit_run.hpp"

#include <algorithm>
#include <set>
#include <system_error>
#include <utility>

#include "batcher/reproduce.hpp"
#include "batcher/run/entry_summary.hpp"
#include "batcher/run/hang_forensics.hpp"
#include "batcher/run/report_formats.hpp"
#include "batcher/select/discovery.hpp"
#include "common/environment.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;

UnitRun::UnitRun(const Unit& unit, const RunContext& context) : unit_(unit), ctx_(context) {
  listing_note_ = unit_.listing_failed;
  base_filter_ = unit_.gtest_filter;
  if (base_filter_.empty() && unit_.gtest) base_filter_ = user_gtest_filter(unit_.entry);
  remaining_ = unit_.tests;
  if (unit_.gtest && unit_.gtest_filter.size() > kMaxFilterBytes && !unit_.tests.empty()) {
    // A filter that names its tests one by one (--last-failed's failures, a
    // split's suite under the entry's own filter) too long for one argument:
    // they run in chunks, each its own process, and nothing else does.
    ResumePlan first = name_chunk(unit_.tests);
    if (first.kind == ResumePlan::Kind::Chunk) {
      first_filter_ = first.filter;
      pending_.assign(unit_.tests.begin() + static_cast<std::ptrdiff_t>(first.tests.size()), unit_.tests.end());
      remaining_ = first.tests;
      next_is_chunk_ = true;
    }
  }
}

AttemptSpec UnitRun::next_attempt() {
  AttemptSpec a;
  a.number = static_cast<int>(attempts_.size()) + 1 + unit_.attempt_offset;
  std::string stem = file_stem(unit_.id);
  std::string suffix = a.number == 1 ? "" : ".attempt-" + std::to_string(a.number);
  a.log = ctx_.log_dir / (stem + suffix + ".log");
  SpawnOptions& s = a.spawn;
  s.executable = unit_.entry.executable;
  s.args = unit_.entry.args;
  s.cwd = unit_.entry.cwd;
  s.output_file = a.log;
  s.env_set = ctx_.env;
  if (unit_.gtest) {
    // The markers tell which test was running when a binary died: keep them
    // (brief mode drops them) and keep them free of colour codes. The plan
    // may still say otherwise.
    s.env_set["GTEST_BRIEF"] = "0";
    s.env_set["GTEST_COLOR"] = "no";
  }
  if (unit_.entry.uses_aut)
    for (const auto& [k, v] : ctx_.aut_env) s.env_set[k] = v;
  if (unit_.entry.uses_aut && !unit_.aut_spec_file.empty()) s.env_set[env::kAutSpec] = unit_.aut_spec_file;
  // Not in the entry's env of the reports (base_result): the token stays out of every file.
  if (unit_.entry.uses_aut && !unit_.aut_token.empty()) s.env_set[env::kAutToken] = unit_.aut_token;
  for (const auto& [k, v] : unit_.entry.env) s.env_set[k] = v;
  s.env_set[env::kBatchEntry] = unit_.id;
  // Its name as the reports say it: the harness records it as the entry
  // that left the AUT degraded (state file degraded_blame).
  s.env_set[env::kBatchEntryName] = unit_.name;
  // Where the entry may leave files for the report (failure screenshots, …).
  s.env_set[env::kArtifactDir] = (ctx_.log_dir.parent_path() / "artifacts" / stem).string();
  // The batcher shards; a child that saw these would shard itself again.
  s.env_unset = {"GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", "TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX",
                 "TEST_SHARD_STATUS_FILE"};
  if (unit_.gtest) {
    // Inherited from the batcher's own environment, these would change what
    // it reads (the plan's own are refused: gtest_flags.hpp).
    for (const char* name : {"GTEST_REPEAT", "GTEST_LIST_TESTS", "GTEST_FLAGFILE", "GTEST_OUTPUT"})
      s.env_unset.push_back(name);
    const fs::path& scratch = ctx_.scratch_dir.empty() ? ctx_.log_dir : ctx_.scratch_dir;
    a.json = ctx_.log_dir / (stem + suffix + ".gtest.json");
    a.premature_exit_file = scratch / (stem + suffix + ".premature-exit");
    // On the command line, not in GTEST_OUTPUT: a child GoogleTest binary a
    // test starts (itself again, say) inherits the environment, not argv, so
    // its report never lands where this run's goes (newcomer trial).
    s.args.push_back("--gtest_output=json:" + a.json.string());
    s.env_set["TEST_PREMATURE_EXIT_FILE"] = a.premature_exit_file.string();
    // Which markers are GoogleTest's own (gtest_stream.hpp); a stream the
    // entry sends elsewhere itself is left alone, and its markers read alone.
    if (!stream_off_ && std::none_of(s.args.begin(), s.args.end(), [](const std::string& arg) {
          return arg.rfind("--gtest_stream_result_to", 0) == 0;
        }))
      a.stream = scratch / (stem + suffix + ".gtest-stream");
    a.filter = attempts_.empty() ? first_filter_.value_or(unit_.gtest_filter)
               : next_filter_    ? *next_filter_
                                 : exclude_from_filter(base_filter_, decided_);
    if (!a.filter.empty()) s.args.push_back("--gtest_filter=" + a.filter);
  }
  if (reads_junit(unit_.entry.format)) {
    // A pytest unit that names its tests (--last-failed) runs only those.
    const std::vector<std::string> selected =
        unit_.entry.format == EntryFormat::Pytest ? unit_.tests : std::vector<std::string>{};
    a.reports = prepare_report_attempt(unit_.entry.format, s, ctx_.log_dir, stem + suffix, decided_, selected);
    // What a resume left out, for the reports ("deselected t.py::a t.py::b").
    if (a.number > 1 && !a.reports.deselected.empty()) a.filter = "deselected " + join(a.reports.deselected, " ");
    else if (!selected.empty())
      a.filter = "selected " + join(selected, " ");
  }
  resume_ = false;
  started_ = true;
  current_capped_ = false;
  next_filter_.reset();
  chunk_attempt_ = std::exchange(next_is_chunk_, false);
  current_without_stream_ = std::exchange(rerun_without_stream_, false);
  current_ = a;
  return a;
}

void UnitRun::log_capped(std::uint64_t dropped) {
  if (!current_capped_) capped_attempts_.push_back(current_.number);
  current_capped_ = true;
  dropped_bytes_ += dropped;
}

AttemptRecord UnitRun::current_record() const {
  AttemptRecord rec;
  rec.number = current_.number;
  // A later process of this unit resumes the rest; its first is the entry's
  // first run, or the start of a retry.
  rec.kind = current_without_stream_ ? AttemptKind::WithoutStream
             : !attempts_.empty()    ? AttemptKind::Resume
             : unit_.retry > 0       ? AttemptKind::Retry
                                     : AttemptKind::First;
  rec.retry = unit_.retry;
  rec.filter = current_.filter;
  return rec;
}

void UnitRun::add_not_run(const std::vector<std::string>& names, const std::string& why) {
  for (const auto& n : names) {
    TestResult r;
    r.name = n;
    r.code = ResultCode::Unresolved;
    r.message = "not run: " + why;
    r.attempt = current_.number;
    tests_.push_back(std::move(r));
  }
}

void UnitRun::spawn_failed(const std::string& why) {
  AttemptRecord rec = current_record();
  rec.exit = "could not start: " + why;
  rec.log = current_.log.string();
  attempts_.push_back(rec);
  std::vector<std::string> names =
      unit_.gtest && current_.number > 1 + unit_.attempt_offset ? remaining_ : std::vector<std::string>{};
  if (unit_.gtest) names.insert(names.end(), pending_.begin(), pending_.end());
  pending_.clear();
  if (names.empty()) {
    TestResult r;
    r.name = unit_.name;
    r.code = ResultCode::Unresolved;
    r.message = "could not start: " + why;
    r.synthetic = true;
    r.attempt = current_.number;
    process_issues_.push_back(r);
  }
  add_not_run(names, "resuming the binary failed: " + why);
  remaining_.clear();
  resume_ = false;
}

void UnitRun::attempt_finished(const ExitStatus& status, StopCause stopped_for, std::chrono::nanoseconds took,
                               pid_t pid, const std::string& interrupt_signal, const TestLister& list_tests) {
  AttemptRecord rec = current_record();
  rec.exit = status.describe();
  rec.stopped_for = stopped_for == StopCause::Timeout       ? "timeout"
                    : stopped_for == StopCause::TestTimeout ? "test_timeout"
                    : stopped_for == StopCause::Interrupt   ? "interrupt"
                                                            : "";
  rec.duration = took;
  rec.log = current_.log.string();
  rec.pid = pid;
  attempts_.push_back(rec);
  const std::size_t decided_before = tests_.size();
  // The test the attempt was stopped (or died) in reports no time of its own.
  struct TimeStopped {
    UnitRun& self;
    std::size_t from;
    std::chrono::nanoseconds took;
    ~TimeStopped() { self.time_stopped_test(from, took); }
  } time_stopped{*this, decided_before, took};

  if (reads_junit(unit_.entry.format)) {
    take(read_report_attempt(unit_.entry.format, current_.reports, unit_.name, status, stopped_for, unit_.timeout,
                             interrupt_signal, current_.number,
                             unit_.entry.test_timeout.value_or(std::chrono::milliseconds(0)), current_.log));
    return;
  }
  if (!unit_.gtest) {
    tests_.push_back(interpret_command(unit_.name, status, stopped_for, unit_.timeout, interrupt_signal));
    tests_.back().duration = took;
    tests_.back().attempt = current_.number;
    resume_ = false;
    return;
  }
  AttemptEvidence ev;
  fs::path rotated = current_.log;
  rotated += ".1";
  const GtestStream stream = current_.stream.empty() ? GtestStream{} : read_gtest_stream(current_.stream);
  if (stream_aborted_a_second_run(stream, status, current_.log)) {
    // GoogleTest's streaming listener closes its connection when
    // RUN_ALL_TESTS() ends and aborts (GTEST_CHECK_) when a second call sends
    // again: a main() that calls it twice (GoogleTest's docs say once) died of
    // our flag, not of itself. Run it again without the stream.
    stream_off_ = true;
    rerun_without_stream_ = true;
    resume_ = true;
    return;
  }
  auto read_markers = [&](const TestListing* listing) {
    constexpr std::size_t kOutputLines = 40;
    return current_capped_ ? parse_gtest_progress_files({rotated, current_.log}, kOutputLines, listing, &stream)
                           : parse_gtest_progress_file(current_.log, kOutputLines, listing, &stream);
  };
  TestListing listing(unit_.tests.begin(), unit_.tests.end());
  ev.progress = read_markers(unit_.listed ? &listing : nullptr);
  ev.json = parse_gtest_json_file(current_.json);
  std::error_code ec;
  ev.premature_exit = fs::exists(current_.premature_exit_file, ec);
  // Only an abnormal end needs the names of the tests the run never reached
  // (and not an interrupt: the user asked us to stop starting things). A
  // run GoogleTest ended (its report written, or its closing summary
  // printed) reached every test, whatever happened at exit after it.
  const bool run_ended = ev.progress.banners <= 1 && !ev.progress.running && (ev.json || ev.progress.completed);
  const bool abnormal =
      !run_ended && (stopped_for == StopCause::Timeout || stopped_for == StopCause::TestTimeout || status.signaled ||
                     ev.premature_exit || (!ev.json && (ev.progress.started_tests || ev.progress.saw_banner)));
  // A listing that already failed before the run (it hung, say) is not tried again.
  if (!unit_.listed && !listing_tried_ && unit_.listing_failed.empty() && abnormal && list_tests &&
      learn_unreached_tests(stream, list_tests)) {
    // What looked like markers of other tests (a child GoogleTest binary a
    // test ran, a line a test printed) is now known to be output.
    listing = TestListing(unit_.tests.begin(), unit_.tests.end());
    ev.progress = read_markers(&listing);
  }
  // A child GoogleTest binary inherits GTEST_OUTPUT: a report naming tests
  // the binary does not list is the child's, not this run's.
  // Not when the binary's own stream started those tests: a main() may
  // register tests only when it is not listing, and they count.
  if (unit_.listed && ev.json && names_unlisted_tests(*ev.json, listing, &stream)) ev.json.reset();
  // A suite this process finished ran all it selects; a chunk selects only
  // the tests it names, so its suites may have more.
  if (!chunk_attempt_)
    for (const auto& s : stream.connected ? stream.ended_suites : ev.progress.closed_suites) finished_suites_.insert(s);
  if (current_.number == 1 && !chunk_attempt_) announced_tests_ = ev.progress.announced_tests;
  ev.expected_tests = remaining_;
  ev.tests_known = unit_.listed;
  ev.status = status;
  ev.stopped_for = stopped_for;
  ev.timeout = unit_.timeout;
  ev.test_timeout = unit_.entry.test_timeout.value_or(std::chrono::milliseconds(0));
  ev.interrupt_signal = interrupt_signal;
  ev.attempt = current_.number;
  AttemptOutcome out = interpret_gtest_attempt(ev);
  if (out.no_gtest_run) {
    TestResult r = interpret_no_gtest_run(unit_.name, ev, unit_.entry.args);
    r.duration = took;
    tests_.push_back(std::move(r));
    resume_ = false;
    return;
  }
  take(std::move(out));
}

void UnitRun::take(AttemptOutcome out) {
  const std::size_t decided_before = decided_.size();
  const std::set<std::string> earlier(decided_.begin(), decided_.end());
  // A test an earlier attempt decided, decided again: the runner ignored the
  // resume's filter (a name repeating within one attempt is two tests). It
  // was not asked for: the earlier attempt's result stands, and a warning
  // says the binary ignored the filter.
  std::string repeated;
  for (auto& r : out.results) {
    if (earlier.count(reproduce_filter_for(r.name))) {
      if (repeated.empty()) repeated = r.name;
      if (std::find(ignored_filter_.begin(), ignored_filter_.end(), r.name) == ignored_filter_.end())
        ignored_filter_.push_back(r.name);
      continue;
    }
    if (!is_failure(r.code) && r.code != ResultCode::XFail) r.output.clear();  // only failures show their output
    // Reports name screenshots relative to the report dir (they live in its artifacts/).
    if (!r.screenshot.empty()) {
      fs::path rel = fs::path(r.screenshot).lexically_relative(ctx_.log_dir.parent_path());
      if (!rel.empty() && *rel.begin() != "..") r.screenshot = rel.string();
    }
    // Stacks of a stalled AUT the harness named in the failure (hang_forensics.hpp).
    if (std::string stacks = stacks_in_message(r.message); !stacks.empty()) {
      fs::path rel = fs::path(stacks).lexically_relative(ctx_.log_dir.parent_path());
      r.stacks = !rel.empty() && *rel.begin() != ".." ? rel.string() : stacks;
    }
    decided_.push_back(reproduce_filter_for(r.name));
    tests_.push_back(std::move(r));
  }
  accepted_failures_ += out.accepted_failures;
  if (out.process_issue && out.failed_without_a_failing_test &&
      (attempts_.back().kind == AttemptKind::Resume || chunk_attempt_)) {
    // A resume runs part of the binary: a main() that checks how many of
    // its tests ran fails then because of the resume, not of a test.
    resume_exit_warnings_.push_back(
        resume_exit_warning(unit_.name, current_.number, current_.filter, out.process_issue->message));
  } else if (out.process_issue) {
    out.process_issue->name = unit_.name + " (process)";
    process_issues_.push_back(*out.process_issue);
  }
  remaining_ = out.remaining;
  resume_ = out.resume;
  if (chunk_attempt_) {
    // The tests later chunks name, and the rest after them, are still to run
    // (not after a timeout or an interrupt: finish() skips them then).
    const std::string& stopped_for = attempts_.back().stopped_for;
    remaining_.insert(remaining_.end(), pending_.begin(), pending_.end());
    if (stopped_for != "timeout" && stopped_for != "interrupt") resume_ = resume_ || !pending_.empty() || rest_due_;
  }
  pending_.clear();
  if (!resume_) return;
  // A test that shares its full name with a decided one (two TESTs of one
  // name in different namespaces): the resume's filter, which leaves the
  // decided one out, leaves it out too. It cannot be run alone; say so
  // rather than call it skipped (newcomer trial).
  std::vector<std::string> twins;
  const std::set<std::string> decided_now(decided_.begin(), decided_.end());
  std::erase_if(remaining_, [&](const std::string& name) {
    bool twin = decided_now.count(name) > 0;
    if (twin) twins.push_back(name);
    return twin;
  });
  for (const auto& name : twins)
    add_not_run({name}, "the binary has more than one test named " + name +
                            " and one of them was decided; a --gtest_filter cannot tell them apart, so the resume "
                            "that leaves that one out leaves this one out too (run the binary alone to see it)");
  if (!twins.empty() && remaining_.empty() && unit_.listed) resume_ = false;
  if (!resume_) return;
  // Whatever the binary prints, the resumes end: one that decides nothing
  // new (or a test again: the runner ignored the filter) would loop, and
  // kMaxAttempts bounds the rest.
  std::string why;
  if (!repeated.empty())
    why = "attempt " + std::to_string(current_.number) + " decided " + repeated +
          " again, which an earlier attempt had decided (the binary ignored the resume's filter)";
  else if (decided_.size() == decided_before)
    why = "attempt " + std::to_string(current_.number) + " decided no test";
  else if (attempts_.size() >= kMaxAttempts)
    why = "it ran " + std::to_string(attempts_.size()) + " attempts, the most an entry runs";
  if (why.empty()) {
    plan_next_process();
    return;
  }
  resume_ = false;
  stopped_resuming_ = "stopped resuming the binary: " + why;
  add_not_run(remaining_, stopped_resuming_);
  remaining_.clear();
}

void UnitRun::plan_next_process() {
  // Only a GoogleTest binary's resume is a --gtest_filter; a pytest one
  // leaves out the decided tests through a file (report_formats.hpp).
  if (!unit_.gtest) return;
  ResumePlan plan = plan_resume(base_filter_, decided_, unit_.listed ? unit_.tests : std::vector<std::string>{},
                                remaining_, finished_suites_);
  switch (plan.kind) {
    case ResumePlan::Kind::Exclude:
      next_filter_ = plan.filter;
      rest_due_ = false;
      return;
    case ResumePlan::Kind::Chunk:
      next_filter_ = plan.filter;
      next_is_chunk_ = true;
      pending_.assign(remaining_.begin() + static_cast<std::ptrdiff_t>(plan.tests.size()), remaining_.end());
      remaining_ = std::move(plan.tests);
      // A resume names tests because excluding the decided ones would not
      // fit: after the chunks, one process runs what no listing named. Not
      // after a first filter of names (--last-failed): that is all it runs.
      rest_due_ = !first_filter_.has_value();
      return;
    case ResumePlan::Kind::None: break;
  }
  resume_ = false;
  stopped_resuming_ = "stopped resuming the binary: " + plan.why_not;
  // What cannot be named can still be counted: GoogleTest's banner said how
  // many tests the first process selected.
  const auto decided_tests =
      std::count_if(tests_.begin(), tests_.end(), [](const TestResult& t) { return !t.synthetic; });
  if (announced_tests_ > decided_tests && remaining_.empty())
    stopped_resuming_ += "; GoogleTest announced " + std::to_string(announced_tests_) + " tests and " +
                         std::to_string(decided_tests) + " were decided, so " +
                         std::to_string(announced_tests_ - decided_tests) + " never ran and are not counted";
  add_not_run(remaining_, stopped_resuming_);
  remaining_.clear();
}

void UnitRun::time_stopped_test(std::size_t from, std::chrono::nanoseconds took) {
  // It ran from its start until the attempt ended: the attempt's time less
  // what the tests it finished took (the process's start-up is in it too).
  std::chrono::nanoseconds finished{0};
  TestResult* stopped = nullptr;
  for (std::size_t i = from; i < tests_.size(); ++i) {
    TestResult& t = tests_[i];
    finished += t.duration;
    bool stopped_in = t.code == ResultCode::Timeout ||
                      (t.code == ResultCode::Crash && t.message.find("during this test") != std::string::npos);
    if (stopped_in && t.duration.count() == 0 && !t.synthetic) stopped = &t;
  }
  if (stopped) stopped->duration = std::max(took - finished, std::chrono::nanoseconds(0));
}

void UnitRun::attach_stacks(const std::vector<fs::path>& files) {
  std::vector<std::string> names;
  for (const auto& f : files) {
    if (f.empty()) continue;
    fs::path rel = f.lexically_relative(ctx_.log_dir.parent_path());
    names.push_back(!rel.empty() && *rel.begin() != ".." ? rel.string() : f.string());
  }
  auto attach = [&](TestResult& t) {
    if (t.code != ResultCode::Timeout || t.attempt != current_.number) return;
    for (const auto& n : names) {
      if (t.stacks.empty())
        t.stacks = n;
      else if (t.stacks != n && std::find(t.other_stacks.begin(), t.other_stacks.end(), n) == t.other_stacks.end())
        t.other_stacks.push_back(n);
    }
  };
  for (auto& t : tests_) attach(t);
  for (auto& t : process_issues_) attach(t);
}

void UnitRun::abandon(const std::string& why) {
  remaining_.insert(remaining_.end(), pending_.begin(), pending_.end());
  pending_.clear();
  for (const auto& n : remaining_) {
    TestResult r;
    r.name = n;
    r.code = ResultCode::Skipped;
    r.message = why;
    tests_.push_back(r);
  }
  remaining_.clear();
  resume_ = false;
}

EntryResult UnitRun::base_result() const {
  EntryResult e;
  e.id = unit_.id;
  e.tier = unit_.tier;
  e.name = unit_.name;
  e.executable = unit_.entry.executable.string();
  e.args = unit_.entry.args;
  e.env = unit_.entry.env;
  if (unit_.entry.uses_aut && !unit_.aut_spec_file.empty()) e.env[env::kAutSpec] = unit_.aut_spec_file;
  e.cwd = unit_.entry.cwd.string();
  e.gtest_filter = unit_.gtest_filter;
  e.gtest = unit_.gtest;
  e.uses_aut = unit_.entry.uses_aut;
  e.expect_fail = unit_.entry.expect_fail;
  // The line must run when pasted: with what the batcher adds to the argv
  // and environment that the run needs (a pytest entry's plugin and
  // livegui-aut), not only what the plan says.
  e.reproduce = by_hand_line(e);
  return e;
}

std::string UnitRun::by_hand_line(const EntryResult& e, const std::string& pytest_test) const {
  EntryResult by_hand = e;
  const fs::path junit = ctx_.log_dir / (file_stem(unit_.id) + ".by-hand.junit.xml");
  by_hand.args = by_hand_args(unit_.entry.format, e.args, e.env, e.cwd, junit.string(), pytest_test);
  for (auto& [k, v] : run_by_hand_needs(unit_.entry.format, by_hand.args, e.env).env) by_hand.env[k] = v;
  return reproduce_command(by_hand);
}

EntryResult UnitRun::finish(std::chrono::nanoseconds total, std::int64_t started_unix_ms) {
  if (!remaining_.empty() || !pending_.empty()) abandon("not run");
  EntryResult e = base_result();
  e.duration = total;
  e.started_unix_ms = started_unix_ms;
  e.attempts = attempts_;
  e.tests = tests_;
  for (const auto& issue : process_issues_) e.tests.push_back(issue);
  apply_expectations(e.tests, unit_.entry.expect_fail, unit_.entry.xfail,
                     unit_.gtest ? NamePatterns::GTestFilter : NamePatterns::Wildcard);
  e.code = rollup(e.tests);
  e.reason = describe(e);
  if (!unit_.skip_if_no_test.empty()) {
    const bool selected_none =
        e.code == ResultCode::Pass &&
        std::none_of(e.tests.begin(), e.tests.end(), [](const TestResult& t) { return !t.synthetic; });
    if (selected_none) {
      e.code = ResultCode::Skipped;
      e.reason = unit_.skip_if_no_test;
    } else {
      e.warnings.push_back(unit_.name + ": no test its listing names matches --filter; it ran with --gtest_filter=" +
                           unit_.gtest_filter +
                           " because its main() may register tests only when it is not listing, and those are "
                           "the tests it ran");
    }
  }
  // A pytest test that did not pass is rerun alone by its node id.
  if (unit_.entry.format == EntryFormat::Pytest)
    for (auto& t : e.tests)
      if (!t.synthetic && t.code != ResultCode::Pass && t.code != ResultCode::Skipped)
        t.reproduce = by_hand_line(e, t.name);
  if (dropped_bytes_ > 0)
    e.warnings.push_back(unit_.name + ": its output was larger than the log cap (" + human_bytes(ctx_.max_log_bytes) +
                         "): " + std::to_string(dropped_bytes_) +
                         " bytes of its oldest output were dropped (GoogleTest's markers of them kept); the newest "
                         "are in " +
                         e.attempts.back().log + ".1 and " + e.attempts.back().log);
  if (accepted_failures_ > 0)
    e.warnings.push_back(
        unit_.name + " exited with exit code 0 although GoogleTest reported " + std::to_string(accepted_failures_) +
        (accepted_failures_ == 1 ? " failure: its own main() accepts it, so it counts as an expected failure"
                                 : " failures: its own main() accepts them, so they count as expected failures") +
        " (XFAIL), as under ctest");
  if (!ignored_filter_.empty()) {
    std::string names;
    for (std::size_t i = 0; i < ignored_filter_.size() && i < 5; ++i) names += (i ? ", " : "") + ignored_filter_[i];
    if (ignored_filter_.size() > 5) names += ", …";
    e.warnings.push_back(unit_.name + " ignored the resume's " +
                         (unit_.gtest ? std::string("--gtest_filter") : std::string("filter")) + ": it ran again " +
                         std::to_string(ignored_filter_.size()) + (ignored_filter_.size() == 1 ? " test" : " tests") +
                         " an earlier attempt had decided (" + names + "); each keeps its first result");
  }
  if (!stopped_resuming_.empty()) e.warnings.push_back(unit_.name + ": " + stopped_resuming_);
  e.warnings.insert(e.warnings.end(), resume_exit_warnings_.begin(), resume_exit_warnings_.end());
  if (stream_off_)
    e.warnings.push_back(unit_.name +
                         " calls RUN_ALL_TESTS() more than once, which GoogleTest's event stream "
                         "(--gtest_stream_result_to) does not survive: it was run again without it, its markers "
                         "read alone");
  if (!listing_note_.empty())
    e.warnings.push_back(unit_.name +
                         ": listing its tests (--gtest_list_tests) failed, so the tests it never reached are not "
                         "named; it ran as one unit" +
                         // Listed before the run and failed: --filter / --last-failed chose its tests by a filter.
                         (unit_.listing_failed.empty() || unit_.gtest_filter.empty()
                              ? std::string()
                              : " with --gtest_filter=" + unit_.gtest_filter) +
                         ": " + first_line(listing_note_));
  if (is_failure(e.code) || e.code == ResultCode::XFail) {
    // The log of the attempt that produced the worst result.
    int attempt = e.attempts.empty() ? 0 : e.attempts.back().number;
    int worst_sev = -1;
    for (const auto& t : e.tests)
      if (severity(t.code) > worst_sev) worst_sev = severity(t.code), attempt = t.attempt;
    // Plain test failures carry their own messages: a short tail will do.
    bool only_assertions =
        e.gtest && std::all_of(e.tests.begin(), e.tests.end(), [](const TestResult& t) {
          return !is_failure(t.code) || ((t.code == ResultCode::Fail || t.code == ResultCode::XPass) && !t.synthetic);
        });
    std::size_t lines = only_assertions ? std::min<std::size_t>(ctx_.output_tail_lines, 10) : ctx_.output_tail_lines;
    for (const auto& a : e.attempts)
      if (a.number == attempt) {
        bool capped = std::count(capped_attempts_.begin(), capped_attempts_.end(), a.number) > 0;
        e.output_tail = output_tail(a.log, lines, capped);
        e.output_log = a.log;
        e.output_attempt = a.number;
      }
  }
  return e;
}

EntryResult UnitRun::not_run(const Unit& unit, const RunContext& context, ResultCode code, const std::string& why) {
  UnitRun run(unit, context);
  EntryResult e = run.base_result();
  if (unit.tests.empty()) {
    TestResult t;
    t.name = unit.name;
    t.code = code;
    t.message = why;
    t.synthetic = true;
    e.tests.push_back(t);
  } else {
    for (const auto& name : unit.tests) {
      TestResult t;
      t.name = name;
      t.code = code;
      t.message = why;
      e.tests.push_back(t);
    }
  }
  e.code = code;
  e.reason = why;
  return e;
}

}  // namespace livegui::batch
