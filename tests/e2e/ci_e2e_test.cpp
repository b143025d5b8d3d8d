// End-to-end: scaling out as CI engines do it. docs/ci.md's GitLab recipe,
// its commands run locally (three shard jobs at once with GitLab's variables,
// then the merge job), and the Bazel test contract with its environment set
// by hand (as `bazel test` sets it; tools/bazel_smoke.sh runs real Bazel).
#include <sys/prctl.h>

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/subprocess.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

fs::path e2e_bin() { return fs::path(built("tests/e2e/e2e_passing")).parent_path(); }

json load_json(const fs::path& file) {
  json doc = json::parse(read_text(file), nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << file << " is not valid JSON";
  return doc;
}

/// The `- ` command lines of the GitLab recipe in docs/ci.md that run livegui-batch.
std::vector<std::string> gitlab_recipe_commands() {
  std::string doc = read_text(fs::path(LIVEGUI_SOURCE_DIR) / "docs" / "ci.md");
  auto start = doc.find("## GitLab");
  EXPECT_NE(start, std::string::npos) << "docs/ci.md has no GitLab section";
  auto end = doc.find("\n## ", start + 1);
  std::istringstream in(doc.substr(start, end == std::string::npos ? std::string::npos : end - start));
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    auto dash = line.find("- livegui-batch ");
    if (dash != std::string::npos && line.find_first_not_of(' ') == dash) out.push_back(line.substr(dash + 2));
  }
  return out;
}

class CiE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  /// Starts `sh -c command` in the temp dir, livegui-batch on PATH.
  Subprocess start_shell(const std::string& command, std::map<std::string, std::string> env, const std::string& log) {
    SpawnOptions opt;
    opt.executable = "/bin/sh";
    opt.args = {"-c", command};
    opt.cwd = dir_.path();
    opt.output_file = dir_ / log;
    const char* path = std::getenv("PATH");
    env["PATH"] =
        fs::path(built("batcher/livegui-batch")).parent_path().string() + ":" + (path ? path : "/usr/bin:/bin");
    env["NO_COLOR"] = "1";
    env["TERM"] = "dumb";
    env["E2E_BIN"] = e2e_bin().string();
    env["CI_PROJECT_DIR"] = dir_.path().string();
    opt.env_set = env;
    opt.env_unset = {"GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX",  "TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX",
                     "LIVEGUI_STATE_DIR",  "LIVEGUI_STATE_FILE", "CIRCLE_NODE_TOTAL", "CIRCLE_NODE_INDEX"};
    return Subprocess::spawn(opt);
  }

  int finish(Subprocess& p, const std::string& log) {
    auto status = p.wait_for(180s);
    if (!status) {
      p.stop(2s, 2s);
      ADD_FAILURE() << log << " did not finish in time:\n" << read_text(dir_ / log);
      return -1;
    }
    return status->signaled ? 128 + status->signal : status->code;
  }

  TempDir dir_{"ci-e2e"};
};

const char* kPlan = R"([[tiers]]
name = "unit"
[[tiers.entries]]
name = "a"
executable = "${E2E_BIN}/e2e_passing"
[[tiers.entries]]
name = "b"
executable = "${E2E_BIN}/e2e_passing"
[[tiers.entries]]
name = "c"
executable = "${E2E_BIN}/e2e_passing"
[[tiers.entries]]
name = "d"
executable = "${E2E_BIN}/e2e_expected_fail"
[[tiers]]
name = "live"
uses_aut = true
[[tiers.entries]]
name = "first"
command = ["${E2E_BIN}/e2e_state_writer", "--stopped"]
[[tiers.entries]]
name = "second"
command = ["${E2E_BIN}/e2e_state_writer", "--stopped"]
[[tiers.entries]]
name = "third"
command = ["${E2E_BIN}/e2e_passing"]
)";

