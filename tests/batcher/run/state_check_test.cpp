#include "batcher/run/state_check.hpp"

#include <csignal>

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

constexpr std::int64_t kPrevStarted = 1'000'000;

StateCheckContext context() {
  StateCheckContext c;
  c.tier = "live_gui";
  c.previous_entry = "test_extended_sims";
  c.next_entry = "test_live_workflow";
  c.window_start_unix_ms = kPrevStarted;
  c.self = {100, 5000};
  return c;
}

StateFile state(AutStatus status) {
  StateFile s;
  s.status = status;
  AutRecord aut;
  aut.pid = 4121;
  aut.pgid = 4121;
  aut.start_time = 777;
  s.aut = aut;
  s.owner = {4100, 600};
  s.owner_name = "test_extended_sims";
  s.spawn_count = 1;
  s.updated_at_unix_ms = kPrevStarted + 500;
  return s;
}

StateSnapshot snap(const StateFile& s, bool alive, bool pgid, bool owner) {
  StateSnapshot sn;
  sn.state = s;
  sn.inspection.aut_alive = alive;
  sn.inspection.aut_pgid_matches = pgid;
  sn.inspection.owner_alive = owner;
  return sn;
}

TEST(BatcherStateCheck, NoFileOrACleanStopIsClean) {
  EXPECT_EQ(classify_state(StateSnapshot{}, context()).kind, StateVerdictKind::Clean);
  EXPECT_EQ(classify_state(snap(state(AutStatus::Stopped), false, false, false), context()).kind,
            StateVerdictKind::Clean);
}

TEST(BatcherStateCheck, AnAutThatDiedDuringThePreviousEntryIsDead) {
  StateFile s = state(AutStatus::Dead);
  ExitRecord e;
  e.pid = 4121;
  e.status = "killed by SIGABRT";
  e.signaled = true;
  e.signal = SIGABRT;
  e.during_test = "ExtendedSims.ExecutionSim";
  s.last_exit = e;
  auto v = classify_state(snap(s, false, false, false), context());
  EXPECT_EQ(v.kind, StateVerdictKind::Dead);
  EXPECT_EQ(v.aut_pid, 4121);
  EXPECT_FALSE(v.stop_aut);
  EXPECT_EQ(warning_line(v, context(), ""),
            "[BATCH-WARN] live_gui: test_extended_sims left the AUT (pid 4121) dead — SIGABRT during "
            "ExtendedSims.ExecutionSim. test_live_workflow starts on a fresh AUT; it did not get to deal with the "
            "dirty state.");
  // The same file, older than the previous entry: old news, not a dirty start.
  s.updated_at_unix_ms = kPrevStarted - 1;
  EXPECT_EQ(classify_state(snap(s, false, false, false), context()).kind, StateVerdictKind::Clean);
  // Already reported once.
  s.updated_at_unix_ms = kPrevStarted + 500;
  auto ctx = context();
  ctx.acknowledged_unix_ms = s.updated_at_unix_ms;
  EXPECT_EQ(classify_state(snap(s, false, false, false), ctx).kind, StateVerdictKind::Clean);
}

// Issue 15: the previous entry's own process owned the AUT (file scope) and
// was stopped, crashed or ended: the AUT ended with the entry that owned it.
// That is said on that entry (naming the test it died in), not as a dirty
// start of the next one, which starts its own AUT anyway.
TEST(BatcherStateCheck, AnAutThatWentDownWithThePreviousEntryIsThatEntrysBusiness) {
  StateFile s = state(AutStatus::Healthy);
  s.current_test = TestRef{"test_sleeps.py", "test_sleeps", TestIdSyntax::NodeId};
  auto v = classify_state(snap(s, false, false, false), context());
  EXPECT_EQ(v.kind, StateVerdictKind::EndedWithEntry);
  EXPECT_FALSE(v.dirty());
  EXPECT_FALSE(v.stop_aut);
  EXPECT_EQ(entry_message(v),
            "test_extended_sims left the AUT (pid 4121) dead — it went down with its owner (pid 4100), which ended "
            "while the AUT was healthy during test_sleeps.py::test_sleeps");
  // The state file does not say which test ran: the entry's own result does.
  s.current_test.reset();
  auto ctx = context();
  ctx.previous_ended_during = "test_dies.py::test_dies";
  EXPECT_EQ(entry_message(classify_state(snap(s, false, false, false), ctx)),
            "test_extended_sims left the AUT (pid 4121) dead — it went down with its owner (pid 4100), which ended "
            "while the AUT was healthy during test_dies.py::test_dies");
  // Degraded when its owner ended: the same rule, the reasons kept.
  StateFile d = state(AutStatus::Degraded);
  d.degraded_reasons = {"main loop stalled"};
  auto vd = classify_state(snap(d, false, false, false), context());
  EXPECT_EQ(vd.kind, StateVerdictKind::EndedWithEntry);
  EXPECT_NE(vd.what.find("(it was degraded: main loop stalled)"), std::string::npos) << vd.what;
  // Session scope: the lineage is shared, what a guest left of it stays a dirty start.
  auto session = context();
  session.session_scope = true;
  EXPECT_EQ(classify_state(snap(d, false, false, false), session).kind, StateVerdictKind::Dead);
}

