// Who is blamed for a stall that outlives the entry that caused it (issue
// 16), end to end: the real livegui-batch, a session tier of the sample app
// under respawn = "never", and tests/e2e/fixtures/e2e_stall_blame.cpp run as
// three entries. "breaks" passes and leaves the AUT stalled (its main loop
// hung, or the process SIGSTOPped) in its last test; every test of the two
// later entries, and each of their dirty starts, names "breaks" and its last
// test — they named each other ("degraded during LaterOne.A_Healthy").
#include <sys/prctl.h>

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class StallBlameE2E : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  static std::string entry(const std::string& name, const std::string& filter) {
    return "[[tiers.entries]]\nname = \"" + name + "\"\nexecutable = \"" + built("tests/e2e/e2e_stall_blame") +
           "\"\nargs = [\"--gtest_filter=" + filter + "\"]\n";
  }

  /// Runs a session tier of the sample app (`respawn`: the aut table's
  /// policy) with the given entries, the stall made `how`.
  BatchRun run(const std::string& how, const std::string& respawn, const std::string& entries) {
    fs::path plan = dir_ / "plan.toml";
    std::ofstream(plan) << "[[tiers]]\nname = \"live\"\nuses_aut = true\n"
                        << "env = { E2E_STALL = \"" << how << "\" }\n"
                        << "aut = { executable = \"" << built("sample_app/sample_app")
                        << "\", args = [\"--headless\", \"--enable-faults\"], display = \"none\", "
                           "heartbeat_threshold = \"1s\", term_grace = \"1s\", respawn = \""
                        << respawn << "\" }\n"
                        << entries;
    return run_livegui_batch({plan.string(), "--aut-scope", "session", "--report-dir", reports().string(),
                              "--state-dir", (dir_ / "state").string()},
                             dir_.path(), {}, 180s);
  }

  fs::path reports() const { return dir_ / "reports"; }

  TempDir dir_{"stall-blame-e2e"};
};

TEST_P(StallBlameE2E, UnderRespawnNeverEveryLaterTestNamesTheEntryThatLeftItStalled) {
  BatchRun r = run(GetParam(), "never",
                   entry("breaks", "Breaks.*") + entry("later_one", "LaterOne.*") + entry("later_two", "LaterTwo.*"));
  const fs::path reports = this->reports();
  ASSERT_TRUE(fs::exists(reports / "results.json")) << r.output;
  json doc = json::parse(read_text(reports / "results.json"));
  const json* breaks = find_entry(doc, "breaks");
  ASSERT_NE(breaks, nullptr) << r.output;
  EXPECT_EQ((*breaks)["result"], "PASS") << breaks->dump(1);
  const json* one = find_entry(doc, "later_one");
  ASSERT_NE(one, nullptr) << r.output;
  ASSERT_TRUE((*one)["dirty_start"].is_object()) << one->dump(1) << r.output;
  const int pid = (*one)["dirty_start"]["aut_pid"];
  ASSERT_GT(pid, 0) << one->dump(1);
  // Found by the batcher between entries, after Breaks.C_Last.
  const std::string blamed = "breaks left the AUT (pid " + std::to_string(pid) +
                             ") still degraded (found between entries, after Breaks.C_Last, the last test of breaks)";
  for (const char* name : {"later_one", "later_two"}) {
    const json* e = find_entry(doc, name);
    ASSERT_NE(e, nullptr) << r.output;
    for (const auto& t : (*e)["tests"]) {
      EXPECT_EQ(t["result"], "FAIL") << t.dump(1);
      const std::string message = t["message"];
      EXPECT_NE(message.find(blamed), std::string::npos) << t["name"] << ": " << message;
      EXPECT_EQ(message.find("degraded during Later"), std::string::npos) << t["name"] << ": " << message;
    }
  }
  const json* two = find_entry(doc, "later_two");
  ASSERT_TRUE((*two)["dirty_start"].is_object()) << two->dump(1) << r.output;
  const std::string dirty = (*two)["dirty_start"]["message"];
  EXPECT_NE(dirty.find(blamed), std::string::npos) << dirty;
  EXPECT_EQ(dirty.find("later_one left"), std::string::npos) << dirty;
  EXPECT_NE(r.output.find("[BATCH-WARN] live: " + blamed), std::string::npos) << r.output;
}

