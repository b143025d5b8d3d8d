// End-to-end: the real livegui-batch on real GoogleTest binaries built here
// (tests/e2e/fixtures), with normalised output compared to golden files.
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/backoff.hpp"
#include "common/executable_path.hpp"
#include "common/proc_info.hpp"
#include "harness/state_file.hpp"
#include "harness/subprocess.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/batch_process.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

/// Polls until `file` exists, at most `timeout` (defined below).
bool wait_for_file(const fs::path& file, std::chrono::seconds timeout);

class BatchE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Orphans of the batcher's children become ours, so the leak check sees them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }

  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  fs::path reports() const { return dir_ / "reports"; }
  fs::path state_dir() const { return dir_ / "state"; }

  BatchRun run(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    args.push_back("--report-dir");
    args.push_back(reports().string());
    args.push_back("--state-dir");
    args.push_back(state_dir().string());
    return run_livegui_batch(args, dir_.path(), env);
  }

  /// Two entries run at once (-j 2): leaves_one starts `detached` in the
  /// background and ends once it has left the entry's process group (else,
  /// still in it, it is stopped with the entry: not an orphan); still_running
  /// waits until the batcher adopted it (its parent shell gone), then a
  /// little longer, so it usually ends last.
  fs::path two_entries_one_leaving(const std::string& detached) {
    const std::string left = (dir_ / "left").string();
    return write_plan(R"([[tiers]]
name = "unit"
[[tiers.entries]]
name = "leaves_one"
command = ["/bin/sh", "-c", ")" + detached + " & echo $! > " + left + ".tmp && mv " + left + ".tmp " + left +
                      R"(; for i in $(seq 500); do [ \"$(cut -d' ' -f5 /proc/$!/stat)\" != \"$(cut -d' ' -f5 /proc/$$/stat)\" ] && break; sleep 0.01; done"]
[[tiers.entries]]
name = "still_running"
command = ["/bin/sh", "-c", "for i in $(seq 400); do [ -s )" +
                      left + R"( ] && [ $(cut -d' ' -f4 /proc/$(cat )" + left +
                      R"()/stat) -eq $PPID ] 2>/dev/null && break; sleep 0.05; done; sleep 0.5"]
)");
  }

  fs::path write_plan(const std::string& text, const std::string& name = "plan.toml") {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }

  json results(const std::string& file = "results.json") {
    std::string text = read_text(reports() / file);
    json doc = json::parse(text, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << file << " is not valid JSON:\n" << text;
    return doc;
  }

  const json* entry(const json& doc, const std::string& id) {
    for (const auto& e : doc["entries"])
      if (e["id"] == id) return &e;
    ADD_FAILURE() << "no entry " << id << " in the results";
    return nullptr;
  }

  std::string test_result(const json& e, const std::string& test) {
    for (const auto& t : e["tests"])
      if (t["name"] == test) return t["result"];
    return "<missing>";
  }

  void expect_golden(const std::string& name, const BatchRun& r) {
    std::string diff = compare_golden(name, normalise(r.output, dir_.path()));
    EXPECT_TRUE(diff.empty()) << diff;
  }

  /// Starts livegui-batch (its output in out.txt) on a one-entry plan whose
  /// entry, fake_app with `app_args`, runs until it is stopped; returns once
  /// the entry runs (fake_app wrote its pid file "marker").
  BatchProcess start_waiting_batch(const std::string& entry, const std::vector<std::string>& app_args,
                                   const std::vector<std::string>& batch_args = {}) {
    std::string args;
    for (const auto& a : app_args) args += "\"" + a + "\", ";
    fs::path plan = write_plan("[[tiers]]\nname = \"unit\"\n[[tiers.entries]]\nname = \"" + entry +
                               "\"\ncommand = [\"" + built("tests/support/fake_app") + "\", " + args +
                               "\"--pidfile\", \"" + (dir_ / "marker").string() + "\"]\n");
    std::vector<std::string> argv{plan.string(), "--report-dir", reports().string(), "--state-dir",
                                  state_dir().string()};
    argv.insert(argv.end(), batch_args.begin(), batch_args.end());
    BatchProcess batch(argv, dir_.path(), dir_ / "out.txt");
    EXPECT_TRUE(wait_for_file(dir_ / "marker", 60s)) << read_text(dir_ / "out.txt");
    return batch;
  }

  TempDir dir_{"batch-e2e"};
};

TEST_F(BatchE2E, PassingFileInTheQuickForm) {
  auto r = run({exe("e2e_passing")});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  expect_golden("passing", r);
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u);
  const json& e = doc["entries"][0];
  EXPECT_EQ(e["result"], "PASS");
  EXPECT_EQ(e["tests"].size(), 3u);
  std::string xml = read_text(reports() / "junit.xml");
  std::string why;
  EXPECT_TRUE(xml_is_balanced(xml, &why)) << why << "\n" << xml;
  EXPECT_NE(xml.find("<testcase classname=\"default.e2e_passing.Passing\" name=\"Two\""), std::string::npos) << xml;
}

