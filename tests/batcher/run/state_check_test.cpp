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

// Trial16 finding 1: a session AUT the batcher itself found degraded
// between entries (no test running, so the state file names none) is said
// with the previous entry's last test.
TEST(BatcherStateCheck, ADegradationFoundBetweenEntriesNamesThePreviousEntrysLastTest) {
  StateFile s = state(AutStatus::Degraded);
  s.owner = context().self;
  s.degraded_reasons = {"heartbeat stalled: no frame for 1043 ms (last frame 250)"};
  auto ctx = context();
  ctx.previous_last_test = "t.py::test_hangs_last";
  auto v = classify_state(snap(s, true, true, true), ctx);
  EXPECT_EQ(v.kind, StateVerdictKind::Degraded);
  EXPECT_EQ(v.aut_pid, 4121);
  EXPECT_NE(v.what.find("test_extended_sims left the AUT (pid 4121) degraded (found between entries, after its last "
                        "test t.py::test_hangs_last) — heartbeat stalled: no frame for 1043 ms"),
            std::string::npos)
      << v.what;
  s.degraded_during = "t.py::test_x";  // recorded: that one, not a guess
  EXPECT_NE(classify_state(snap(s, true, true, true), ctx).what.find("degraded during t.py::test_x — "),
            std::string::npos);
}

// Issue 16: under respawn "never" the AUT an earlier entry left degraded
// stays so; the entry that merely ran on it (test_extended_sims, the
// previous one) was named as having left it. The recorded blame names the
// entry that did, with where it was found; its own doing is said as before.
TEST(BatcherStateCheck, AnAutAnEarlierEntryLeftDegradedIsNamedAfterThatEntryNotThePreviousOne) {
  StateFile s = state(AutStatus::Degraded);
  s.owner = context().self;
  s.degraded_reasons = {"hook server unreachable on port 40123"};
  s.degraded_blame = DegradedBlame{4121, "breaks", "Breaks.C_Last", true};
  auto ctx = context();
  ctx.previous_last_test = "LaterOne.B_Healthy";
  auto v = classify_state(snap(s, true, true, true), ctx);
  EXPECT_EQ(v.kind, StateVerdictKind::Degraded);
  EXPECT_EQ(v.what,
            "breaks left the AUT (pid 4121) still degraded (found between entries, after Breaks.C_Last, the last test "
            "of breaks) — hook server unreachable on port 40123");
  UnfitAut aut{4121, StateVerdictKind::Degraded, "hook server unreachable on port 40123", "", s.degraded_blame};
  EXPECT_EQ(unfit_session_verdict(aut, ctx).what, v.what);
  // Its own doing: the previous entry's wording, with its last test.
  s.degraded_blame->entry = ctx.previous_entry;
  EXPECT_NE(classify_state(snap(s, true, true, true), ctx)
                .what.find("test_extended_sims left the AUT (pid 4121) "
                           "degraded (found between entries, after its "
                           "last test LaterOne.B_Healthy)"),
            std::string::npos);
  // A record of another AUT says nothing of this one.
  s.degraded_blame = DegradedBlame{999, "breaks", "Breaks.C_Last", true};
  EXPECT_EQ(classify_state(snap(s, true, true, true), ctx).what.find("breaks left"), std::string::npos);
}