TEST_F(CiE2E, TheGitLabRecipeRunsThreeShardsAtOnceAndMergesThem) {
  auto commands = gitlab_recipe_commands();
  ASSERT_EQ(commands.size(), 2u) << "docs/ci.md's GitLab recipe: one shard command, one merge command";
  const std::string& shard_cmd = commands[0];
  const std::string& merge_cmd = commands[1];
  ASSERT_NE(shard_cmd.find("--shard auto"), std::string::npos) << shard_cmd;
  ASSERT_EQ(merge_cmd.rfind("livegui-batch merge ", 0), 0u) << merge_cmd;
  fs::create_directories(dir_ / "tests");
  std::ofstream(dir_ / "tests" / "plan.toml") << kPlan;

  std::vector<Subprocess> shards;
  for (int i = 1; i <= 3; ++i)
    shards.push_back(start_shell(shard_cmd, {{"CI_NODE_INDEX", std::to_string(i)}, {"CI_NODE_TOTAL", "3"}},
                                 "shard-" + std::to_string(i) + ".txt"));
  std::multiset<std::string> ran;
  for (int i = 1; i <= 3; ++i) {
    std::string log = "shard-" + std::to_string(i) + ".txt";
    int code = finish(shards[i - 1], log);
    std::string output = read_text(dir_ / log);
    // e2e_expected_fail fails unless the plan expects it: the shard holding it is red.
    EXPECT_TRUE(code == 0 || code == 1) << output;
    EXPECT_NE(output.find("--shard auto: shard " + std::to_string(i) +
                          "/3 from GitLab CI: CI_NODE_INDEX=" + std::to_string(i) + ", CI_NODE_TOTAL=3 (1-based)"),
              std::string::npos)
        << output;
    fs::path file = dir_ / "reports" / std::to_string(i) / ("results-shard-" + std::to_string(i) + "-of-3.json");
    json doc = load_json(file);
    for (const auto& e : doc["entries"]) ran.insert(e["id"].get<std::string>());
  }
  const std::set<std::string> all = {"unit/a", "unit/b", "unit/c", "unit/d", "live/first", "live/second", "live/third"};
  EXPECT_EQ(ran.size(), all.size()) << "every entry ran exactly once";
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()), all);

  Subprocess merge = start_shell(merge_cmd, {}, "merge.txt");
  int merged_code = finish(merge, "merge.txt");
  std::string merge_output = read_text(dir_ / "merge.txt");
  EXPECT_EQ(merged_code, 1) << "unit/d fails, so the merged result is red:\n" << merge_output;
  json merged = load_json(dir_ / "merged" / "results.json");
  EXPECT_EQ(merged["entries"].size(), all.size()) << merge_output;
  std::string xml = read_text(dir_ / "merged" / "junit.xml");
  std::string why;
  EXPECT_TRUE(xml_is_balanced(xml, &why)) << why;
  std::string html = read_text(dir_ / "merged" / "report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const auto& id : all) EXPECT_NE(html.find(id.substr(id.find('/') + 1)), std::string::npos) << id;
  for (int i = 1; i <= 3; ++i)
    EXPECT_NE(html.find("· shard " + std::to_string(i) + "/3"), std::string::npos) << "a lane group per shard";
  json durations = load_json(dir_ / "cache" / "durations.json");
  EXPECT_EQ(durations["format"], "livegui-batch-durations");
  EXPECT_EQ(durations["durations"].size(), all.size());

  // The next pipeline balances by the cached durations.
  std::vector<Subprocess> again;
  again.push_back(start_shell(shard_cmd, {{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "3"}}, "again.txt"));
  finish(again[0], "again.txt");
  EXPECT_EQ(read_text(dir_ / "again.txt").find("balanced by entry count"), std::string::npos)
      << read_text(dir_ / "again.txt");
}