TEST_F(BatchE2E, CrashedBinaryIsResumedWithoutTheTestThatCrashed) {
  auto r = run({exe("e2e_crash_second")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  expect_golden("crash_resume", r);
  json doc = results();
  const json* e = entry(doc, "default/e2e_crash_second");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["result"], "CRASH");
  EXPECT_EQ(test_result(*e, "Crashy.First"), "PASS");
  EXPECT_EQ(test_result(*e, "Crashy.Second"), "CRASH");
  EXPECT_EQ(test_result(*e, "Crashy.Third"), "PASS");
  EXPECT_EQ(test_result(*e, "Crashy.Fourth"), "PASS");
  ASSERT_EQ((*e)["attempts"].size(), 2u);
  EXPECT_EQ((*e)["attempts"][0]["exit"], "killed by SIGSEGV");
  EXPECT_EQ((*e)["attempts"][1]["filter"], "*-Crashy.First:Crashy.Second");
  std::string xml = read_text(reports() / "junit.xml");
  EXPECT_NE(xml.find("<error type=\"CRASH\""), std::string::npos) << xml;
}

TEST_F(BatchE2E, TheEventStreamAndPrematureExitMarkerAreKeptOffTheLogsAndTheResumeStillReadsThem) {
  // Issue 13: the files only the run reads while an entry runs go to its
  // tmpfs scratch directory (/dev/shm) instead of the report disk; a crash
  // is still told from GoogleTest's stream and marker, and resumed.
  if (!is_writable_tmpfs("/dev/shm")) GTEST_SKIP() << "no writable tmpfs at /dev/shm: they stay beside the logs";
  auto r = run({exe("e2e_crash_second")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  const json* e = entry(doc, "default/e2e_crash_second");
  ASSERT_TRUE(e);
  EXPECT_EQ(test_result(*e, "Crashy.Second"), "CRASH");
  EXPECT_EQ(test_result(*e, "Crashy.Third"), "PASS");
  ASSERT_EQ((*e)["attempts"].size(), 2u);
  std::set<std::string> logs;
  for (const auto& f : fs::directory_iterator(reports() / "logs"))
    if (f.is_regular_file()) logs.insert(f.path().filename().string());
  // The crashed first attempt wrote no report; its marker and both streams are not here.
  const std::set<std::string> expected{"default__e2e_crash_second.log", "default__e2e_crash_second.attempt-2.log",
                                       "default__e2e_crash_second.attempt-2.gtest.json"};
  EXPECT_EQ(logs, expected);
}

TEST_F(BatchE2E, HangIsStoppedAtTheTimeoutAndTheRunningTestNamed) {
  auto started = std::chrono::steady_clock::now();
  auto r = run({exe("e2e_hang"), "--timeout", "1s", "--term-grace", "500ms"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  expect_golden("hang_timeout", r);
  json doc = results();
  const json* e = entry(doc, "default/e2e_hang");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["result"], "TIMEOUT");
  EXPECT_EQ(test_result(*e, "Hang.Before"), "PASS");
  EXPECT_EQ(test_result(*e, "Hang.Forever"), "TIMEOUT");
  EXPECT_EQ(test_result(*e, "Hang.After"), "SKIPPED");
}

TEST_F(BatchE2E, ExpectedFailuresLeaveTheBatchGreen) {
  fs::path plan = write_plan(R"(
[[tiers]]
name = "demo"
[[tiers.entries]]
executables = ")" + exe("e2e_expected_fail") +
                             R"("
xfail = ["Expected.Fails"]
[[tiers.entries]]
name = "whole_file_expected"
executables = ")" + exe("e2e_crash_second") +
                             R"("
expect = "fail"
)");
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  expect_golden("expected_failure", r);
  json doc = results();
  const json* e = entry(doc, "demo/e2e_expected_fail");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["result"], "XFAIL");
  EXPECT_EQ(test_result(*e, "Expected.Fails"), "XFAIL");
  EXPECT_EQ(test_result(*e, "Expected.Passes"), "PASS");
  EXPECT_EQ((*entry(doc, "demo/whole_file_expected"))["result"], "XFAIL");
}

TEST_F(BatchE2E, AnUnexpectedPassFailsTheBatch) {
  fs::path plan = write_plan(R"(
[[tiers]]
name = "demo"
[[tiers.entries]]
executables = ")" + exe("e2e_passing") +
                             R"("
expect = "fail"
)");
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  EXPECT_EQ((*entry(doc, "demo/e2e_passing"))["result"], "XPASS");
}

TEST_F(BatchE2E, MissingExecutableIsUnresolvedAndTheBatchGoesOn) {
  std::ofstream(dir_ / "not_executable") << "#!/bin/sh\nexit 0\n";
  fs::path plan = write_plan(R"(
[[tiers]]
name = "unit"
[[tiers.entries]]
executables = "missing/test_nowhere"
[[tiers.entries]]
executables = "not_executable"
[[tiers.entries]]
executables = "missing/test_*"
[[tiers.entries]]
executables = ")" + exe("e2e_passing") +
                             R"("
)");
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  expect_golden("unresolved", r);
  json doc = results();
  EXPECT_EQ((*entry(doc, "unit/test_nowhere"))["result"], "UNRESOLVED");
  EXPECT_EQ((*entry(doc, "unit/not_executable"))["result"], "UNRESOLVED");
  EXPECT_EQ((*entry(doc, "unit/test_*"))["result"], "UNRESOLVED");
  EXPECT_EQ((*entry(doc, "unit/e2e_passing"))["result"], "PASS");
}

struct BadPlan {
  const char* name;
  const char* text;
  const char* expected;  ///< must appear in the error output
};

TEST_F(BatchE2E, MalformedPlansNameFileLineColumnAndField) {
  const BadPlan plans[] = {
      {"syntax", "[[tiers]]\nname = \"a\"\nentries = [\n", "plan.toml:3:13: not valid TOML"},
      {"unknown_field", "[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutables = \"x\"\ntimout = 3\n",
       "plan.toml:5:1: tiers[0].entries[0].timout: is not a known field (did you mean 'timeout'?)"},
      {"wrong_type", "[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutables = \"x\"\nargs = \"--x\"\n",
       "plan.toml:5:8: tiers[0].entries[0].args: must be an array of strings, got a string"},
      {"bad_split", "[[tiers]]\nname = \"a\"\nsplit = \"file\"\n[[tiers.entries]]\nexecutables = \"x\"\n",
       "plan.toml:3:9: tiers[0].split: is 'file'; expected one of: binary, suite"},
      {"no_entries", "[[tiers]]\nname = \"a\"\n", "plan.toml:1:1: tiers[0].entries: tier \"a\" has no entries"},
      {"bad_timeout", "[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutables = \"x\"\ntimeout = \"soon\"\n",
       "plan.toml:5:11: tiers[0].entries[0].timeout: is \"soon\"; expected a duration such as \"500ms\", \"1s\" or "
       "\"2min\""},
      {"unset_variable", "[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutables = \"${NO_SUCH_VAR_E2E}/x\"\n",
       "plan.toml:4:15: tiers[0].entries[0].executables: variable ${NO_SUCH_VAR_E2E} is not set"},
      {"duplicate_tier", "[[tiers]]\nname = \"a\"\n[[tiers.entries]]\nexecutables = \"x\"\n[[tiers]]\nname = \"a\"\n",
       "plan.toml:6:8: tiers[1].name: a tier named \"a\" already exists"},
      {"tiers_not_array", "[tiers.a]\nentries = []\n", "plan.toml:1:1: tiers: expected [[tiers]] tables"},
  };
  for (const auto& p : plans) {
    SCOPED_TRACE(p.name);
    fs::path plan = write_plan(p.text);
    auto r = run({plan.filename().string()});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(p.expected), std::string::npos) << "expected: " << p.expected << "\ngot: " << r.output;
    EXPECT_FALSE(fs::exists(reports())) << "a plan error must stop the batch before anything runs";
  }
}

TEST_F(BatchE2E, UnwritableReportDirIsAnErrorBeforeAnythingRuns) {
  std::ofstream(dir_ / "a_file") << "not a directory";
  auto r = run_livegui_batch(
      {exe("e2e_hang"), "--report-dir", (dir_ / "a_file" / "reports").string(), "--state-dir", state_dir().string()},
      dir_.path(), {{"E2E_MARKER_FILE", (dir_ / "marker").string()}});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("cannot create the report directory"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing was run"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "marker"));
}

TEST_F(BatchE2E, ShardsCoverEveryEntryExactlyOnce) {
  std::string plan_text = "[[tiers]]\nname = \"unit\"\n";
  for (int i = 0; i < 7; ++i)
    plan_text +=
        "[[tiers.entries]]\nname = \"copy" + std::to_string(i) + "\"\nexecutables = \"" + exe("e2e_passing") + "\"\n";
  fs::path plan = write_plan(plan_text);
  auto collect = [&](const std::vector<std::string>& files) {
    std::multiset<std::string> ids;
    for (const auto& f : files) {
      json doc = results(f);
      for (const auto& e : doc["entries"]) {
        ids.insert(e["id"].get<std::string>());
        EXPECT_EQ(e["tests"].size(), 3u) << "a child must not shard its own tests: " << e["id"];
      }
    }
    return ids;
  };
  std::set<std::string> all;
  for (int i = 0; i < 7; ++i) all.insert("unit/copy" + std::to_string(i));

  // By count (no previous results), with --shard.
  std::vector<std::string> files;
  for (int i = 1; i <= 3; ++i) {
    auto r = run({plan.string(), "--shard", std::to_string(i) + "/3"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    files.push_back("results-shard-" + std::to_string(i) + "-of-3.json");
  }
  auto ids = collect(files);
  EXPECT_EQ(ids.size(), all.size());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), all);

  // merge: one report with every entry; it also balances the next run by duration.
  std::vector<std::string> merge_args = {"merge", (reports() / "results.json").string()};
  for (const auto& f : files) merge_args.push_back((reports() / f).string());
  merge_args.push_back("--junit");
  merge_args.push_back((reports() / "junit.xml").string());
  auto m = run_livegui_batch(merge_args, dir_.path());
  EXPECT_EQ(m.exit_code, 0) << m.output;
  EXPECT_EQ(results("results.json")["entries"].size(), 7u);

  // By duration (results.json present), from GoogleTest's sharding variables.
  files.clear();
  for (int i = 0; i < 2; ++i) {
    auto r = run({plan.string()}, {{"GTEST_TOTAL_SHARDS", "2"}, {"GTEST_SHARD_INDEX", std::to_string(i)}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    files.push_back("results-shard-" + std::to_string(i + 1) + "-of-2.json");
  }
  ids = collect(files);
  EXPECT_EQ(ids.size(), all.size());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), all);

  // A missing shard is not a green merge.
  auto partial =
      run_livegui_batch({"merge", (dir_ / "partial.json").string(), (reports() / files[0]).string()}, dir_.path());
  EXPECT_EQ(partial.exit_code, 1) << partial.output;
  EXPECT_NE(partial.output.find("shard 2/2 is missing"), std::string::npos) << partial.output;
}

/// Waits (bounded, the project's back-off) until `file` exists.
bool wait_for_file(const fs::path& file, std::chrono::seconds timeout) {
  return livegui::poll_for([&] { return fs::exists(file); }, timeout);
}

TEST_F(BatchE2E, AReaderThatWentAwayDoesNotCostTheReportsOrTheCleanUp) {
  // `livegui-batch … | head -1`: stdout is a pipe whose reader is gone
  // before the first line. The run must finish, write its reports and leave
  // no state file, as an interrupted one does.
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[0]);  // no reader: the first write fails
  const std::string exe_path = binary("batcher/livegui-batch").string();
  std::vector<std::string> args = {exe_path,           exe("e2e_passing"), "--report-dir",
                                   reports().string(), "--state-dir",      state_dir().string()};
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(fds[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe_path.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  int status = 0;
  bool ended = false;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!(ended = ::waitpid(pid, &status, WNOHANG) == pid) && std::chrono::steady_clock::now() < deadline) {
    pollfd none{-1, 0, 0};
    ::poll(&none, 0, 20);  // bounded wait for its end; nothing to watch but the pid
  }
  if (!ended) {
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(ended) << "livegui-batch did not end with its stdout closed";
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 1u);
  EXPECT_EQ(doc["entries"][0]["result"], "PASS");
  EXPECT_TRUE(fs::exists(reports() / "junit.xml"));
  EXPECT_TRUE(fs::exists(reports() / "report.html"));
  std::vector<std::string> left;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(state_dir(), ec))
    if (f.path().filename().string().rfind("aut-state-", 0) == 0) left.push_back(f.path().filename().string());
  EXPECT_TRUE(left.empty()) << "state files left: " << left.size() << " e.g. " << (left.empty() ? "" : left[0]);
}

TEST_F(BatchE2E, InterruptStopsRunningEntriesAndWritesPartialReports) {
  fs::path plan = write_plan(R"(
[[tiers]]
name = "unit"
[[tiers.entries]]
executables = ")" + exe("e2e_passing") +
                             R"("
[[tiers.entries]]
executables = ")" + exe("e2e_hang") +
                             R"("
[[tiers]]
name = "later"
[[tiers.entries]]
name = "never_started"
executables = ")" + exe("e2e_passing") +
                             R"("
)");
  BatchProcess batch({plan.string(), "--report-dir", reports().string(), "--state-dir", state_dir().string()},
                     dir_.path(), dir_ / "out.txt", {{"E2E_MARKER_FILE", (dir_ / "marker").string()}});
  ASSERT_TRUE(wait_for_file(dir_ / "marker", 60s)) << read_text(dir_ / "out.txt");
  auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(batch.pid(), SIGINT), 0);
  auto st = batch.wait(30s);
  ASSERT_TRUE(st.has_value()) << "the batcher did not stop after SIGINT";
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 20s);
  std::string out = read_text(dir_ / "out.txt");
  EXPECT_EQ(*st, ExitStatus::exited(130)) << out;
  EXPECT_NE(out.find("INTERRUPTED"), std::string::npos) << out;
  json doc = results();
  EXPECT_TRUE(doc["interrupted"].get<bool>());
  EXPECT_EQ((*entry(doc, "unit/e2e_passing"))["result"], "PASS");
  const json* hang = entry(doc, "unit/e2e_hang");
  ASSERT_TRUE(hang);
  EXPECT_EQ(test_result(*hang, "Hang.Before"), "PASS");
  // The test that was running never ended: its result is unknown, and the
  // entry is not a pass (issue 18: it was PASS with the test SKIPPED).
  EXPECT_EQ(test_result(*hang, "Hang.Forever"), "UNRESOLVED");
  EXPECT_EQ((*hang)["result"], "UNRESOLVED");
  EXPECT_NE((*hang)["reason"].get<std::string>().find("Hang.Forever: interrupted by SIGINT during this test"),
            std::string::npos)
      << (*hang)["reason"];
  const json* never = entry(doc, "later/never_started");
  ASSERT_TRUE(never);
  EXPECT_EQ((*never)["result"], "SKIPPED");
  EXPECT_NE((*never)["reason"].get<std::string>().find("interrupted by SIGINT"), std::string::npos);
  std::string junit = read_text(reports() / "junit.xml");
  std::string why;
  EXPECT_TRUE(xml_is_balanced(junit, &why)) << why;
  // junit.xml says the same: an error, not a skip.
  auto forever = junit.find("name=\"Forever\"");
  ASSERT_NE(forever, std::string::npos) << junit;
  EXPECT_EQ(junit.find("<error type=\"UNRESOLVED\" message=\"interrupted by SIGINT during this test", forever),
            junit.find("<error", forever))
      << junit;
  EXPECT_NE(junit.find("<error", forever), std::string::npos) << junit;
  EXPECT_NE(junit.find("<property name=\"livegui.result\" value=\"UNRESOLVED\"/>"), std::string::npos) << junit;
}