// Trial16 finding 2: the session AUT respawn "never" keeps is named by its
// real pid and the real test (or "between tests"), never by the batcher's
// stand-in "livegui-batch.<entry>".
TEST(BatcherStateCheck, AnUnfitSessionAutKeptUnderRespawnNeverIsNamedByItsPidAndTest) {
  auto ctx = context();
  ctx.session_respawn_never = true;
  UnfitAut aut{4121, StateVerdictKind::Degraded, "heartbeat stalled: no frame for 1043 ms", ""};
  StateVerdict v = unfit_session_verdict(aut, ctx);
  EXPECT_EQ(v.kind, StateVerdictKind::Degraded);
  EXPECT_EQ(v.aut_pid, 4121);
  std::string line = warning_message(v, ctx, "; kept it (respawn policy never)");
  EXPECT_EQ(line,
            "live_gui: test_extended_sims left the AUT (pid 4121) degraded between tests — heartbeat stalled: no "
            "frame for 1043 ms; kept it (respawn policy never). test_live_workflow starts on the degraded AUT: respawn "
            "policy never; its tests will fail with subprocess degraded.");
  aut.during_test = "A.b";
  EXPECT_NE(warning_message(unfit_session_verdict(aut, ctx), ctx, "").find("(pid 4121) degraded during A.b — "),
            std::string::npos);
  aut.during_test.clear();
  ctx.previous_last_test = "A.last";
  EXPECT_NE(unfit_session_verdict(aut, ctx).what.find("(found between entries, after its last test A.last)"),
            std::string::npos);
  UnfitAut dead{4122, StateVerdictKind::Dead, "killed by SIGABRT", "A.c"};
  std::string d = warning_message(unfit_session_verdict(dead, ctx), ctx, "");
  EXPECT_NE(d.find("left the AUT (pid 4122) dead during A.c — killed by SIGABRT."), std::string::npos) << d;
  EXPECT_NE(d.find("gets no AUT from the batcher (respawn policy never)"), std::string::npos) << d;
  EXPECT_EQ(d.find("livegui-batch."), std::string::npos) << d;
}

TEST(BatcherStateCheck, ALeftOverWithGroupRemnantsNamesItsRunOnce) {
  // trial13b N6: "a previous run (livegui-batch, pid 7150, …) ended without
  // cleaning up (…); a previous run (test_x, pid 7150) left the AUT …": one
  // owner named twice, two ways.
  StateFile s = state(AutStatus::Healthy);
  s.owner = {7150, 1000};
  s.owner_name = "test_x";
  StateSnapshot sn = snap(s, false, false, false);
  GroupRemnant r;
  r.id = {7792, 9};
  r.comm = "sleep";
  sn.group_remnants.push_back(r);
  auto first = context();
  first.previous_entry.clear();
  auto v = classify_left_over(sn, first, "/s/aut-state-7150-1000.json", /*per_run=*/true);
  EXPECT_EQ(v.kind, StateVerdictKind::Leaked);
  EXPECT_EQ(v.what.rfind("a previous run (test_x, pid 7150", 0), 0u) << v.what;
  const std::string rest =
      ") ended without cleaning up (/s/aut-state-7150-1000.json); its AUT (pid 4121) is dead — it went down with "
      "its owner — with 1 process of its process group still running: pid 7792 (sleep)";
  ASSERT_GE(v.what.size(), rest.size());
  EXPECT_EQ(v.what.substr(v.what.size() - rest.size()), rest) << v.what;
  EXPECT_EQ(v.what.find("previous run", 3), std::string::npos) << v.what;
  // A batcher's file that one of its test binaries wrote last names the batcher.
  s.owner = {7160, 1001};
  sn.state = s;
  v = classify_left_over(sn, first, "/s/aut-state-7150-1000.json", /*per_run=*/true);
  EXPECT_EQ(v.what.rfind("a previous run (livegui-batch, pid 7150", 0), 0u) << v.what;
  EXPECT_EQ(v.what.find("test_x"), std::string::npos) << v.what;
}

TEST(BatcherStateCheck, AStaleDegradedRecordSaysWhy) {
  StateFile s = state(AutStatus::Degraded);
  s.degraded_reasons = {"heartbeat stalled: no frame for 2.1 s"};
  auto first = context();
  first.previous_entry.clear();
  auto v = classify_left_over(snap(s, false, false, false), first, "/s/aut-state-4100-600.json", /*per_run=*/true);
  EXPECT_EQ(v.kind, StateVerdictKind::Stale);
  EXPECT_NE(v.what.find("its AUT (pid 4121) was degraded between tests and went down with its owner (it was degraded: "
                        "heartbeat stalled: no frame for 2.1 s)"),
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
