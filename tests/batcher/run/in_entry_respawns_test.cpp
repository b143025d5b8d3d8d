// An AUT break that the entry's own test binary recovered from (file scope:
// test N kills the AUT, test N+1 respawns it) is a warning of that entry,
// naming the test and how the AUT ended (batcher/run/in_entry_respawns).
#include <gtest/gtest.h>

#include "batcher/run/in_entry_respawns.hpp"

namespace livegui::batch {
namespace {

TimelineEvent event(TimelineKind kind, pid_t pid, const std::string& entry, const std::string& reason,
                    const std::string& test = "") {
  TimelineEvent e;
  e.event = kind;
  e.pid = pid;
  e.entry = entry;
  e.reason = reason;
  e.test = test;
  e.tier = "live";
  return e;
}

TEST(InEntryRespawns, ADeathThatTheSameEntryRespawnedIsOneWarningNamingTheTestAndTheSignal) {
  std::vector<TimelineEvent> tl{
      event(TimelineKind::Spawn, 10, "live/faulty", "started by reliability_ent"),
      event(TimelineKind::Death, 10, "live/faulty", "AUT pid 10: SIGSEGV during Cell.Fault", "Cell.Fault"),
      event(TimelineKind::Respawn, 11, "live/faulty", "AUT pid 10 died during Cell.Fault (by reliability_ent)"),
      event(TimelineKind::Stopped, 11, "live/faulty", "stopped by reliability_ent"),
  };
  auto w = in_entry_respawn_warnings(tl, 0, "live/faulty", "faulty");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0],
            "during faulty, the AUT (pid 10) died during Cell.Fault (AUT pid 10: SIGSEGV during Cell.Fault); the test "
            "binary respawned it as pid 11 and the file carried on");
}

TEST(InEntryRespawns, ADegradationThenItsStopIsOneBreakAndEachLaterBreakHasItsOwnWarning) {
  std::vector<TimelineEvent> tl{
      event(TimelineKind::Spawn, 10, "live/f", "started"),
      event(TimelineKind::Degraded, 10, "live/f", "main loop stalled", "S.Hang"),
      event(TimelineKind::Death, 10, "live/f", "AUT pid 10: SIGKILL", "S.Hang"),
      event(TimelineKind::Respawn, 11, "live/f", "degraded"),
      event(TimelineKind::Death, 11, "live/f", "AUT pid 11: SIGABRT during S.Abort", "S.Abort"),
      event(TimelineKind::Respawn, 12, "live/f", "died"),
  };
  auto w = in_entry_respawn_warnings(tl, 0, "live/f", "f");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0],
            "during f, the AUT (pid 10) degraded during S.Hang (main loop stalled); the test binary respawned it as "
            "pid 11 and the file carried on");
  EXPECT_NE(w[1].find("the AUT (pid 11) died during S.Abort (AUT pid 11: SIGABRT during S.Abort)"), std::string::npos)
      << w[1];
  // Trial16d: a pytest entry's AUT is respawned by pytest's livegui-aut, not "the test binary".
  auto py = in_entry_respawn_warnings(tl, 0, "live/f", "f", "pytest's livegui-aut");
  ASSERT_EQ(py.size(), 2u);
  EXPECT_NE(py[0].find("); pytest's livegui-aut respawned it as pid 11 and the file carried on"), std::string::npos)
      << py[0];
}

TEST(InEntryRespawns, NothingForABreakWithoutARespawnOtherEntriesEarlierEventsOrTheBatchersStandIn) {
  std::vector<TimelineEvent> tl{
      event(TimelineKind::Death, 5, "live/a", "AUT pid 5: SIGSEGV", "A.T"),
      event(TimelineKind::Respawn, 6, "live/a", "died"),  // before `from`
      event(TimelineKind::Death, 6, "live/b", "AUT pid 6: SIGSEGV", "B.T"),
      event(TimelineKind::Respawn, 7, "live/c", "died"),  // another entry's respawn
      event(TimelineKind::Death, 7, "live/c", "AUT pid 7: SIGTERM", "livegui-batch.c"),
      event(TimelineKind::Respawn, 8, "live/c", "died"),
  };
  EXPECT_TRUE(in_entry_respawn_warnings(tl, 2, "live/a", "a").empty());
  EXPECT_TRUE(in_entry_respawn_warnings(tl, 0, "live/b", "b").empty()) << "the last test's crash: no respawn in b";
  auto c = in_entry_respawn_warnings(tl, 0, "live/c", "c");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0],
            "during c, the AUT (pid 7) died (AUT pid 7: SIGTERM); the test binary respawned it as pid 8 and the "
            "file carried on");
}

}  // namespace
}  // namespace livegui::batch