TEST_F(BatchE2E, InterruptDuringDiscoveryStillWritesReports) {
  // A "GoogleTest binary" whose --gtest_list_tests never answers, split by
  // suite (so it is listed before the run).
  fs::path lister = dir_ / "never_lists";
  std::ofstream(lister) << "#!/bin/sh\n: > '" << (dir_ / "marker").string() << "'\nexec '"
                        << built("tests/support/fake_app") << "'\n";
  fs::permissions(lister, fs::perms::owner_all);
  fs::path plan = write_plan(R"(
[[tiers]]
name = "unit"
[[tiers.entries]]
executables = ")" + lister.string() +
                             R"("
format = "gtest"
split = "suite"
[[tiers.entries]]
executables = ")" + exe("e2e_passing") +
                             R"("
)");
  BatchProcess batch({plan.string(), "--report-dir", reports().string(), "--state-dir", state_dir().string()},
                     dir_.path(), dir_ / "out.txt");
  ASSERT_TRUE(wait_for_file(dir_ / "marker", 60s)) << read_text(dir_ / "out.txt");
  ASSERT_EQ(::kill(batch.pid(), SIGTERM), 0);
  auto st = batch.wait(30s);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(*st, ExitStatus::exited(128 + SIGTERM)) << read_text(dir_ / "out.txt");
  json doc = results();
  EXPECT_TRUE(doc["interrupted"].get<bool>());
  EXPECT_EQ(doc["interrupt_reason"], "SIGTERM");
  for (const char* id : {"unit/never_lists", "unit/e2e_passing"}) {
    const json* e = entry(doc, id);
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["result"], "SKIPPED");
    EXPECT_EQ((*e)["reason"], "not run: interrupted by SIGTERM during test discovery");
  }
}