// Issue 16: a stall the batcher found between entries came with no stacks.
// They are captured (bounded, the AUT provably ours: the session's child)
// into the artifact dir of the entry that left it, and named by the dirty
// start in results.json, junit.xml and report.html.
TEST_P(StallBlameE2E, AStallFoundBetweenEntriesHasItsStacksInTheArtifactsOfTheEntryThatLeftIt) {
  BatchRun r = run(GetParam(), "on_death_and_degraded", entry("breaks", "Breaks.*") + entry("later_one", "LaterOne.*"));
  ASSERT_TRUE(fs::exists(reports() / "results.json")) << r.output;
  json doc = json::parse(read_text(reports() / "results.json"));
  const json* one = find_entry(doc, "later_one");
  ASSERT_NE(one, nullptr) << r.output;
  EXPECT_EQ((*one)["result"], "PASS") << one->dump(1) << r.output;
  ASSERT_TRUE((*one)["dirty_start"].is_object()) << one->dump(1) << r.output;
  const json& d = (*one)["dirty_start"];
  EXPECT_EQ(d["kind"], "degraded") << d.dump();
  ASSERT_TRUE(d.contains("stacks")) << d.dump();
  const int pid = d["aut_pid"];
  const std::string stacks = d["stacks"];
  EXPECT_EQ(stacks.rfind("artifacts/", 0), 0u) << stacks;
  EXPECT_NE(stacks.find("breaks"), std::string::npos)
      << "not in the artifact dir of the entry that left it: " << stacks;
  ASSERT_TRUE(fs::exists(reports() / stacks)) << stacks;
  const std::string text = read_text(reports() / stacks);
  EXPECT_NE(text.find("stacks of pid " + std::to_string(pid)), std::string::npos) << text;
  EXPECT_NE(text.find("TID " + std::to_string(pid)), std::string::npos) << "the AUT's main thread\n" << text;
  EXPECT_NE(read_text(reports() / "junit.xml").find("<property name=\"livegui.stacks\" value=\"" + stacks + "\"/>"),
            std::string::npos);
  EXPECT_NE(read_text(reports() / "report.html").find("Stacks: <a href="), std::string::npos);
}

TEST_P(StallBlameE2E, AStallAtTheEndOfATierIsReportedThereAndTheNextTierStartsClean) {
  // Trialm: the stall "breaks" left at the end of tier live was reported
  // there; the batcher then stopped that AUT itself, yet the next tier (its
  // own aut table) got a dirty start "breaks left the AUT (pid P) dead — it
  // is gone and nothing recorded how it ended", and the timeline had no
  // "stopped" for it: a degraded AUT stays recorded degraded when stopped.
  fs::path plan = dir_ / "plan.toml";
  std::ofstream out(plan);
  for (const char* tier : {"live", "live2"}) {
    out << "[[tiers]]\nname = \"" << tier << "\"\nuses_aut = true\n"
        << "env = { E2E_STALL = \"" << GetParam() << "\" }\n"
        << "aut = { executable = \"" << built("sample_app/sample_app")
        << "\", args = [\"--headless\", \"--enable-faults\"], display = \"none\", "
           "heartbeat_threshold = \"1s\", term_grace = \"1s\", respawn = \"never\" }\n"
        << (std::string(tier) == "live" ? entry("breaks", "Breaks.*") : entry("later_one", "LaterOne.*"));
  }
  out.close();
  BatchRun r = run_livegui_batch({plan.string(), "--aut-scope", "session", "--report-dir", reports().string(),
                                  "--state-dir", (dir_ / "state").string()},
                                 dir_.path(), {}, 180s);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[BATCH-WARN] live: breaks left the AUT (pid "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("live2: breaks left"), std::string::npos) << r.output;
  // No entry follows to carry the stall's stacks: the tier's warning names them.
  const auto at = r.output.find(" Its stacks: ");
  ASSERT_NE(at, std::string::npos) << r.output;
  const std::string rel = r.output.substr(at + 13, r.output.find_first_of(" \n", at + 13) - at - 13);
  EXPECT_NE(read_text(reports() / rel).find("TID "), std::string::npos) << rel << "\n" << r.output;
  json doc = json::parse(read_text(reports() / "results.json"));
  const json* later = find_entry(doc, "later_one");
  ASSERT_NE(later, nullptr) << r.output;
  EXPECT_EQ((*later)["result"], "PASS") << later->dump(1);
  EXPECT_TRUE((*later)["dirty_start"].is_null()) << later->dump(1);
  int degraded = 0;
  bool stopped = false;
  for (const auto& ev : doc["aut_timeline"])
    if (ev["event"] == "degraded") degraded = ev["pid"];
  for (const auto& ev : doc["aut_timeline"])
    if (ev["event"] == "stopped" && ev["pid"] == degraded) stopped = true;
  EXPECT_GT(degraded, 0) << doc["aut_timeline"].dump(1);
  EXPECT_TRUE(stopped) << "the batcher stopped it at the end of its tier:\n" << doc["aut_timeline"].dump(1);
}

INSTANTIATE_TEST_SUITE_P(Stalls, StallBlameE2E, ::testing::Values("hang", "sigstop"));

}  // namespace
}  // namespace livegui::test_support
