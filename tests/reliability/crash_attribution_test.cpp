// Issue 12 item 1, end to end: the test that crashed the AUT (SIGSEGV) is
// named with the signal, never the batcher's stand-in test nor "status
// unknown", when the file carries on (both scopes: test N crashes it, test
// N+1 respawns it; the console warning, the timeline, the test's message, the
// next file's dirty start, junit.xml and report.html) and when the crash is in
// the file's last test (both scopes: the warning, the next entry's dirty
// start, junit.xml and report.html).
#include <sys/prctl.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "tests/reliability/matrix_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class CrashAttribution : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

  void TearDown() override {
    auto left = leftover_processes();
    EXPECT_TRUE(left.empty()) << "left behind: " << describe_pids(left);
  }

  fs::path reports() const { return dir_ / "reports"; }

  /// Entry "faulty" (its Cell.Fault crashes the AUT with SIGSEGV; with
  /// `tail`, Cell.Tail follows in the same file, and with `tail_faults` it
  /// crashes the AUT that replaced the first), then entry "after".
  fs::path plan(bool tail, bool tail_faults = false) {
    fs::path p = dir_ / "plan.toml";
    std::string entry = toml_quote(binary("tests/reliability/reliability_entry").string());
    std::ofstream(p) << "[[tiers]]\nname = \"live\"\nuses_aut = true\ntimeout = \"30s\"\naut = { executable = "
                     << toml_quote(binary("sample_app/sample_app").string())
                     << ", args = [\"--headless\", \"--enable-faults\"], display = \"none\", term_grace = \"500ms\" }\n"
                     << "[[tiers.entries]]\nname = \"faulty\"\nexecutable = " << entry
                     << "\nenv = { LIVEGUI_RELIABILITY_MODE = \"segv\""
                     << (tail_faults ? ", LIVEGUI_RELIABILITY_TAIL = \"fault\""
                         : tail      ? ", LIVEGUI_RELIABILITY_TAIL = \"1\""
                                     : "")
                     << " }\n[[tiers.entries]]\nname = \"after\"\nexecutable = " << entry
                     << "\nenv = { LIVEGUI_RELIABILITY_MODE = \"check\" }\n";
    return p;
  }

  struct Run {
    int exit_code = -1;
    std::string output;
    json results;
    std::string junit, html;
  };

  Run batch(const fs::path& plan, const std::string& scope) {
    fs::remove_all(reports());
    BatchProcess b({plan.string(), "--report-dir", reports().string(), "--state-dir", (dir_ / "state").string(),
                    "--aut-scope", scope, "--term-grace", "500ms"},
                   dir_.path(), dir_ / ("batch-" + scope + ".txt"));
    auto st = b.wait(120s);
    Run r;
    r.output = b.output();
    if (st) r.exit_code = shell_code(*st);
    r.results = read_json(reports() / "results.json");
    r.junit = read_text(reports() / "junit.xml");
    r.html = read_text(reports() / "report.html");
    return r;
  }

  static const json* entry(const json& doc, const std::string& name) {
    for (const auto& e : doc["entries"])
      if (e["name"] == name) return &e;
    return nullptr;
  }
  static std::string result_of(const json& doc, const std::string& entry_name, const std::string& test) {
    const json* e = entry(doc, entry_name);
    if (!e) return "<no entry>";
    for (const auto& t : (*e)["tests"])
      if (t["name"] == test) return t["result"];
    return "<no test>";
  }

  /// The `[BATCH-WARN]` line about faulty, or "".
  static std::string warning_about_faulty(const std::string& output) {
    auto at = output.find("[BATCH-WARN] live: faulty left the AUT (pid ");
    if (at == std::string::npos) return "";
    return output.substr(at, output.find('\n', at) - at);
  }

  /// Every `[BATCH-WARN]` line of the console output.
  static std::string batch_warnings(const std::string& output) {
    std::string out;
    for (auto at = output.find("[BATCH-WARN]"); at != std::string::npos; at = output.find("[BATCH-WARN]", at + 1))
      out += output.substr(at, output.find('\n', at) - at) + "\n";
    return out;
  }

  TempDir dir_{"crash-attribution"};
};