TEST_F(BatchE2E, ASecondInterruptKillsAtOnce) {
  BatchProcess batch = start_waiting_batch("stubborn", {"--ignore-sigterm"}, {"--term-grace", "60s"});
  ASSERT_FALSE(HasFailure());
  auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(batch.pid(), SIGINT), 0);
  // The first interrupt is being handled once the batcher says so.
  auto deadline = sent + 30s;
  auto backoff = 1ms;
  while (read_text(dir_ / "out.txt").find("[BATCH] SIGINT") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd none{-1, 0, 0};
    ::poll(&none, 0, static_cast<int>(backoff.count()));
    backoff = std::min(backoff * 2, 50ms);
  }
  ASSERT_EQ(::kill(batch.pid(), SIGINT), 0);
  auto st = batch.wait(30s);
  ASSERT_TRUE(st.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 20s) << "the 60 s grace was not cut short";
  EXPECT_EQ(*st, ExitStatus::exited(130)) << read_text(dir_ / "out.txt");
  EXPECT_TRUE(results()["interrupted"].get<bool>());
}

TEST_F(BatchE2E, AnInterruptThatArrivesWhileTheRunEndsDoesNotChangeItsExitCode) {
  // Trial11e: after the first SIGINT, another one that arrives once the
  // executor no longer reads them (reports being written, the run's cgroup
  // and reaper being closed) ended the batcher by SIGINT, while results.json
  // said 130. Interrupts are sent every 2 ms from the first until it ends.
  BatchProcess batch = start_waiting_batch("waits", {});
  ASSERT_FALSE(HasFailure());
  const auto until = std::chrono::steady_clock::now() + 30s;
  int sent = 0;
  for (;;) {
    auto st = read_proc_stat(batch.pid());
    if (!st || st->state == 'Z' || std::chrono::steady_clock::now() > until) break;
    if (::kill(batch.pid(), SIGINT) == 0) ++sent;
    pollfd none{-1, 0, 0};
    ::poll(&none, 0, 2);
  }
  auto st = batch.wait(30s);
  ASSERT_TRUE(st.has_value());
  EXPECT_GE(sent, 2);
  EXPECT_EQ(*st, ExitStatus::exited(130)) << sent << " SIGINTs\n" << read_text(dir_ / "out.txt");
  EXPECT_EQ(results()["exit_code"], 130);
}

TEST_F(BatchE2E, ASecondRunOnTheSameReportDirectoryIsRefusedWhileTheFirstRuns) {
  // Trial11f: two runs of one checkout with the default ./livegui-report
  // shared results.json (the last writer won), logs/aut and the artifacts an
  // entry leaves itself (one run skipped its crash because the other's marker
  // was there). The second is refused before it runs anything, and says who
  // holds the directory; once the first has ended the directory is free.
  BatchProcess first = start_waiting_batch("waits", {});
  ASSERT_FALSE(HasFailure());
  fs::path other = write_plan(
      "[[tiers]]\nname = \"u\"\n[[tiers.entries]]\nname = \"p\"\nexecutables = \"" + exe("e2e_passing") + "\"\n",
      "other.toml");
  auto second = run({other.string()});
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_NE(
      second.output.find("the report directory " + reports().string() +
                         " is in use by another run: livegui-batch (pid " + std::to_string(first.pid()) + ") holds it"),
      std::string::npos)
      << second.output;
  EXPECT_NE(second.output.find("(nothing was run)"), std::string::npos) << second.output;
  ASSERT_EQ(::kill(first.pid(), SIGINT), 0);
  auto st = first.wait(30s);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(*st, ExitStatus::exited(130)) << read_text(dir_ / "out.txt");
  json report = results();
  ASSERT_NE(find_entry(report, "waits"), nullptr) << "the first run's report is its own";
  EXPECT_EQ(find_entry(report, "p"), nullptr);
  auto third = run({other.string()});
  EXPECT_EQ(third.exit_code, 0) << third.output;
}

TEST_F(BatchE2E, AReaperThatDiesDuringTheRunIsSaid) {
  // Trial11f: the reaper SIGKILLed mid-run stayed a zombie of the batcher
  // and nothing said the run had lost its protection. The entry kills its
  // own batcher's reaper (a child of $PPID named livegui-reaper), then waits
  // until the batcher has reaped it.
  fs::path plan = write_plan(R"([[tiers]]
name = "t"
[[tiers.entries]]
name = "kills_the_reaper"
timeout = "60s"
command = ["/bin/sh", "-c", "r=$(pgrep -P $PPID -x livegui-reaper) || exit 3; kill -9 $r; for i in $(seq 200); do [ -e /proc/$r ] || exit 0; sleep 0.05; done; exit 4"]
)");
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the run's reaper (pid "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(") died (killed by SIGKILL); the run goes on"), std::string::npos) << r.output;
}

