// A pytest test that stalls the AUT at its very end, found by the next test
// of the same file, end to end (the real livegui-batch, livegui-aut, the
// plugin and the sample app with fault injection). The next test's request
// gets no answer at all (the app's own stall threshold, 1 s, is longer than
// the client's wait, the heartbeat threshold of 500 ms): the client has no
// fresh /health to show, only the one it read as the test began, whose last
// frame came before the previous test ended. Issue 15 (trial12b item 1).
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

/// test_2 hangs the app's main loop (the fault fires in its next frame) and
/// ends 0.1 s later; test_3 then clicks; test_4 should get a fresh AUT.
const char* kStallsAtEnd =
    "import time\n\n"
    "def test_1_ok(live_gui):\n    live_gui.click('increment')\n\n"
    "def test_2_stalls_at_end(live_gui):\n    live_gui.fault('hang')\n    time.sleep(0.1)\n\n"
    "def test_3_innocent(live_gui):\n    live_gui.click('increment')\n\n"
    "def test_4_after(live_gui):\n    live_gui.click('increment')\n";

std::string plan(const TempDir& dir) {
  return "[[tiers]]\nname = \"live\"\nuses_aut = true\nenv = { PYTHONPATH = \"" + source("python").string() +
         "\", PYTHONDONTWRITEBYTECODE = \"1\" }\n"
         "aut = { executable = \"" +
         built("sample_app/sample_app") +
         "\", args = [\"--headless\", \"--enable-faults\"], display = \"none\", heartbeat_threshold = \"500ms\", "
         "term_grace = \"1s\" }\n"
         "[[tiers.entries]]\nname = \"end\"\nformat = \"pytest\"\ncwd = \"" +
         dir.path().string() +
         "\"\n"
         "command = [\"" LIVEGUI_PYTHON3
         "\", \"-m\", \"pytest\", \"-q\", \"-p\", \"no:cacheprovider\", \"test_end.py\"]\n";
}

/// test_2 as above, then a test that never uses the AUT and outlasts the
/// heartbeat threshold, then test_3.
const char* kStallsAtEndThenATestWithoutTheApp =
    "import time\n\n"
    "def test_1_ok(live_gui):\n    live_gui.click('increment')\n\n"
    "def test_2_stalls_at_end(live_gui):\n    live_gui.fault('hang')\n    time.sleep(0.1)\n\n"
    "def test_2b_no_app():\n    time.sleep(1.0)\n\n"
    "def test_3_innocent(live_gui):\n    live_gui.click('increment')\n\n"
    "def test_4_after(live_gui):\n    live_gui.click('increment')\n";

/// Runs `file_text` as test_end.py and checks that every report blames
/// test_2 for the stall and none of `innocent`; `no_answer`: test_3's request
/// got no answer (the case the first test is about).
void expect_the_stall_blamed_on_test_2(const char* file_text, const std::vector<std::string>& innocent,
                                       bool no_answer) {
  TempDir dir("pytest-stall-at-end");
  write(dir / "test_end.py", file_text);
  write(dir / "plan.toml", plan(dir));
  BatchRun r = run_livegui_batch({(dir / "plan.toml").string(), "--aut-scope", "session", "--report-dir",
                                  (dir / "report").string(), "--state-dir", (dir / "state").string()},
                                 dir.path(), {}, 180s);
  ASSERT_TRUE(fs::exists(dir / "report" / "results.json")) << r.output;
  json doc = json::parse(read_text(dir / "report" / "results.json"));
  const json* end = find_entry(doc, "end");
  ASSERT_NE(end, nullptr) << r.output;
  const json* t2 = find_test(*end, "test_end.py::test_2_stalls_at_end");
  const json* t3 = find_test(*end, "test_end.py::test_3_innocent");
  const json* t4 = find_test(*end, "test_end.py::test_4_after");
  ASSERT_TRUE(t2 && t3 && t4) << end->dump(1);
  EXPECT_EQ((*t2)["result"], "PASS") << t2->dump(1);
  EXPECT_EQ((*t4)["result"], "PASS") << t4->dump(1);
  const std::string t3_says = t3->value("message", "");
  if (no_answer) {
    // test_3 found the stall: it fails, saying who left it so; test_4 gets a fresh AUT.
    ASSERT_EQ((*t3)["result"], "FAIL") << t3->dump(1);
    EXPECT_NE(t3_says.find("got no answer"), std::string::npos) << t3_says;
    EXPECT_NE(t3_says.find("the AUT was left stalled by test_end.py::test_2_stalls_at_end"), std::string::npos)
        << t3_says;
    EXPECT_NE(t4->value("message", "").find("degraded during test_end.py::test_2_stalls_at_end"), std::string::npos)
        << t4->dump(1);
  } else {
    // Found as test_3 began (the threshold passed meanwhile): it starts on a fresh AUT.
    EXPECT_EQ((*t3)["result"], "PASS") << t3->dump(1);
    EXPECT_NE(t3_says.find("degraded during test_end.py::test_2_stalls_at_end"), std::string::npos) << t3->dump(1);
  }

  bool degraded_seen = false;
  for (const auto& ev : doc["aut_timeline"]) {
    if (ev["event"] != "degraded") continue;
    degraded_seen = true;
    EXPECT_EQ(ev.value("test", ""), "test_end.py::test_2_stalls_at_end") << ev.dump();
  }
  EXPECT_TRUE(degraded_seen) << doc["aut_timeline"].dump(1);
  EXPECT_NE(r.output.find("degraded during test_end.py::test_2_stalls_at_end"), std::string::npos) << r.output;
  for (const auto& name : innocent) {
    EXPECT_EQ(r.output.find("degraded during test_end.py::" + name), std::string::npos) << name << r.output;
    EXPECT_EQ(doc.dump().find("degraded during test_end.py::" + name), std::string::npos) << name << doc.dump(1);
  }
  EXPECT_TRUE(leftover_processes().empty()) << describe_pids(leftover_processes());
}

// Trial12b item 1: every report named test_3 ("test: …test_3_innocent",
// "fresh AUT: … degraded during …test_3_innocent", the timeline, the
// warning) and test_2 nowhere.
TEST(PytestStallAtTheEndOfATest, IsBlamedOnThatTestWhenTheNextTestsRequestGetsNoAnswer) {
  expect_the_stall_blamed_on_test_2(kStallsAtEnd, {"test_3_innocent"}, true);
}

// Trial12d: a test that never used the AUT ran between them; every report
// blamed it, the test that came after the stalling one.
TEST(PytestStallAtTheEndOfATest, IsBlamedOnThatTestThoughATestWithoutTheAppRanInBetween) {
  expect_the_stall_blamed_on_test_2(kStallsAtEndThenATestWithoutTheApp, {"test_2b_no_app", "test_3_innocent"}, false);
}

}  // namespace
}  // namespace livegui::test_support