TEST_F(CiE2E, ShardAutoWithoutVariablesRunsTheWholePlan) {
  std::ofstream(dir_ / "plan.toml") << kPlan;
  auto r = run_livegui_batch({"plan.toml", "--shard", "auto", "--report-dir", "r", "--state-dir", "s", "--list"},
                             dir_.path(), {{"E2E_BIN", e2e_bin().string()}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--shard auto: no shard variable is set; running the whole plan"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("live (uses the AUT): 3 entries"), std::string::npos) << r.output;
}

// What `bazel test` sets, set by hand: reports land in the undeclared outputs,
// state in TEST_TMPDIR, --test_filter filters, the shard's JUnit goes to
// XML_OUTPUT_FILE, and the premature-exit marker is gone after a normal end.
TEST_F(CiE2E, TheBazelTestContract) {
  std::ofstream(dir_ / "plan.toml") << kPlan;
  fs::create_directories(dir_ / "outputs");
  fs::create_directories(dir_ / "tmp");
  std::map<std::string, std::string> env = {
      {"E2E_BIN", e2e_bin().string()},
      {"TEST_UNDECLARED_OUTPUTS_DIR", (dir_ / "outputs").string()},
      {"TEST_TMPDIR", (dir_ / "tmp").string()},
      {"TESTBRIDGE_TEST_ONLY", "unit/[abc]"},
      {"XML_OUTPUT_FILE", (dir_ / "test.xml").string()},
      {"TEST_PREMATURE_EXIT_FILE", (dir_ / "premature").string()},
      {"TEST_INFRASTRUCTURE_FAILURE_FILE", (dir_ / "infra").string()},
      {"TEST_TIMEOUT", "300"},
      {"TEST_TOTAL_SHARDS", "2"},
      {"TEST_SHARD_INDEX", "1"},
      {"TEST_SHARD_STATUS_FILE", (dir_ / "shard-status").string()},
  };
  auto r = run_livegui_batch({(dir_ / "plan.toml").string()}, dir_.path(), env);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json doc = load_json(dir_ / "outputs" / "results-shard-2-of-2.json");
  std::set<std::string> ids;
  for (const auto& e : doc["entries"]) ids.insert(e["id"].get<std::string>());
  EXPECT_FALSE(ids.empty());
  for (const auto& id : ids) EXPECT_TRUE(id == "unit/a" || id == "unit/b" || id == "unit/c") << id;
  std::string why;
  EXPECT_TRUE(xml_is_balanced(read_text(dir_ / "test.xml"), &why)) << why;
  EXPECT_FALSE(fs::exists(dir_ / "premature")) << "removed on a normal end";
  EXPECT_FALSE(fs::exists(dir_ / "infra")) << "nothing failed to start";
  EXPECT_TRUE(fs::exists(dir_ / "shard-status"));
  EXPECT_TRUE(fs::exists(dir_ / "tmp" / "livegui-state")) << "the state directory is under TEST_TMPDIR";
  EXPECT_FALSE(fs::exists(dir_ / "livegui-report")) << "no report dir outside Bazel's outputs";
}

TEST_F(CiE2E, BazelInfrastructureFailureWhenTheAutCannotStart) {
  std::ofstream(dir_ / "plan.toml") << "[[tiers]]\nname = \"live\"\nuses_aut = true\n"
                                       "aut = { executable = \"/bin/false\", ready_timeout = \"2s\" }\n"
                                       "[[tiers.entries]]\nname = \"x\"\ncommand = [\"true\"]\n";
  auto r =
      run_livegui_batch({"plan.toml", "--aut-scope", "session", "--report-dir", "r", "--state-dir", "s"}, dir_.path(),
                        {{"TEST_INFRASTRUCTURE_FAILURE_FILE", (dir_ / "infra").string()},
                         {"TEST_PREMATURE_EXIT_FILE", (dir_ / "premature").string()}});
  EXPECT_TRUE(fs::exists(dir_ / "infra")) << r.output;
  EXPECT_NE(read_text(dir_ / "infra").find("the AUT could not start at all in tier(s) live"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "premature"));
}

// TEST_TIMEOUT=6: the batch stops a hanging entry itself, 2 s before Bazel
// would, and writes its reports.
TEST_F(CiE2E, BazelDeadlineStopsTheBatchBeforeTheTimeout) {
  std::ofstream(dir_ / "plan.toml") << "[[tiers]]\nname = \"unit\"\n[[tiers.entries]]\nexecutable = \"" +
                                           built("tests/e2e/e2e_hang") + "\"\n";
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_livegui_batch({"plan.toml", "--report-dir", "r", "--state-dir", "s", "--term-grace", "1s"}, dir_.path(),
                             {{"TEST_TIMEOUT", "6"},
                              {"TEST_PREMATURE_EXIT_FILE", (dir_ / "premature").string()},
                              {"E2E_MARKER_FILE", (dir_ / "marker").string()}});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 130) << r.output;
  EXPECT_LT(took, 30s) << "bounded; the hang alone would run for the 600 s default timeout";
  json doc = load_json(dir_ / "r" / "results.json");
  EXPECT_NE(doc["interrupt_reason"].get<std::string>().find("TEST_TIMEOUT deadline (6s"), std::string::npos)
      << doc.dump(2);
  EXPECT_FALSE(fs::exists(dir_ / "premature"));
}

}  // namespace
}  // namespace livegui::test_support