TEST_F(BatchE2E, TheZombiesOfADaemonsGenerationsAreReapedWhileTheEntryRuns) {
  // Trial11e: the batcher is a child subreaper, and the generations of a
  // re-forking daemon an entry started became its zombies, reaped only
  // between entries (~33 a second, 500 kept until the entry ended). The entry
  // watches the batcher's zombie children ($PPID) until the daemon has had
  // 100 generations.
  const fs::path gen = dir_ / "generations";
  const fs::path script = dir_ / "entry.sh";
  std::ofstream(script) << "s='trap \"\" TERM; echo x >> " << gen.string()
                        << "; sleep 0.02; sh -c \"$0\" \"$0\" & exit 0'\n"
                           "setsid sh -c \"$s\" \"$s\" &\n"
                           "most=0\n"
                           "for i in $(seq 1200); do\n"
                           "  z=$(ps --ppid $PPID -o stat= | grep -c '^Z')\n"
                           "  [ \"$z\" -gt \"$most\" ] && most=$z\n"
                           "  [ \"$(wc -l < "
                        << gen.string()
                        << " 2>/dev/null || echo 0)\" -ge 100 ] && break\n"
                           "  sleep 0.05\n"
                           "done\n"
                           "echo \"generations: $(wc -l < "
                        << gen.string()
                        << "), most zombies at once: $most\"\n"
                           "[ \"$most\" -le 30 ]\n";
  fs::path plan = write_plan(R"([[tiers]]
name = "t"
[[tiers.entries]]
name = "starts_daemon"
timeout = "120s"
command = ["/bin/sh", ")" + script.string() +
                             R"("]
)");
  auto r = run({plan.string(), "--term-grace", "200ms"});
  json report = results();
  const json* e = find_entry(report, "starts_daemon");
  ASSERT_NE(e, nullptr) << r.output;
  EXPECT_EQ((*e)["result"], "PASS") << r.output << (*e)["output_tail"];
  std::vector<pid_t> left;
  bool none = test_support::eventually([&] { return (left = leftover_processes()).empty(); }, 5s);
  EXPECT_TRUE(none) << "left behind: " << describe_pids(left);
}

std::string aut_plan(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string text = "[[tiers]]\nname = \"live\"\nuses_aut = true\n";
  for (const auto& [name, command] : entries) text += "[[tiers.entries]]\nname = \"" + name + "\"\n" + command + "\n";
  return text;
}

std::string writer(const std::string& mode, bool expect_fail = false) {
  return "command = [\"" + exe("e2e_state_writer") + "\", \"" + mode + "\"]" +
         (expect_fail ? "\nexpect = \"fail\"" : "");
}

std::string passing() { return "executables = \"" + exe("e2e_passing") + "\""; }

TEST_F(BatchE2E, DeadAutIsReportedBeforeTheNextEntry) {
  fs::path plan = write_plan(aut_plan({{"test_extended_sims", writer("--dead")}, {"test_live_workflow", passing()}}));
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  expect_golden("dead_aut", r);
  std::string warn = "[BATCH-WARN] live: test_extended_sims left the AUT (pid ";
  auto w = r.output.find(warn);
  ASSERT_NE(w, std::string::npos) << r.output;
  EXPECT_NE(r.output.find(") dead — SIGABRT during ExtendedSims.ExecutionSim. test_live_workflow starts on a fresh "
                          "AUT; it did not get to deal with the dirty state.",
                          w),
            std::string::npos)
      << r.output;
  EXPECT_LT(w, r.output.find("live › test_live_workflow")) << "the warning comes before the next entry";
  json doc = results();
  const json* e = entry(doc, "live/test_live_workflow");
  ASSERT_TRUE(e);
  ASSERT_TRUE((*e)["dirty_start"].is_object());
  EXPECT_EQ((*e)["dirty_start"]["kind"], "dead");
  EXPECT_TRUE((*entry(doc, "live/test_extended_sims"))["dirty_start"].is_null());
  bool death = false;
  for (const auto& ev : doc["aut_timeline"]) death = death || ev["event"] == "death";
  EXPECT_TRUE(death) << doc["aut_timeline"].dump(2);
  EXPECT_NE(read_text(reports() / "junit.xml").find("livegui.dirty_start"), std::string::npos);
}

TEST_F(BatchE2E, DegradedThenDeadAutIsReported) {
  fs::path plan =
      write_plan(aut_plan({{"test_extended_sims", writer("--degraded-dead")}, {"test_live_workflow", passing()}}));
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("dead — it went down with its owner"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("it was degraded: assertion failed: frame_ok (frame 42)"), std::string::npos) << r.output;
}

TEST_F(BatchE2E, NothingAnEntryStartedOutlivesASigkilledBatcher) {
  // Issue 11 item 4: an entry starts a detached daemon (its own session) and
  // blocks; the batcher is SIGKILLed. Its reaper stops the daemon too.
  fs::path pidfile = dir_ / "daemon.pid";
  fs::path plan = write_plan(R"([[tiers]]
name = "t"
[[tiers.entries]]
name = "starts_a_daemon"
command = ["/bin/sh", "-c", "setsid sleep 300 & echo $! > )" +
                             pidfile.string() + R"(.tmp && mv )" + pidfile.string() + ".tmp " + pidfile.string() +
                             R"( && exec sleep 300"]
)");
  BatchProcess batch({plan.string(), "--report-dir", reports().string(), "--state-dir", state_dir().string()},
                     dir_.path(), dir_ / "out.txt");
  ASSERT_TRUE(wait_for_file(pidfile, 60s)) << read_text(dir_ / "out.txt");
  pid_t daemon = 0;
  std::ifstream(pidfile) >> daemon;
  auto id = read_proc_stat(daemon);
  ASSERT_TRUE(id.has_value());
  // At once: the reaper needs no snapshot of the daemon, which carries the
  // run's word in LIVEGUI_RUNS (it inherited it through the entry's shell).
  ASSERT_EQ(::kill(batch.pid(), SIGKILL), 0);
  ASSERT_TRUE(batch.wait(10s).has_value());
  auto killed = std::chrono::steady_clock::now();
  bool gone = test_support::eventually([&] { return !is_same_process(daemon, id->start_time); }, 5s);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed);
  EXPECT_TRUE(gone) << "the entry's detached daemon outlived the SIGKILLed batcher by 5 s";
  std::cout << "[ MEASURED ] detached daemon gone " << ms.count() << " ms after the batcher's SIGKILL\n";
  // What is left (the reaper exits once it is done) must go too: TearDown checks.
  test_support::eventually([&] { return leftover_processes().empty(); }, 5s);
}

TEST_F(BatchE2E, CleanlyStoppedAutIsNotADirtyStart) {
  fs::path plan = write_plan(aut_plan({{"first", writer("--stopped")}, {"second", passing()}}));
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("BATCH-WARN"), std::string::npos) << r.output;
}