TEST(BatcherStateCheck, AnAutThatWentDownWithAnOwnerNoEntryOfThisRunIsDead) {
  // No previous entry of this run: whoever owned it, it is news to the next one.
  StateFile s = state(AutStatus::Healthy);
  auto first = context();
  first.previous_entry.clear();
  auto v = classify_state(snap(s, false, false, false), first);
  EXPECT_EQ(v.kind, StateVerdictKind::Dead);
  EXPECT_TRUE(v.dirty());
  EXPECT_NE(v.what.find("it went down with its owner (pid 4100), which ended while the AUT was healthy"),
            std::string::npos)
      << v.what;
  // An AUT that died on its own (its exit recorded) during the previous entry stays a dirty start.
  StateFile e = state(AutStatus::Dead);
  ExitRecord x;
  x.pid = 4121;
  x.signaled = true;
  x.signal = SIGABRT;
  e.last_exit = x;
  EXPECT_EQ(classify_state(snap(e, false, false, false), context()).kind, StateVerdictKind::Dead);
}

TEST(BatcherStateCheck, AnAliveAutWithItsOwnerGoneHasLeaked) {
  StateFile s = state(AutStatus::Healthy);
  auto v = classify_state(snap(s, true, true, false), context());
  EXPECT_EQ(v.kind, StateVerdictKind::Leaked);
  EXPECT_TRUE(v.stop_aut);
  EXPECT_EQ(warning_line(v, context(), "; stopped it (SIGTERM to its process group)"),
            "[BATCH-WARN] live_gui: test_extended_sims left the AUT (pid 4121) running with its owner (pid 4100) "
            "gone; stopped it (SIGTERM to its process group). test_live_workflow starts on a fresh AUT; it did not "
            "get to deal with the dirty state.");
  // From an earlier run: it is still a leak, whatever its age.
  s.updated_at_unix_ms = 5;
  auto first = context();
  first.previous_entry.clear();
  auto v2 = classify_state(snap(s, true, true, false), first);
  EXPECT_EQ(v2.kind, StateVerdictKind::Leaked);
  EXPECT_EQ(v2.what.rfind("a previous run (test_extended_sims, pid 4100) left the AUT", 0), 0u) << v2.what;
}

TEST(BatcherStateCheck, AnAutInAnotherGroupOrOfALiveOwnerIsNeverStopped) {
  StateFile s = state(AutStatus::Healthy);
  auto moved = classify_state(snap(s, true, false, false), context());
  EXPECT_EQ(moved.kind, StateVerdictKind::Foreign);
  EXPECT_FALSE(moved.stop_aut);
  auto owned = classify_state(snap(s, true, true, true), context());
  EXPECT_EQ(owned.kind, StateVerdictKind::Foreign);
  EXPECT_FALSE(owned.stop_aut);
  EXPECT_NE(warning_line(owned, context(), "").find("may find the AUT in use"), std::string::npos);
}

TEST(BatcherStateCheck, OurOwnSessionAutIsJudgedByItsHealth) {
  StateFile s = state(AutStatus::Healthy);
  s.owner = context().self;
  EXPECT_EQ(classify_state(snap(s, true, true, true), context()).kind, StateVerdictKind::Clean);
  s.status = AutStatus::Degraded;
  s.degraded_reasons = {"assertion failed: x (frame 9)", "io pool shut down"};
  auto v = classify_state(snap(s, true, true, true), context());
  EXPECT_EQ(v.kind, StateVerdictKind::Degraded);
  EXPECT_FALSE(v.stop_aut);
  EXPECT_NE(v.what.find("left the AUT (pid 4121) degraded — assertion failed: x (frame 9); io pool shut down"),
            std::string::npos)
      << v.what;
}

TEST(BatcherStateCheck, AnUnusableFileIsCorrupt) {
  StateSnapshot sn;
  sn.corrupt_reason = "aut-state.json: not JSON";
  auto v = classify_state(sn, context());
  EXPECT_EQ(v.kind, StateVerdictKind::Corrupt);
  EXPECT_TRUE(v.quarantine);
  EXPECT_NE(warning_line(v, context(), "; moved it aside to x").find("starts without knowing"), std::string::npos);
  auto end = context();
  end.next_entry.clear();
  EXPECT_NE(warning_line(v, end, "").find("No AUT entry follows"), std::string::npos);
}

TEST(BatcherStateCheck, DescribesExits) {
  ExitRecord e;
  e.code = 3;
  EXPECT_EQ(describe_exit(e), "exit code 3 between tests");
  e.signaled = true;
  e.signal = SIGSEGV;
  e.during_test = "A.b";
  EXPECT_EQ(describe_exit(e), "SIGSEGV during A.b");
}

}  // namespace
}  // namespace livegui::batch
