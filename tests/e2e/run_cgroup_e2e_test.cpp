// End-to-end: the real livegui-batch in its run cgroup (batcher/run/run_cgroup.hpp).
// Nothing a run started outlives it — a detached daemon with a scrubbed
// environment that re-forks every 20 ms, an AUT's grandchild — even when the
// batcher is SIGKILLed, and even when its reaper is SIGKILLed with it (then
// the next run reports and empties the dead run's cgroup). Each test runs its
// batchers in a cgroup of its own, so a dead run's cgroup it leaves on purpose
// is seen by its own next run only, not by a concurrent test's. Skipped,
// saying why, only where no cgroup2 is writable.
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "batcher/run/run_cgroup.hpp"
#include "common/proc_info.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/batch_process.hpp"
#include "tests/support/files.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using batch::cgroup_processes;
using batch::tear_down_cgroup;

bool write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

/// Live processes whose command line contains `marker`.
std::vector<pid_t> processes_with_marker(const std::string& marker) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(marker) == std::string::npos) continue;
    auto st = read_proc_stat(std::stoi(name));
    if (st && st->state != 'Z') out.push_back(st->pid);
  }
  return out;
}

/// The run cgroups (livegui-run-*) directly in `parent`.
std::vector<fs::path> run_cgroups_in(const fs::path& parent) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(parent))
    if (e.is_directory() && batch::run_cgroup_owner(e.path().filename().string())) out.push_back(e.path());
  return out;
}

class RunCgroupBatchE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Orphans of the batcher's children become ours, so the leak check sees them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }

  void SetUp() override {
    std::string why;
    auto own = batch::own_cgroup_dir(&why);
    if (!own) GTEST_SKIP() << "no cgroup2 here: " << why;
    home_ = *own;
    static int n = 0;
    cgroup_ = home_ / ("livegui-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    if (::mkdir(cgroup_.c_str(), 0755) != 0) {
      std::string err = std::strerror(errno);
      cgroup_.clear();
      GTEST_SKIP() << "cgroup2 is not writable here: creating a cgroup in " << home_ << ": " << err;
    }
    // This test process joins it for the test: the batchers it starts are in it.
    ASSERT_TRUE(write_file(cgroup_ / "cgroup.procs", std::to_string(::getpid())));
  }

  void TearDown() override {
    if (cgroup_.empty()) return;
    EXPECT_TRUE(write_file(home_ / "cgroup.procs", std::to_string(::getpid())));
    // The reaper exits once it is done: bounded.
    std::vector<ProcStat> left;
    bool none = eventually([&] { return (left = cgroup_processes(cgroup_)).empty(); }, 10s);
    std::string names;
    for (const auto& p : left) names += " pid " + std::to_string(p.pid) + " (" + p.comm + ")";
    EXPECT_TRUE(none) << "left behind in the test's cgroup:" << names;
    auto t = tear_down_cgroup(cgroup_, 5s);
    EXPECT_TRUE(t.removed) << t.error;
    auto leftover = leftover_processes();
    EXPECT_TRUE(leftover.empty()) << "left behind: " << describe_pids(leftover);
  }

  fs::path write_plan(const std::string& text, const std::string& name = "plan.toml") {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }

  /// A script for an entry: starts a detached daemon (an empty environment:
  /// no LIVEGUI_RUNS) whose every generation ignores SIGTERM, forks the next
  /// after 20 ms into a session of its own (no process group to follow) and
  /// exits, each with `marker` in its command line; then blocks.
  fs::path daemon_entry(const std::string& marker) {
    fs::path script = dir_ / "entry.sh";
    std::ofstream(script) << "s=': " << marker
                          << "; trap \"\" TERM; /bin/sleep 0.02; /usr/bin/setsid /bin/sh -c \"$0\" \"$0\" & exit 0'\n"
                             "/usr/bin/env -i /usr/bin/setsid /bin/sh -c \"$s\" \"$s\" &\n"
                             "exec /bin/sleep 300\n";
    return script;
  }

  std::vector<std::string> args(const fs::path& plan, const std::string& reports) {
    return {plan.string(), "--report-dir", (dir_ / reports).string(), "--state-dir", (dir_ / "state").string()};
  }

  fs::path home_;    ///< the cgroup this test process came from
  fs::path cgroup_;  ///< the test's own, holding the batchers it starts
  TempDir dir_{"run-cgroup-e2e"};
};