TEST_F(CrashAttribution, TestNCrashesTheAutAndTestNPlus1RespawnsItInBothScopes) {
  for (const std::string scope : {"session", "file"}) {
    SCOPED_TRACE(scope);
    Run r = batch(plan(/*tail=*/true), scope);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(result_of(r.results, "faulty", "Cell.Before"), "PASS");
    EXPECT_EQ(result_of(r.results, "faulty", "Cell.Fault"), "FAIL");
    EXPECT_EQ(result_of(r.results, "faulty", "Cell.Tail"), "PASS") << "N+1 runs on a respawned AUT";
    EXPECT_EQ(result_of(r.results, "after", "After.Check"), "PASS");

    // The timeline: the AUT's death, with test N and the signal, whoever saw
    // it first; the respawn within the file says the same.
    pid_t dead = 0, successor = 0;
    std::string death_reason, respawn_reason;
    for (const auto& ev : r.results["aut_timeline"]) {
      if (ev["event"] == "death" && !dead) {
        dead = ev["pid"];
        death_reason = ev["reason"];
      }
      if (ev["event"] == "respawn" && ev["entry"] == "live/faulty" && !successor) {
        successor = ev["pid"];
        respawn_reason = ev["reason"];
      }
    }
    ASSERT_GT(dead, 0) << r.results["aut_timeline"].dump(2);
    ASSERT_GT(successor, 0) << r.results["aut_timeline"].dump(2);
    const std::string P = std::to_string(dead), S = std::to_string(successor);
    EXPECT_EQ(death_reason, "AUT pid " + P + ": SIGSEGV during Cell.Fault");
    EXPECT_EQ(respawn_reason, "AUT pid " + P + " died during Cell.Fault (killed by SIGSEGV) (by reliability_ent)");

    // Test N's own failure message has the signal too (in session scope the
    // test binary is not the AUT's parent: the batcher completed its record).
    const json* faulty = entry(r.results, "faulty");
    ASSERT_TRUE(faulty);
    std::string fault_message;
    for (const auto& t : (*faulty)["tests"])
      if (t["name"] == "Cell.Fault") fault_message = t["message"];
    EXPECT_NE(fault_message.find("subprocess degraded: AUT pid " + P + " exited (killed by SIGSEGV)"),
              std::string::npos)
        << fault_message;

    const json* after = entry(r.results, "after");
    ASSERT_TRUE(after);
    if (scope == "session") {
      // The warning before the next file: the file, the test binary that
      // replaced the AUT, test N and the signal; results.json (a warning of
      // the file it happened in; not the next file's dirty start: the file
      // dealt with it), junit.xml and report.html say the same.
      std::regex line(
          "\\[BATCH-WARN\\] live: during faulty, reliability_ent \\(pid [0-9]+\\) replaced the session AUT "
          "\\(pid " +
          P + "\\) with pid " + S + " — AUT pid " + P + " died during Cell\\.Fault \\(killed by SIGSEGV\\) \\(pid " +
          P + " ended: killed by SIGSEGV\\); it stopped pid " + S +
          " when it ended\\. The session AUT is respawned as pid [0-9]+ for after\\.");
      std::smatch m;
      ASSERT_TRUE(std::regex_search(r.output, m, line)) << batch_warnings(r.output);
      EXPECT_LT(static_cast<std::size_t>(m.position(0)), r.output.find("live › after")) << "before the next file";
      const std::string warn = m.str(0);
      const std::string prefix = "[BATCH-WARN] live: ";
      ASSERT_EQ((*faulty)["warnings"].size(), 1u) << faulty->dump(2);
      EXPECT_EQ((*faulty)["warnings"][0], warn.substr(prefix.size(), warn.size() - prefix.size() - 1));
      EXPECT_TRUE((*after)["dirty_start"].is_null()) << after->dump(2);
      // The session's own respawn for the next file says why the guest's
      // successor is gone, not again the death the guest already reported.
      std::string session_respawn;
      for (const auto& ev : r.results["aut_timeline"])
        if (ev["event"] == "respawn" && ev["entry"] == "live/after") session_respawn = ev["reason"];
      EXPECT_TRUE(std::regex_match(
          session_respawn, std::regex("AUT pid " + S +
                                      ", started by reliability_ent \\(pid [0-9]+\\) in place of "
                                      "the session AUT \\(pid " +
                                      P + "\\), was stopped when reliability_ent ended \\(by livegui-batch\\)")))
          << r.results["aut_timeline"].dump(2);
      const std::string replaced = "replaced the session AUT (pid " + P + ") with pid " + S + " — AUT pid " + P +
                                   " died during Cell.Fault (killed by SIGSEGV)";
      EXPECT_NE(r.junit.find(replaced), std::string::npos) << r.junit;
      EXPECT_NE(r.html.find(replaced), std::string::npos);
      EXPECT_EQ(batch_warnings(r.output), warn + "\n") << "one warning, once";
    } else {
      // The test binary replaced its own AUT within the file and stopped it:
      // nothing is left for the next file, but the break is a warning of the
      // file it happened in — console, results.json, junit.xml, report.html.
      EXPECT_TRUE((*after)["dirty_start"].is_null()) << after->dump(2);
      const std::string said = "during faulty, the AUT (pid " + P + ") died during Cell.Fault (AUT pid " + P +
                               ": SIGSEGV during Cell.Fault); the test binary respawned it as pid " + S +
                               " and the file carried on";
      EXPECT_EQ(batch_warnings(r.output), "[BATCH-WARN] live: " + said + ".\n") << "one warning, once";
      ASSERT_EQ((*faulty)["warnings"].size(), 1u) << faulty->dump(2);
      EXPECT_EQ((*faulty)["warnings"][0], said);
      EXPECT_NE(r.junit.find(said), std::string::npos) << r.junit;
      EXPECT_NE(r.html.find(said), std::string::npos);
      EXPECT_LT(r.output.find(said), r.output.find("live › after")) << "said when faulty ended";
    }
    // Never the batcher's stand-in test, never "status unknown", anywhere.
    const std::string results = r.results.dump();
    const std::vector<const std::string*> texts{&r.output, &results, &r.junit, &r.html};
    for (const std::string* text : texts) {
      for (const char* bad : {"livegui-batch.faulty", "livegui-batch.after", "status unknown"})
        EXPECT_EQ(text->find(bad), std::string::npos) << bad << " in\n" << *text;
    }
  }
}

