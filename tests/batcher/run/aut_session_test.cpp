// batcher/run/aut_session: the warning for a session AUT that an entry's own
// harness replaced mid-file (the replacement itself is seen end to end in
// tests/e2e/pytest_demo_e2e_test.cpp).
#include "batcher/run/aut_session.hpp"

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

GuestReplacement replacement(AutStatus left) {
  GuestReplacement r;
  r.replaced_pid = 4121;
  r.successor_pid = 4188;
  r.guest_pid = 4150;
  r.guest_name = "livegui-aut";
  r.reason = "AUT pid 4121 degraded during t.py::test_hang: main loop stalled: no frame for 1031 ms";
  r.successor_status = left;
  return r;
}

TEST(GuestReplacementWarning, SaysWhoReplacedWhichAutWithWhatAndWhy) {
  EXPECT_EQ(guest_replacement_warning("live_gui", "test_degraded", replacement(AutStatus::Stopped), 4200, "test_next"),
            "[BATCH-WARN] live_gui: during test_degraded, livegui-aut (pid 4150) replaced the session AUT (pid 4121) "
            "with pid 4188 — AUT pid 4121 degraded during t.py::test_hang: main loop stalled: no frame for 1031 ms; "
            "it stopped pid 4188 when it ended. The session AUT is respawned as pid 4200 for test_next.");
}

TEST(GuestReplacementWarning, TheEntryKeepsTheMessageWithoutPrefixTierOrFullStop) {
  GuestReplacement r = replacement(AutStatus::Stopped);
  const std::string message = guest_replacement_message("test_degraded", r, 4200, "test_next");
  EXPECT_EQ(message,
            "during test_degraded, livegui-aut (pid 4150) replaced the session AUT (pid 4121) with pid 4188 — AUT pid "
            "4121 degraded during t.py::test_hang: main loop stalled: no frame for 1031 ms; it stopped pid 4188 when "
            "it ended. The session AUT is respawned as pid 4200 for test_next");
  EXPECT_EQ("[BATCH-WARN] live_gui: " + message + ".",
            guest_replacement_warning("live_gui", "test_degraded", r, 4200, "test_next"));
}

TEST(GuestReplacementWarning, TheSessionsRespawnSaysWhyTheGuestsSuccessorIsGoneNotTheDeathItReplaced) {
  EXPECT_EQ(guest_respawn_reason(replacement(AutStatus::Stopped)),
            "AUT pid 4188, started by livegui-aut (pid 4150) in place of the session AUT (pid 4121), was stopped when "
            "livegui-aut ended");
  EXPECT_EQ(guest_respawn_reason(replacement(AutStatus::Dead)),
            "AUT pid 4188, started by livegui-aut (pid 4150) in place of the session AUT (pid 4121), was left dead");
}

TEST(GuestReplacementWarning, SaysWhatTheReplacementWasLeftInWhenNotStopped) {
  GuestReplacement r = replacement(AutStatus::Dead);
  r.reason.clear();
  r.guest_name.clear();
  std::string line = guest_replacement_warning("t", "e", r, 4200, "n");
  EXPECT_NE(line.find("during e, a guest (pid 4150) replaced"), std::string::npos) << line;
  EXPECT_NE(line.find("with pid 4188 — no reason recorded; pid 4188 was left dead."), std::string::npos) << line;
}

TEST(GuestReplacementWarning, SaysHowTheReplacedAutEndedWhenItsParentKnows) {
  GuestReplacement r = replacement(AutStatus::Stopped);
  r.reason = "AUT pid 4121 died during t.py::test_crash (exited (status unknown: not our child))";
  r.replaced_exit = "killed by SIGABRT";
  std::string line = guest_replacement_warning("t", "e", r, 4200, "n");
  EXPECT_NE(line.find("not our child)) (pid 4121 ended: killed by SIGABRT); it stopped pid 4188"), std::string::npos)
      << line;
}

