// What the batcher tells between two pytest entries and around a whole-entry
// retry, end to end (the real livegui-batch, livegui-aut and the Python
// example app with fault injection): a stall an entry caused in its last
// test is that entry's dirty start for the next, with the real AUT pid and
// test; a retry's run of a test is recorded whatever its outcome (issue 16,
// trial16 findings).
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::test_support {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

/// A plan with one AUT tier (the Python example app, faults enabled) and the
/// given entries; `aut_extra` goes into the `aut` table, `tier_extra` into the tier.
std::string live_plan(const TempDir& dir, const std::string& aut_extra, const std::string& tier_extra,
                      const std::string& entries) {
  return "[[tiers]]\nname = \"live\"\nuses_aut = true\n" + tier_extra + "env = { PYTHONPATH = \"" +
         source("python").string() + "\", PYTHONDONTWRITEBYTECODE = \"1\", MARKER = \"" + (dir / "marker").string() +
         "\" }\n"
         "aut = { executable = \"" LIVEGUI_PYTHON3 "\", args = [\"" +
         source("examples/python_app/hook_app.py").string() +
         "\", \"--enable-faults\"], display = \"none\", heartbeat_threshold = \"1s\", term_grace = \"1s\"" + aut_extra +
         " }\n" + entries;
}

std::string pytest_entry(const std::string& name, const std::string& file, const std::string& extra = "") {
  return "[[tiers.entries]]\nname = \"" + name + "\"\nformat = \"pytest\"\ncwd = \".\"\n" + extra +
         "command = [\"" LIVEGUI_PYTHON3 "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \"" + file +
         "\"]\n";
}

std::vector<std::string> args_for(const TempDir& dir, const std::string& scope) {
  return {(dir / "plan.toml").string(), "--aut-scope", scope, "--report-dir", (dir / "report").string(), "--state-dir",
          (dir / "state").string()};
}

/// The last test of "hangs" writes the AUT's pid to $MARKER, hangs the app's
/// main loop (the fault fires once the reply is written) and passes.
const char* kHangsLast =
    "import os, pathlib\n\n"
    "def test_first(live_gui):\n    live_gui.click('increment')\n\n"
    "def test_hangs_last(live_gui):\n"
    "    live_gui.click('increment')\n"
    "    pathlib.Path(os.environ['MARKER']).write_text(str(live_gui.pid))\n"
    "    live_gui.fault('hang')\n";

const char* kNext = "def test_on_the_next_aut(live_gui):\n    live_gui.click('increment')\n";

/// The AUT pid the hanging test wrote to $MARKER (0 when it did not).
int hung_pid(const TempDir& dir) {
  std::string text = fs::exists(dir / "marker") ? read_text(dir / "marker") : std::string();
  return text.empty() ? 0 : std::stoi(text);
}

/// A session-scope run of two pytest entries: `first` (name, file, body)
/// whose test stalls the AUT and writes its pid to $MARKER, then `second`
/// (name, file, body). Its results.json and that pid; both asserted present.
struct TwoEntryRun {
  BatchRun run;
  json doc;
  int pid = 0;
};
TwoEntryRun run_two_entries(const TempDir& dir, const std::string& first, const std::string& first_file,
                            const std::string& first_body, const std::string& second, const std::string& second_file,
                            const std::string& second_body) {
  write(dir / first_file, first_body);
  write(dir / second_file, second_body);
  write(dir / "plan.toml", live_plan(dir, "", "", pytest_entry(first, first_file) + pytest_entry(second, second_file)));
  TwoEntryRun out{run_livegui_batch(args_for(dir, "session"), dir.path(), {}, 180s), json(), 0};
  EXPECT_TRUE(fs::exists(dir / "report" / "results.json")) << out.run.output;
  if (fs::exists(dir / "report" / "results.json")) out.doc = json::parse(read_text(dir / "report" / "results.json"));
  out.pid = hung_pid(dir);
  EXPECT_GT(out.pid, 0) << out.run.output;
  return out;
}

// Trial16 finding 1: the stall "hangs" caused in its last test was blamed on
// next's first test ("subprocess degraded"), with no warning. It is hangs'
// dirty start now: named with its last test and the AUT's real pid, and next
// starts on a fresh AUT and passes.
TEST(PytestStallBetweenEntries, IsADirtyStartLeftByTheEntryThatCausedIt) {
  TempDir dir("pytest-stall-between");
  write(dir / "test_hangs.py", kHangsLast);
  write(dir / "test_next.py", kNext);
  write(dir / "plan.toml",
        live_plan(dir, "", "", pytest_entry("hangs", "test_hangs.py") + pytest_entry("next", "test_next.py")));
  BatchRun r = run_livegui_batch(args_for(dir, "session"), dir.path(), {}, 180s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const int pid = hung_pid(dir);
  ASSERT_GT(pid, 0) << r.output;
  const json* hangs = find_entry(doc, "hangs");
  ASSERT_NE(hangs, nullptr) << r.output;
  EXPECT_EQ((*hangs)["result"], "PASS") << hangs->dump(1);
  const json* next = find_entry(doc, "next");
  ASSERT_NE(next, nullptr) << r.output;
  EXPECT_EQ((*next)["result"], "PASS") << "next's test must start on a fresh AUT\n" << next->dump(1) << r.output;
  ASSERT_TRUE((*next)["dirty_start"].is_object()) << next->dump(1) << r.output;
  const json& d = (*next)["dirty_start"];
  EXPECT_EQ(d["kind"], "degraded") << d.dump();
  EXPECT_EQ(d["previous_entry"], "hangs") << d.dump();
  EXPECT_EQ(d["aut_pid"], pid) << d.dump();
  const std::string said = "hangs left the AUT (pid " + std::to_string(pid) +
                           ") degraded (found between entries, after its last test test_hangs.py::test_hangs_last)"
                           " — ";
  EXPECT_NE(d["message"].get<std::string>().find(said), std::string::npos) << d.dump();
  EXPECT_NE(d["message"].get<std::string>().find("next starts on a fresh AUT"), std::string::npos) << d.dump();
  EXPECT_NE(r.output.find("[BATCH-WARN] live: " + said), std::string::npos) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Trialm item 3: a hang that begins at the very end of test_a (its last
// line hangs the main loop; it passes) is found only during test_b, once the
// heartbeat threshold has passed. The AUT's last frame precedes test_a's end,
// so the stall is test_a's: the timeline, the next entry's dirty start and
// the warning name test_a, and nothing says test_b degraded it (all of them
// said "during test_ab.py::test_b" before).
TEST(PytestStallBetweenEntries, AHangAtTheVeryEndOfATestIsBlamedOnItNotOnTheNextTestThatFindsIt) {
  TempDir dir("pytest-stall-at-end");
  auto [r, doc, pid] = run_two_entries(dir, "ab", "test_ab.py",
                                       "import os, pathlib\n\n"
                                       "def test_a(live_gui):\n"
                                       "    live_gui.click('increment')\n"
                                       "    pathlib.Path(os.environ['MARKER']).write_text(str(live_gui.pid))\n"
                                       "    live_gui.fault('hang')\n\n"
                                       "def test_b(live_gui):\n    live_gui.click('increment')\n",
                                       "later", "test_later.py", kNext);
  ASSERT_GT(pid, 0);
  const json* ab = find_entry(doc, "ab");
  ASSERT_NE(ab, nullptr) << r.output;
  const json* a = find_test(*ab, "test_ab.py::test_a");
  const json* b = find_test(*ab, "test_ab.py::test_b");
  ASSERT_TRUE(a && b) << ab->dump(1);
  EXPECT_EQ((*a)["result"], "PASS") << a->dump(1);
  EXPECT_EQ((*b)["result"], "FAIL") << b->dump(1);
  bool degraded_seen = false;
  for (const auto& ev : doc["aut_timeline"]) {
    if (ev["event"] != "degraded" || ev["pid"] != pid) continue;
    degraded_seen = true;
    EXPECT_EQ(ev.value("test", ""), "test_ab.py::test_a") << ev.dump();
  }
  EXPECT_TRUE(degraded_seen) << doc["aut_timeline"].dump(1);
  const json* later = find_entry(doc, "later");
  ASSERT_NE(later, nullptr) << r.output;
  ASSERT_TRUE((*later)["dirty_start"].is_object()) << later->dump(1) << r.output;
  const std::string said = (*later)["dirty_start"]["message"].get<std::string>();
  EXPECT_NE(said.find("ab left the AUT (pid " + std::to_string(pid) + ") degraded during test_ab.py::test_a"),
            std::string::npos)
      << said;
  EXPECT_EQ(r.output.find("degraded during test_ab.py::test_b"), std::string::npos) << r.output;
  EXPECT_EQ(doc.dump().find("during test_ab.py::test_b"), std::string::npos) << doc.dump(1);
  EXPECT_EQ(read_text(dir / "report" / "junit.xml").find("during test_ab.py::test_b"), std::string::npos);
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Trialm: a pytest test that SIGSTOPs the AUT and passes. livegui-aut finds
// the stall at the test's end and captures its stacks into the entry's
// artifacts; the next entry's dirty start linked them nowhere (results.json,
// junit.xml, report.html). The state file's degraded_blame carries them now.
TEST(PytestStallBetweenEntries, StacksCapturedWhereAStallWasFoundAreTheNextEntrysDirtyStartsStacks) {
  TempDir dir("pytest-stop-stacks");
  auto [r, doc, pid] = run_two_entries(dir, "stops", "test_stops.py",
                                       "import os, pathlib, signal\n\n"
                                       "def test_first(live_gui):\n    live_gui.click('increment')\n\n"
                                       "def test_stops_last(live_gui):\n"
                                       "    live_gui.click('increment')\n"
                                       "    pathlib.Path(os.environ['MARKER']).write_text(str(live_gui.pid))\n"
                                       "    os.kill(live_gui.pid, signal.SIGSTOP)\n",
                                       "next", "test_next.py", kNext);
  ASSERT_GT(pid, 0);
  const json* next = find_entry(doc, "next");
  ASSERT_NE(next, nullptr) << r.output;
  ASSERT_TRUE((*next)["dirty_start"].is_object()) << next->dump(1) << r.output;
  const json& d = (*next)["dirty_start"];
  EXPECT_EQ(d["aut_pid"], pid) << d.dump();
  ASSERT_TRUE(d.contains("stacks") && d["stacks"].is_string() && !d["stacks"].get<std::string>().empty())
      << d.dump() << "\n"
      << r.output;
  const std::string stacks = d["stacks"];
  EXPECT_NE(stacks.find("stacks-" + std::to_string(pid)), std::string::npos) << stacks;
  const fs::path file = fs::path(stacks).is_absolute() ? fs::path(stacks) : dir / "report" / stacks;
  EXPECT_NE(read_text(file).find("AUT pid " + std::to_string(pid) + " stalled"), std::string::npos) << file;
  EXPECT_NE(read_text(dir / "report" / "junit.xml").find(stacks), std::string::npos);
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Trial16 finding 2: under respawn = "never" the dirty start of the entry
// that starts on the kept AUT said aut_pid 0 and named a pseudo-test
// "livegui-batch.<entry>". It names the AUT that is kept (its real pid) and
// the real test.
TEST(PytestStallBetweenEntries, UnderRespawnNeverTheKeptAutIsNamedByItsRealPidAndTest) {
  TempDir dir("pytest-stall-never");
  write(dir / "test_hangs.py", kHangsLast);
  write(dir / "test_next.py", kNext);
  write(dir / "plan.toml", live_plan(dir, ", respawn = \"never\"", "",
                                     pytest_entry("hangs", "test_hangs.py") + pytest_entry("next", "test_next.py")));
  BatchRun r = run_livegui_batch(args_for(dir, "session"), dir.path(), {}, 180s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  std::string json_text = read_text(dir / "report" / "results.json");
  json doc = json::parse(json_text);
  const int pid = hung_pid(dir);
  ASSERT_GT(pid, 0) << r.output;
  const json* next = find_entry(doc, "next");
  ASSERT_NE(next, nullptr) << r.output;
  ASSERT_TRUE((*next)["dirty_start"].is_object()) << next->dump(1) << r.output;
  const json& d = (*next)["dirty_start"];
  EXPECT_EQ(d["kind"], "degraded") << d.dump();
  EXPECT_EQ(d["aut_pid"], pid) << d.dump();
  EXPECT_EQ(d["kept"], true) << d.dump();
  std::string message = d["message"];
  EXPECT_NE(message.find("hangs left the AUT (pid " + std::to_string(pid) + ") degraded"), std::string::npos)
      << message;
  EXPECT_NE(message.find("test_hangs.py::test_hangs_last"), std::string::npos) << message;
  EXPECT_NE(message.find("next starts on the degraded AUT: respawn policy never"), std::string::npos) << message;
  EXPECT_EQ(json_text.find("livegui-batch."), std::string::npos) << json_text;
  EXPECT_EQ(r.output.find("livegui-batch."), std::string::npos) << r.output;
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Issue 16: under respawn = "never" the AUT "hangs" left stalled stays so
// through every later entry, and their tests named each other ("degraded
// during test_next.py::test_one") instead of the entry that broke it. The
// batcher records the blame where it finds the stall (between entries, after
// hangs' last test) and every later test — of a C++ entry after the pytest
// one, of a pytest entry after the C++ one — and each dirty start name it.
TEST(PytestStallBetweenEntries, UnderRespawnNeverEveryLaterTestNamesTheEntryThatLeftItStalled) {
  TempDir dir("pytest-stall-blame");
  write(dir / "test_hangs.py", kHangsLast);
  write(dir / "test_next.py",
        "def test_one(live_gui):\n    live_gui.click('increment')\n\n"
        "def test_two(live_gui):\n    live_gui.click('increment')\n");
  const std::string cpp_entry = "[[tiers.entries]]\nname = \"cpp_later\"\nexecutable = \"" +
                                built("tests/e2e/e2e_stall_blame") + "\"\nargs = [\"--gtest_filter=LaterOne.*\"]\n";
  write(dir / "plan.toml",
        live_plan(dir, ", respawn = \"never\"", "",
                  pytest_entry("hangs", "test_hangs.py") + cpp_entry + pytest_entry("py_later", "test_next.py")));
  BatchRun r = run_livegui_batch(args_for(dir, "session"), dir.path(), {}, 180s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const int pid = hung_pid(dir);
  ASSERT_GT(pid, 0) << r.output;
  const json* hangs = find_entry(doc, "hangs");
  ASSERT_NE(hangs, nullptr) << r.output;
  EXPECT_EQ((*hangs)["result"], "PASS") << hangs->dump(1);
  const std::string blamed = "hangs left the AUT (pid " + std::to_string(pid) +
                             ") still degraded (found between entries, after test_hangs.py::test_hangs_last, the "
                             "last test of hangs)";
  for (const char* name : {"cpp_later", "py_later"}) {
    const json* e = find_entry(doc, name);
    ASSERT_NE(e, nullptr) << r.output;
    ASSERT_FALSE((*e)["tests"].empty()) << e->dump(1);
    for (const auto& t : (*e)["tests"]) {
      EXPECT_EQ(t["result"], "FAIL") << t.dump(1);
      const std::string message = t["message"];
      EXPECT_NE(message.find(blamed), std::string::npos) << t["name"] << ": " << message;
      EXPECT_NE(message.find("the respawn policy is 'never'"), std::string::npos) << t["name"] << ": " << message;
    }
  }
  const json* py = find_entry(doc, "py_later");
  ASSERT_TRUE((*py)["dirty_start"].is_object()) << py->dump(1) << r.output;
  const std::string dirty = (*py)["dirty_start"]["message"];
  EXPECT_NE(dirty.find(blamed), std::string::npos) << dirty;
  EXPECT_EQ(dirty.find("cpp_later left"), std::string::npos) << dirty;
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Trial16 finding 3: a pytest entry is retried whole (test_c broke the AUT:
// "degraded"). test_a failed an assertion the first time (not retried:
// "fail" is not listed) and passed in the retry: it stays FAIL and that run
// is among its tries and in junit.xml (it was recorded nowhere). test_b
// passed the first time and failed in the retry: FLAKY, and a warning of the
// entry says so (the docs promised it; the executor dropped it).
TEST(PytestWholeEntryRetry, EveryRunOfEveryTestIsRecordedAndAPassThenFailIsAWarningOfTheEntry) {
  TempDir dir("pytest-whole-retry");
  write(dir / "test_x.py",
        "import os, pathlib\n\n"
        "MARK = pathlib.Path(os.environ['MARKER'])\n"
        "FIRST = not MARK.exists()  # the first run of this file\n\n"
        "def test_a_asserts_first_time(live_gui):\n"
        "    live_gui.click('increment')\n"
        "    assert not FIRST, 'fails only in the first run'\n\n"
        "def test_b_passes_first_time(live_gui):\n"
        "    live_gui.click('increment')\n"
        "    assert FIRST, 'fails only when run again'\n\n"
        "def test_c_breaks_the_aut_once(live_gui):\n"
        "    if FIRST:\n"
        "        MARK.write_text('ran once')\n"
        "        live_gui.fault('crash')\n"
        "    live_gui.click('increment')\n");
  write(dir / "plan.toml",
        live_plan(dir, "", "retry = { on = [\"degraded\"], max = 1 }\n", pytest_entry("whole", "test_x.py")));
  BatchRun r = run_livegui_batch(args_for(dir, "file"), dir.path(), {}, 180s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* e = find_entry(doc, "whole");
  ASSERT_NE(e, nullptr) << r.output;
  ASSERT_EQ((*e)["attempts"].size(), 2u) << e->dump(1);
  const json* c = find_test(*e, "test_x.py::test_c_breaks_the_aut_once");
  ASSERT_NE(c, nullptr) << e->dump(1);
  EXPECT_EQ((*c)["result"], "FLAKY") << c->dump(1);
  const json* a = find_test(*e, "test_x.py::test_a_asserts_first_time");
  ASSERT_NE(a, nullptr) << e->dump(1);
  EXPECT_EQ((*a)["result"], "FAIL") << "an assertion failure is not retried unless \"fail\" is listed\n" << a->dump(1);
  ASSERT_TRUE(a->contains("tries")) << "its passing run in the retry is recorded nowhere\n" << a->dump(1);
  ASSERT_EQ((*a)["tries"].size(), 1u) << a->dump(1);
  EXPECT_EQ((*a)["tries"][0]["attempt"], 2) << a->dump(1);
  EXPECT_EQ((*a)["tries"][0]["result"], "PASS") << a->dump(1);
  EXPECT_EQ((*a)["tries"][0]["retried_for"], "entry") << a->dump(1);
  EXPECT_NE((*a)["message"].get<std::string>().find(
                "test_x.py::test_a_asserts_first_time was PASS when the entry was run again (retry 1, attempt 2); "
                "it keeps its FAIL of attempt 1"),
            std::string::npos)
      << a->dump(1);
  const json* b = find_test(*e, "test_x.py::test_b_passes_first_time");
  ASSERT_NE(b, nullptr) << e->dump(1);
  EXPECT_EQ((*b)["result"], "FLAKY") << b->dump(1);
  const std::string said =
      "test_x.py::test_b_passes_first_time passed in attempt 1 but was FAIL when the entry was run again (retry 1, "
      "attempt 2)";
  bool warned = false;
  for (const auto& w : (*e)["warnings"]) warned = warned || w.get<std::string>().find(said) != std::string::npos;
  EXPECT_TRUE(warned) << "no warning of the entry says it\n" << e->dump(1);
  EXPECT_NE(r.output.find("[BATCH-WARN] live: " + said), std::string::npos) << r.output;
  std::string junit = read_text(dir / "report" / "junit.xml");
  EXPECT_NE(junit.find("<property name=\"livegui.passing_rerun\" value=\"attempt 2: PASS (ran again with its "
                       "entry)\"/>"),
            std::string::npos)
      << junit;
  EXPECT_EQ(junit.find("<rerunError type=\"PASS\""), std::string::npos) << junit;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

}  // namespace
}  // namespace livegui::test_support