TEST_F(CrashAttribution, BothDeathsAreNamedWhenTheReplacementDiesBeforeTheFileEndsInBothScopes) {
  // Test N crashes the AUT, test N+1 respawns it and crashes the replacement:
  // the first death (test N) is a warning of the file, the second (test
  // N+1) the next file's dirty start — in session scope as in file scope.
  for (const std::string scope : {"session", "file"}) {
    SCOPED_TRACE(scope);
    Run r = batch(plan(/*tail=*/true, /*tail_faults=*/true), scope);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(result_of(r.results, "faulty", "Cell.Fault"), "FAIL");
    EXPECT_EQ(result_of(r.results, "faulty", "Cell.Tail"), "FAIL");
    EXPECT_EQ(result_of(r.results, "after", "After.Check"), "PASS");
    std::vector<pid_t> deaths;
    for (const auto& ev : r.results["aut_timeline"])
      if (ev["event"] == "death" && ev["entry"] == "live/faulty") deaths.push_back(ev["pid"]);
    ASSERT_GE(deaths.size(), 2u) << r.results["aut_timeline"].dump(2);
    const std::string first = std::to_string(deaths[0]), second = std::to_string(deaths[1]);
    const std::string warnings = batch_warnings(r.output);
    // The first death, with its test and signal, in a warning of faulty
    // (session: "replaced the session AUT … — AUT pid P died during Cell.Fault
    // (killed by SIGSEGV)"; file: "the AUT (pid P) died during Cell.Fault (…SIGSEGV…)").
    auto names_first = [&](const std::string& text) {
      return (text.find("AUT pid " + first + " died during Cell.Fault") != std::string::npos ||
              text.find("the AUT (pid " + first + ") died during Cell.Fault") != std::string::npos) &&
             text.find("SIGSEGV") != std::string::npos;
    };
    const json* faulty = entry(r.results, "faulty");
    ASSERT_TRUE(faulty);
    ASSERT_EQ((*faulty)["warnings"].size(), 1u) << faulty->dump(2);
    const std::string said = (*faulty)["warnings"][0];
    EXPECT_TRUE(names_first(said)) << said;
    EXPECT_NE(warnings.find("[BATCH-WARN] live: " + said + "."), std::string::npos) << warnings;
    EXPECT_NE(r.junit.find(said), std::string::npos);
    // The second: the next file's dirty start names Cell.Tail and the signal.
    const json* after = entry(r.results, "after");
    ASSERT_TRUE(after);
    ASSERT_FALSE((*after)["dirty_start"].is_null()) << after->dump(2);
    const std::string dirty = (*after)["dirty_start"]["message"];
    EXPECT_NE(dirty.find("faulty left the AUT (pid " + second + ") dead — SIGSEGV during Cell.Tail"), std::string::npos)
        << dirty;
  }
}