TEST_F(BatchE2E, LeakedAutFromAKilledRunnerIsStoppedAndReported) {
  fs::path plan =
      write_plan(aut_plan({{"killed_runner", writer("--leak", /*expect_fail=*/true)}, {"next_file", passing()}}));
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  expect_golden("leaked_aut", r);
  EXPECT_NE(r.output.find("[BATCH-WARN] live: killed_runner left the AUT (pid "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("running with its owner (pid "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stopped it (SIGTERM to its process group)"), std::string::npos) << r.output;
  json doc = results();
  EXPECT_EQ((*entry(doc, "live/next_file"))["dirty_start"]["kind"], "leaked");
  pid_t aut = (*entry(doc, "live/next_file"))["dirty_start"]["aut_pid"];
  EXPECT_GT(aut, 0);
  auto st = read_proc_stat(aut);
  EXPECT_TRUE(!st || st->state == 'Z' || st->comm != "fake_app") << "the leaked AUT is still running";
}

TEST_F(BatchE2E, CorruptAndSymlinkedStateFilesAreMovedAside) {
  fs::path plan = write_plan(aut_plan({{"corrupter", writer("--corrupt")},
                                       {"after_corrupt", passing()},
                                       {"symlinker", writer("--symlink")},
                                       {"after_symlink", passing()}}));
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // No golden here: the reason quotes the harness's reader, whose wording is its own.
  EXPECT_NE(r.output.find("[BATCH-WARN] live: the AUT state file is unusable ("), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("is a symlink"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(". after_symlink starts without knowing what the AUT was left in."), std::string::npos)
      << r.output;
  // The run's own state file is "aut-state-<pid>-<start>.json" (one per run).
  int quarantined = 0, link_targets = 0;
  for (const auto& f : fs::directory_iterator(state_dir())) {
    std::string name = f.path().filename().string();
    if (name.rfind("aut-state-", 0) == 0 && name.find(".json.corrupt-") != std::string::npos) ++quarantined;
    if (name.rfind("aut-state-", 0) == 0 && name.find(".json.elsewhere") != std::string::npos) ++link_targets;
  }
  EXPECT_EQ(quarantined, 2);
  EXPECT_EQ(link_targets, 1) << "the symlink's target must be left alone";
  json doc = results();
  EXPECT_EQ((*entry(doc, "live/after_corrupt"))["dirty_start"]["kind"], "corrupt");
  EXPECT_EQ((*entry(doc, "live/after_symlink"))["dirty_start"]["kind"], "corrupt");
}

TEST_F(BatchE2E, ProcessesAnEntryLeavesBehindAreStopped) {
  fs::path plan = write_plan(R"(
[[tiers]]
name = "unit"
[[tiers.entries]]
name = "group_child"
)" + writer("--leave-group-child") +
                             R"(
[[tiers.entries]]
name = "orphan"
)" + writer("--leave-orphan") +
                             "\n");
  auto r = run({plan.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("group_child left pid "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("running in its process group after it exited; stopped them"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("orphan left pid "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(orphaned); stopped it"), std::string::npos) << r.output;
}

TEST_F(BatchE2E, AnOrphanIsChargedToTheEntryThatLeftItNotToTheOneThatEndedLast) {
  // Issue 11 item 4: with two entries at once the sweep waits for both, and
  // finds leaves_one's detached sleep when still_running ends. It is charged
  // to leaves_one (its LIVEGUI_BATCH_ENTRY), in the output and the report.
  // still_running waits until the sleep was adopted by the batcher (its
  // parent shell is gone), then a little longer, so it usually ends last:
  // the order only decides whether an attribution by "who ended last" would
  // have been wrong, never the assertions.
  fs::path plan = two_entries_one_leaving("setsid sleep 300");
  auto r = run({plan.string(), "-j", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[BATCH-WARN] unit: leaves_one left pid "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("still_running left pid "), std::string::npos) << r.output;
  json report = results();
  ASSERT_TRUE(report.is_object());
  for (const auto& e : report["entries"]) {
    std::string warnings = e.value("warnings", json::array()).dump();
    if (e["name"] == "leaves_one")
      EXPECT_NE(warnings.find("leaves_one left pid "), std::string::npos) << warnings;
    else
      EXPECT_EQ(warnings.find("left pid"), std::string::npos) << e["name"] << ": " << warnings;
  }
}

TEST_F(BatchE2E, AnOrphanWhoseEnvironmentNamesNoEntryIsNotPinnedOnTheOneThatEndedLast) {
  // Trial13a M1: with -j 2, an `env -i` daemon (no LIVEGUI_BATCH_ENTRY) left
  // by one entry was charged to the innocent entry that happened to end last.
  // Which of the two left it is not known: the warning says so, naming both.
  // The daemon starts 0.3 s into leaves_one, after both entries started (a
  // daemon older than an entry is never charged to it: the next test), so
  // that either could have left it.
  fs::path plan = two_entries_one_leaving("sleep 0.3; env -i /usr/bin/setsid /bin/sleep 300");
  auto r = run({plan.string(), "-j", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("still_running left pid "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(sleep) left running (orphaned) by leaves_one or still_running: its environment names no "
                          "entry"),
            std::string::npos)
      << r.output;
  // Trial13b N5: it is the tier's warning, kept on neither entry.
  json report = results();
  ASSERT_TRUE(report.is_object());
  for (const auto& e : report["entries"])
    EXPECT_EQ(e.value("warnings", json::array()).dump().find("orphaned"), std::string::npos) << e["name"];
  ASSERT_EQ(report["tiers"].size(), 1u);
  EXPECT_NE(report["tiers"][0]["warnings"].dump().find("left running (orphaned) by leaves_one or still_running"),
            std::string::npos)
      << report["tiers"][0].dump();
}

TEST_F(BatchE2E, AnOrphanWhoseEnvironmentNamesNoEntryIsNeverChargedToAnEntryThatStartedAfterIt) {
  // Trial13b N5: with -j 2, an `env -i` daemon's warning named, among the
  // entries that could have left it, one that started after it existed.
  // long_one runs until starts_after has ended; leaves_one starts the daemon
  // and ends 0.2 s later (time for the clock-tick start times to differ);
  // starts_after takes its slot. The sweep, when all three have ended,
  // names long_one and leaves_one.
  const std::string done = (dir_ / "c_done").string();
  fs::path plan = write_plan(R"([[tiers]]
name = "unit"
[[tiers.entries]]
name = "long_one"
command = ["/bin/sh", "-c", "for i in $(seq 400); do [ -e )" + done + R"( ] && break; sleep 0.05; done"]
[[tiers.entries]]
name = "leaves_one"
command = ["/bin/sh", "-c", "env -i /usr/bin/setsid /bin/sleep 300 & sleep 0.2"]
[[tiers.entries]]
name = "starts_after"
command = ["/bin/sh", "-c", "touch )" + done + R"("]
)");
  auto r = run({plan.string(), "-j", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string said = "(sleep) left running (orphaned) by ";
  auto at = r.output.find(said);
  ASSERT_NE(at, std::string::npos) << r.output;
  const std::string who = r.output.substr(at + said.size(), r.output.find(':', at + said.size()) - at - said.size());
  EXPECT_TRUE(who == "leaves_one or long_one" || who == "long_one or leaves_one") << r.output;
  EXPECT_EQ(r.output.find("starts_after left pid "), std::string::npos) << r.output;
}

TEST_F(BatchE2E, LogLevelIsInForceFromTheStart) {
  // Trial13a L3: `--log-level debug` (or info) printed nothing: the first
  // logger made after the flag was read set the default level over it.
  fs::path plan = write_plan("[[tiers]]\nname = \"unit\"\n[[tiers.entries]]\nname = \"a\"\ncommand = [\"/bin/true\"]\n");
  auto r = run({plan.string(), "--log-level", "debug"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[batcher] [debug] unit/a: attempt 1 started as pid "), std::string::npos) << r.output;
}

TEST_F(BatchE2E, WithoutAWritableCgroupTheRunSaysSoAtInfoLevel) {
  // Trial13a L3: batcher/README.md promises one info line when no run cgroup
  // can be made; a read-only cgroup2 (a private mount namespace) gave none.
  std::string mount;
  {
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);)
      if (line.find(" - cgroup2 ") != std::string::npos) {
        std::istringstream fields(line);
        std::string f;
        for (int i = 0; i < 5 && fields >> f; ++i) {}
        mount = f;
      }
  }
  const std::string unshare = find_executable("unshare").string();
  if (mount.empty() || unshare.empty() || ::geteuid() != 0)
    GTEST_SKIP() << "needs root, unshare(1) and a cgroup2 mount";
  fs::path plan = write_plan("[[tiers]]\nname = \"unit\"\n[[tiers.entries]]\nname = \"a\"\ncommand = [\"/bin/true\"]\n");
  SpawnOptions opt;
  opt.executable = unshare;
  opt.args = {"-m", "/bin/sh", "-c",
              "mount --make-rprivate / && mount -o remount,bind,ro " + mount + " && exec " +
                  built("batcher/livegui-batch") + " " + plan.string() + " -q --log-level info --report-dir " +
                  reports().string() + " --state-dir " + state_dir().string()};
  opt.output_file = dir_ / "out.txt";
  Subprocess batch = Subprocess::spawn(opt);
  auto st = batch.wait_for(60s);
  ASSERT_TRUE(st.has_value());
  const std::string out = read_text(dir_ / "out.txt");
  if (out.find("mount:") != std::string::npos) GTEST_SKIP() << "cannot remount the cgroup2 read-only here: " << out;
  EXPECT_EQ(*st, ExitStatus::exited(0)) << out;
  EXPECT_NE(out.find("[batcher] [info] no run cgroup ("), std::string::npos) << out;
}

TEST_F(BatchE2E, AFullDevShmIsNotTheDefaultStateDirectory) {
  // Trial14b: with /dev/shm full (Docker's 64 MiB one, filled), it still
  // passed for a writable tmpfs; every state-file write failed (ENOSPC) and
  // the run's dirty-state warnings were silently lost. A private mount
  // namespace, a small tmpfs on /dev/shm, filled.
  const std::string unshare = find_executable("unshare").string();
  if (unshare.empty() || ::geteuid() != 0) GTEST_SKIP() << "needs root and unshare(1)";
  const std::string where = (dir_ / "where").string();
  fs::path plan = write_plan(R"([[tiers]]
name = "live"
uses_aut = true
aut = { executable = ")" + built("sample_app/sample_app") +
                             R"(", args = ["--headless"], display = "none" }
[[tiers.entries]]
name = "e1"
command = ["/bin/sh", "-c", "echo \"$LIVEGUI_STATE_FILE\" > )" +
                             where + R"(; test -s \"$LIVEGUI_STATE_FILE\""]
)");
  SpawnOptions opt;
  opt.executable = unshare;
  opt.args = {"-m", "/bin/sh", "-c",
              "mount --make-rprivate / && mount -t tmpfs -o size=4m tmpfs /dev/shm && "
              "{ dd if=/dev/zero of=/dev/shm/fill bs=64k 2>/dev/null; true; } && exec env -u XDG_RUNTIME_DIR -u "
              "LIVEGUI_STATE_DIR " +
                  built("batcher/livegui-batch") + " " + plan.string() + " -q --log-level info --aut-scope session --report-dir " +
                  reports().string()};
  opt.output_file = dir_ / "out.txt";
  Subprocess batch = Subprocess::spawn(opt);
  auto st = batch.wait_for(90s);
  ASSERT_TRUE(st.has_value());
  const std::string out = read_text(dir_ / "out.txt");
  if (out.find("mount:") != std::string::npos) GTEST_SKIP() << "cannot mount a tmpfs here: " << out;
  EXPECT_EQ(*st, ExitStatus::exited(0)) << out;
  const std::string file = read_text(where);
  EXPECT_EQ(file.rfind("/tmp/livegui-", 0), 0u) << file << "\n" << out;
  // And it says where the files only the run reads went (trial14b).
  EXPECT_NE(out.find("/dev/shm is not a writable tmpfs with room: GoogleTest's event streams and premature-exit "
                     "markers go beside the logs"),
            std::string::npos)
      << out;
}

TEST_F(BatchE2E, AnEntryStuckAfterSigkillIsReapedWhenItFinallyExits) {
  // Issue 11 item 6: a child still there when the SIGKILL wait runs out (in
  // the kernel, or slow to die) is left behind but stays ours, and is reaped
  // when it exits — not a zombie for the rest of the run. Simulated with a
  // kill wait shorter than the time the kernel takes to free the entry's
  // memory (up to 512 MiB, what it touched before its 4 s timeout). The next entry checks, while it runs, that /proc no
  // longer has the stuck one (a zombie keeps its /proc entry until it is reaped).
  const std::string pidfile = (dir_ / "stuck.pid").string();
  fs::path plan = write_plan(
      R"([[tiers]]
name = "t"
[[tiers.entries]]
name = "stuck"
timeout = "4s"
command = [")" +
      built("tests/support/fake_app") + R"(", "--ignore-sigterm", "--pidfile", ")" + pidfile +
      R"(", "--hold-mb", "512"]
[[tiers.entries]]
name = "next"
command = ["/bin/sh", "-c", "read pid rest < )" +
      pidfile +
      R"(; for i in $(seq 400); do [ -e /proc/$pid ] || exit 0; sleep 0.05; done; echo \"pid $pid still in /proc after 20 s\"; exit 1"]
)");
  auto r = run({plan.string(), "--term-grace", "100ms", "--kill-wait", "1ms"});
  EXPECT_EQ(r.exit_code, 1) << "the stuck entry timed out:\n" << r.output;
  EXPECT_NE(r.output.find("did not go away within 1 ms of SIGKILL; moved on without it; it is reaped when it finally "
                          "exits"),
            std::string::npos)
      << r.output;
  json report = results();
  const json* stuck = find_entry(report, "stuck");
  const json* next = find_entry(report, "next");
  ASSERT_NE(stuck, nullptr) << r.output;
  ASSERT_NE(next, nullptr) << r.output;
  EXPECT_EQ((*stuck)["result"], "TIMEOUT") << r.output;
  EXPECT_EQ((*next)["result"], "PASS") << r.output;
}

TEST_F(BatchE2E, AReforkingDaemonIsStoppedAndChargedToTheEntryThatStartedIt) {
  // Issue 11 item 4: a detached daemon whose every generation ignores
  // SIGTERM, forks the next one after 20 ms and exits. It must not survive
  // the batch, and none of its generations may be blamed on the next entry.
  fs::path plan = write_plan(R"([[tiers]]
name = "t"
[[tiers.entries]]
name = "starts_daemon"
command = ["/bin/sh", "-c", "s='trap \"\" TERM; sleep 0.02; sh -c \"$0\" \"$0\" & exit 0'; setsid sh -c \"$s\" \"$s\" & exit 0"]
[[tiers.entries]]
name = "innocent"
command = ["/bin/sh", "-c", "exit 0"]
)");
  auto r = run({plan.string(), "--term-grace", "200ms"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("starts_daemon left pid "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("innocent left"), std::string::npos) << r.output;
  json report = results();
  const json* innocent = find_entry(report, "innocent");
  ASSERT_NE(innocent, nullptr) << r.output;
  EXPECT_TRUE((*innocent)["warnings"].empty()) << (*innocent)["warnings"];
  // Not one generation outlives the batch (the fixture is a child subreaper: they would be ours).
  std::vector<pid_t> left;
  bool none = test_support::eventually([&] { return (left = leftover_processes()).empty(); }, 5s);
  EXPECT_TRUE(none) << "left behind: " << describe_pids(left);
}

TEST_F(BatchE2E, SessionScopeSharesOneAutAndRespawnsItBetweenEntries) {
  std::string app = built("sample_app/sample_app");
  ASSERT_TRUE(fs::exists(app)) << "build the sample_app target first";
  fs::path plan =
      write_plan("[[tiers]]\nname = \"live\"\nuses_aut = true\naut = { executable = \"" + app +
                 "\", args = [\"--headless\"] }\n"
                 "[[tiers.entries]]\nname = \"first\"\n" +
                 writer("--session-check") + "\n[[tiers.entries]]\nname = \"killer\"\n" + writer("--session-kill") +
                 "\n[[tiers.entries]]\nname = \"after\"\n" + writer("--session-check") + "\n");
  auto r = run({plan.string(), "--aut-scope", "session"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto warn = r.output.find("[BATCH-WARN] live: killer left the AUT (pid ");
  ASSERT_NE(warn, std::string::npos) << r.output;
  EXPECT_NE(r.output.find(") dead — ", warn), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("after starts on a fresh AUT; it did not get to deal with the dirty state.", warn),
            std::string::npos)
      << r.output;
  json doc = results();
  EXPECT_EQ(doc["aut_scope"], "session");
  EXPECT_TRUE((*entry(doc, "live/first"))["dirty_start"].is_null());
  EXPECT_EQ((*entry(doc, "live/after"))["dirty_start"]["kind"], "dead");
  EXPECT_EQ((*entry(doc, "live/after"))["aut_respawns"], 1);
  std::vector<std::string> events;
  for (const auto& ev : doc["aut_timeline"]) events.push_back(ev["event"]);
  EXPECT_NE(std::find(events.begin(), events.end(), "spawn"), events.end()) << doc["aut_timeline"].dump(2);
  EXPECT_NE(std::find(events.begin(), events.end(), "respawn"), events.end()) << doc["aut_timeline"].dump(2);
  EXPECT_NE(std::find(events.begin(), events.end(), "stopped"), events.end()) << doc["aut_timeline"].dump(2);
}

TEST_F(BatchE2E, SessionScopeNeedsAnAutSpec) {
  fs::path plan = write_plan(aut_plan({{"first", writer("--session-check")}}));
  auto r = run({plan.string(), "--aut-scope", "session"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("uses the AUT but has no `aut` table"), std::string::npos) << r.output;
}

TEST_F(BatchE2E, FailFastSkipsWhatComesAfterTheFirstFailure) {
  fs::path plan = write_plan(R"(
[[tiers]]
name = "unit"
[[tiers.entries]]
executables = ")" + exe("e2e_expected_fail") +
                             R"("
[[tiers]]
name = "later"
[[tiers.entries]]
executables = ")" + exe("e2e_passing") +
                             R"("
)");
  auto without = run({plan.string()});
  EXPECT_EQ(without.exit_code, 1) << without.output;
  EXPECT_EQ((*entry(results(), "later/e2e_passing"))["result"], "PASS") << "the batch goes on by default";
  auto with = run({plan.string(), "--fail-fast"});
  EXPECT_EQ(with.exit_code, 1) << with.output;
  json doc = results();
  const json* later = entry(doc, "later/e2e_passing");
  ASSERT_TRUE(later);
  EXPECT_EQ((*later)["result"], "SKIPPED");
  EXPECT_EQ((*later)["reason"], "not run: --fail-fast stopped the batch after unit/e2e_expected_fail failed");
}

TEST_F(BatchE2E, ListDryRunAndFilter) {
  auto list = run({exe("e2e_crash_second"), "--list"});
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("Crashy.Third"), std::string::npos) << list.output;
  auto dry = run({exe("e2e_crash_second"), "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("--gtest_output=json:"), std::string::npos) << dry.output;
  EXPECT_EQ(dry.output.find("GTEST_OUTPUT="), std::string::npos) << "a child would inherit it: " << dry.output;
  EXPECT_FALSE(fs::exists(reports())) << "--list and --dry-run write no reports";
  auto filtered = run({exe("e2e_crash_second"), "--filter", "Crashy\\.(Third|Fourth)"});
  EXPECT_EQ(filtered.exit_code, 0) << filtered.output;
  json doc = results();
  EXPECT_EQ((*entry(doc, "default/e2e_crash_second"))["tests"].size(), 2u);
  auto none = run({exe("e2e_crash_second"), "--filter", "NoSuchTest"});
  EXPECT_EQ(none.exit_code, 2) << none.output;
}

TEST_F(BatchE2E, SuiteSplitRunsOneProcessPerSuite) {
  auto r = run({exe("e2e_passing"), exe("e2e_expected_fail"), "--split", "suite", "-j", "2"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json doc = results();
  ASSERT_EQ(doc["entries"].size(), 2u);
  EXPECT_EQ(doc["entries"][0]["id"], "default/e2e_passing/Passing");
  EXPECT_EQ(doc["entries"][1]["id"], "default/e2e_expected_fail/Expected");
  EXPECT_EQ(doc["entries"][1]["result"], "FAIL");
}

TEST_F(BatchE2E, AutEntriesRunOneAtATimeEvenWithJobs) {
  std::string text = "[[tiers]]\nname = \"mixed\"\n";
  for (int i = 0; i < 6; ++i)
    text += "[[tiers.entries]]\nname = \"e" + std::to_string(i) + "\"\nexecutables = \"" + exe("e2e_passing") +
            "\"\nuses_aut = " + (i % 2 == 0 ? "true" : "false") + "\n";
  fs::path plan = write_plan(text);
  auto r = run({plan.string(), "-j", "4"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = results();
  std::vector<std::pair<double, double>> aut;  // [start, end) in ms
  for (const auto& e : doc["entries"]) {
    if (!e["uses_aut"].get<bool>()) continue;
    double start = e["started_unix_ms"].get<double>();
    aut.push_back({start, start + e["duration_s"].get<double>() * 1000});
  }
  ASSERT_EQ(aut.size(), 3u);
  std::sort(aut.begin(), aut.end());
  for (std::size_t i = 1; i < aut.size(); ++i)
    EXPECT_GE(aut[i].first + 1, aut[i - 1].second) << "AUT entries overlapped";  // ms rounding
}

TEST_F(BatchE2E, HelpExplains) {
  auto r = run_livegui_batch({"--help"}, dir_.path());
  EXPECT_EQ(r.exit_code, 0);
  for (const char* needle : {"--shard", "--aut-scope", "Exit codes", "BATCH-WARN", "merge"})
    EXPECT_NE(r.output.find(needle), std::string::npos) << needle << "\n" << r.output;
  auto bad = run_livegui_batch({"--no-such-flag"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

}  // namespace
}  // namespace livegui::test_support