// Issue 15: a guest that respawned several times names each respawn's own
// cause and test, the first one being why it replaced the session AUT.
TEST(GuestReplacementWarning, EveryLaterRespawnNamesItsOwnCauseAndTest) {
  GuestReplacement r = replacement(AutStatus::Stopped);
  r.successor_pid = 4300;
  r.later_reasons = {"AUT pid 4188 died during t.py::test_crash (killed by SIGABRT)",
                     "AUT pid 4250 died during t.py::test_exit (exit code 3)"};
  EXPECT_EQ(guest_replacement_warning("live_gui", "test_faults", r, 4400, "test_next"),
            "[BATCH-WARN] live_gui: during test_faults, livegui-aut (pid 4150) replaced the session AUT (pid 4121) "
            "with pid 4300 — AUT pid 4121 degraded during t.py::test_hang: main loop stalled: no frame for 1031 ms; "
            "then it respawned its own AUT 2 times: 1. AUT pid 4188 died during t.py::test_crash (killed by SIGABRT); "
            "2. AUT pid 4250 died during t.py::test_exit (exit code 3); it stopped pid 4300 when it ended. The session "
            "AUT is respawned as pid 4400 for test_next.");
}

// Trial12b item 2: a guest that respawned 22 times after replacing the
// session AUT left 20 reasons in the state file (its cap, the first kept):
// the warning said "respawned its own AUT 19 times" and listed 19.
StateFile many_respawns_state() {
  StateFile st;
  st.aut = AutRecord{};
  st.aut->pid = 4999;
  st.owner.pid = 4150;
  st.owner_name = "livegui-aut";
  st.status = AutStatus::Stopped;
  st.spawn_count = 1 + 1 + 22;  // ours, the guest's replacement, 22 later respawns
  for (std::size_t i = 0; i < StateFile::kMaxRespawnReasons; ++i)
    st.respawn_reasons.push_back("AUT pid " + std::to_string(4200 + i) + " degraded during t.py::test_" +
                                 std::to_string(i) + ": heartbeat stalled");
  return st;
}

TEST(GuestReplacementWarning, ARespawnCountPastTheStateFilesListIsTheTrueCountAndSaysHowManyAreNotListed) {
  GuestReplacement r = guest_replacement_from(many_respawns_state(), 4121, 1);
  EXPECT_EQ(r.reason, "AUT pid 4200 degraded during t.py::test_0: heartbeat stalled");
  EXPECT_EQ(r.later_reasons.size(), StateFile::kMaxRespawnReasons - 1);
  EXPECT_EQ(r.later_respawns, 22u);
  const std::string line = guest_replacement_warning("live_gui", "stk", r, 5000, "next");
  EXPECT_NE(line.find("then it respawned its own AUT 22 times: 1. AUT pid 4201 degraded during t.py::test_1"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("19. AUT pid 4219 degraded during t.py::test_19: heartbeat stalled; … and 3 more (see "
                      "results.json aut_timeline); it stopped pid 4999 when it ended"),
            std::string::npos)
      << line;
}

TEST(GuestReplacementWarning, ACountTheListHoldsWholeAddsNothing) {
  StateFile st = many_respawns_state();
  st.respawn_reasons.resize(3);
  st.spawn_count = 1 + 3;
  GuestReplacement r = guest_replacement_from(st, 4121, 1);
  EXPECT_EQ(r.later_respawns, 2u);
  const std::string line = guest_replacement_warning("t", "e", r, 5000, "n");
  EXPECT_NE(line.find("respawned its own AUT 2 times: 1. "), std::string::npos) << line;
  EXPECT_EQ(line.find("more (see"), std::string::npos) << line;
}

TEST(GuestReplacementWarning, AtTheEndOfTheTierNothingIsRespawned) {
  std::string line = guest_replacement_warning("t", "e", replacement(AutStatus::Stopped), 0, "");
  EXPECT_NE(line.find("it stopped pid 4188 when it ended. (No AUT entry follows in this tier.)"), std::string::npos)
      << line;
  EXPECT_EQ(line.find("respawned"), std::string::npos) << line;
}

}  // namespace
}  // namespace livegui::batch