TEST_F(CrashAttribution, ACrashInTheFilesLastTestIsNamedInBothScopes) {
  for (const char* scope : {"file", "session"}) {
    SCOPED_TRACE(scope);
    Run r = batch(plan(/*tail=*/false), scope);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(result_of(r.results, "faulty", "Cell.Fault"), "FAIL");
    EXPECT_EQ(result_of(r.results, "after", "After.Check"), "PASS");
    std::string warn = warning_about_faulty(r.output);
    ASSERT_FALSE(warn.empty()) << r.output;
    EXPECT_NE(warn.find("dead — SIGSEGV during Cell.Fault"), std::string::npos) << warn;
    const json* after = entry(r.results, "after");
    ASSERT_TRUE(after);
    ASSERT_TRUE((*after)["dirty_start"].is_object()) << after->dump(2);
    EXPECT_EQ((*after)["dirty_start"]["kind"], "dead");
    EXPECT_NE((*after)["dirty_start"]["message"].get<std::string>().find("SIGSEGV during Cell.Fault"),
              std::string::npos);
    std::string warnings = batch_warnings(r.output);
    for (const auto* text : {&warnings, &r.junit, &r.html})
      EXPECT_EQ(text->find("livegui-batch.faulty"), std::string::npos) << *text;
    EXPECT_EQ(r.results.dump().find("livegui-batch.faulty"), std::string::npos);
    EXPECT_EQ(warn.find("status unknown"), std::string::npos) << warn;
    EXPECT_EQ(r.results["aut_timeline"].dump().find("status unknown"), std::string::npos)
        << r.results["aut_timeline"].dump(2);
    // The test's own message knows the signal: its binary is the AUT's parent
    // (file scope), or the batcher, the parent, completed its record (session).
    EXPECT_EQ(r.output.find("status unknown"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("livegui-batch.faulty"), std::string::npos) << r.output;
    EXPECT_NE(r.junit.find("SIGSEGV during Cell.Fault"), std::string::npos) << r.junit;
    EXPECT_NE(r.html.find("SIGSEGV during Cell.Fault"), std::string::npos);
  }
}

}  // namespace
}  // namespace livegui::test_support