TEST_F(RunCgroupBatchE2E, AnEnvIReforkingDaemonDiesWithASigkilledBatcher) {
  const std::string marker = (dir_ / "daemon-a").string();
  fs::path plan = write_plan(
      "[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"starts_a_daemon\"\n"
      "command = [\"/bin/sh\", \"" +
      daemon_entry(marker).string() + "\"]\n");
  BatchProcess batch(args(plan, "reports"), dir_.path(), dir_ / "out.txt");
  ASSERT_TRUE(eventually([&] { return !processes_with_marker(marker).empty(); }, 60s)) << batch.output();
  ASSERT_EQ(::kill(batch.pid(), SIGKILL), 0);
  ASSERT_TRUE(batch.wait(10s).has_value());
  auto killed = std::chrono::steady_clock::now();
  bool gone = eventually([&] { return processes_with_marker(marker).empty(); }, 10s);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed);
  std::cout << "[ MEASURED ] env -i re-forking daemon " << (gone ? "gone " : "still running ") << ms.count()
            << " ms after the batcher's SIGKILL\n";
  EXPECT_TRUE(gone) << "a generation of the daemon outlived the SIGKILLed batcher by 10 s";
  EXPECT_LT(ms, 5s);
  // The reaper removed the run's cgroup.
  EXPECT_TRUE(eventually([&] { return run_cgroups_in(cgroup_).empty(); }, 5s));
}

TEST_F(RunCgroupBatchE2E, ADeadRunsCgroupIsReportedAndEmptiedByTheNextRun) {
  // `kill -9` of the batcher and its reaper together: the AUT's grandchild
  // and the daemon stay in the dead run's cgroup until the next run.
  const std::string app = built("sample_app/sample_app");
  ASSERT_TRUE(fs::exists(app)) << "build the sample_app target first";
  const std::string marker = (dir_ / "daemon-b").string();
  fs::path plan = write_plan("[[tiers]]\nname = \"live\"\nuses_aut = true\naut = { executable = \"" + app +
                             "\", args = [\"--headless\", \"--spawn-grandchild\"] }\n"
                             "[[tiers.entries]]\nname = \"starts_a_daemon\"\ncommand = [\"/bin/sh\", \"" +
                             daemon_entry(marker).string() + "\"]\n");
  BatchProcess batch(
      [&] {
        auto a = args(plan, "reports");
        a.insert(a.end(), {"--aut-scope", "session"});
        return a;
      }(),
      dir_.path(), dir_ / "out.txt");
  ASSERT_TRUE(eventually([&] { return !processes_with_marker(marker).empty(); }, 60s)) << batch.output();
  const pid_t batcher = batch.pid();
  pid_t reaper = 0;
  for (pid_t p : descendants_of(batcher))
    if (auto st = read_proc_stat(p); st && st->comm == "livegui-reaper") reaper = p;
  ASSERT_GT(reaper, 0) << "no livegui-reaper among the batcher's descendants";
  // The reaper first, so that it cannot act on the batcher's death.
  ASSERT_EQ(::kill(reaper, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] {
    auto st = read_proc_stat(reaper);
    return !st || st->state == 'Z';
  }));
  ASSERT_EQ(::kill(batcher, SIGKILL), 0);
  ASSERT_TRUE(batch.wait(10s).has_value());
  auto dead = run_cgroups_in(cgroup_);
  ASSERT_EQ(dead.size(), 1u) << "the dead run's cgroup";
  // The AUT goes down with its owner (PDEATHSIG); its grandchild and the daemon stay.
  auto apps = [&] {
    int n = 0;
    for (const auto& p : cgroup_processes(dead[0])) n += p.comm == "sample_app";
    return n;
  };
  EXPECT_TRUE(eventually([&] { return apps() == 1; }, 10s)) << apps() << " sample_app processes";
  ASSERT_TRUE(eventually([&] { return !processes_with_marker(marker).empty(); }, 5s))
      << "the daemon is expected to outlive a dead run's reaper";

  fs::path next = write_plan(
      "[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"nothing\"\n"
      "command = [\"/bin/true\"]\n",
      "next.toml");
  auto r = run_livegui_batch(args(next, "next-reports"), dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string warn = "[BATCH-WARN] a previous run (livegui-batch, pid " + std::to_string(batcher);
  EXPECT_NE(r.output.find(warn), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ended without cleaning up (cgroup " + dead[0].string() + "); "), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("(sample_app)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("killed them (cgroup.kill) and removed the cgroup"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(warn, r.output.find(warn) + 1), std::string::npos) << "reported once:\n" << r.output;
  // Kept in results.json as a note of the run.
  auto doc = nlohmann::json::parse(read_text(dir_ / "next-reports" / "results.json"), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  bool noted = false;
  for (const auto& n : doc["notes"]) noted = noted || n.get<std::string>().rfind(warn.substr(13), 0) == 0;
  EXPECT_TRUE(noted) << doc["notes"].dump(2);
  // Nothing of the dead run is left once the next run has started.
  // Killed ones may still be leaving /proc for a moment; a survivor would stay.
  EXPECT_TRUE(eventually([&] { return processes_with_marker(marker).empty(); }, 2s));
  EXPECT_FALSE(fs::exists(dead[0]));
  for (const auto& p : cgroup_processes(cgroup_))
    EXPECT_EQ(p.pid, ::getpid()) << "left in the test's cgroup: pid " << p.pid << " (" << p.comm << ")";
}

TEST_F(RunCgroupBatchE2E, TwoConcurrentRunsEachHaveTheirOwnCgroupAndLeaveTheOthersAlone) {
  std::vector<std::unique_ptr<BatchProcess>> runs;
  for (int i = 0; i < 2; ++i) {
    const std::string n = std::to_string(i);
    fs::path plan = write_plan(
        "[[tiers]]\nname = \"t\"\n[[tiers.entries]]\nname = \"waits\"\ncommand = [\"/bin/sh\", "
        "\"-c\", \": > " +
            (dir_ / ("started-" + n)).string() + "; while [ ! -e " + (dir_ / "go").string() +
            " ]; do /bin/sleep 0.01; done\"]\n",
        "plan-" + n + ".toml");
    runs.push_back(std::make_unique<BatchProcess>(
        std::vector<std::string>{plan.string(), "--report-dir", (dir_ / ("reports-" + n)).string(), "--state-dir",
                                 (dir_ / ("state-" + n)).string()},
        dir_.path(), dir_ / ("out-" + n + ".txt")));
    // The second starts while the first's entry runs: its scan sees the first's cgroup.
    ASSERT_TRUE(eventually([&] { return fs::exists(dir_ / ("started-" + n)); }, 60s)) << runs.back()->output();
  }
  auto cgroups = run_cgroups_in(cgroup_);
  ASSERT_EQ(cgroups.size(), 2u);
  std::set<pid_t> owners;
  for (const auto& c : cgroups) {
    owners.insert(batch::run_cgroup_owner(c.filename().string())->pid);
    EXPECT_FALSE(cgroup_processes(c).empty()) << c;
  }
  EXPECT_EQ(owners, (std::set<pid_t>{runs[0]->pid(), runs[1]->pid()}));
  ASSERT_TRUE(write_file(dir_ / "go", ""));
  for (auto& r : runs) {
    auto status = r->wait(60s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(shell_code(*status), 0) << r->output();
    EXPECT_EQ(r->output().find("ended without cleaning up"), std::string::npos) << r->output();
  }
  EXPECT_TRUE(run_cgroups_in(cgroup_).empty()) << "each run removes its own cgroup at its end";
}

}  // namespace
}  // namespace livegui::test_support
