#include "batcher/run/state_guard.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <fstream>

#include <gtest/gtest.h>

#include "common/backoff.hpp"
#include "common/proc_info.hpp"
#include "harness/subprocess.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace livegui::batch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::TempDir;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class BatcherStateGuard : public ::testing::Test {
 protected:
  void SetUp() override {
    ensure_state_dir(dir_ / "state");
    file_ = dir_ / "state" / "aut-state.json";
  }
  void TearDown() override {
    auto left = test_support::leftover_processes();
    EXPECT_TRUE(left.empty()) << test_support::describe_pids(left);
  }
  StateCheckContext ctx(std::int64_t window) {
    StateCheckContext c;
    c.tier = "live";
    c.previous_entry = "prev";
    c.next_entry = "next";
    c.window_start_unix_ms = window;
    c.self = self_identity();
    return c;
  }
  TempDir dir_{"guard"};
  fs::path file_;
};

TEST_F(BatcherStateGuard, CorruptFilesAndSymlinksAreMovedAside) {
  std::ofstream(file_) << "{ not json";
  ::chmod(file_.c_str(), 0600);
  StateGuard guard({file_, 1s, 1s});
  auto out = guard.check(ctx(0), "live/prev");
  EXPECT_EQ(out.verdict.kind, StateVerdictKind::Corrupt);
  EXPECT_FALSE(fs::exists(file_));
  EXPECT_NE(out.warning.find("moved it aside to " + file_.string() + ".corrupt-"), std::string::npos) << out.warning;
  ASSERT_TRUE(out.dirty_start.has_value());
  EXPECT_EQ(out.dirty_start->kind, StateVerdictKind::Corrupt);

  fs::path target = dir_ / "elsewhere.json";
  std::ofstream(target) << "{}";
  fs::create_symlink(target, file_);
  auto link = guard.check(ctx(0), "live/prev");
  EXPECT_EQ(link.verdict.kind, StateVerdictKind::Corrupt) << link.warning;
  EXPECT_FALSE(fs::exists(fs::symlink_status(file_)));
  EXPECT_TRUE(fs::exists(target)) << "the link's target is left alone";
  EXPECT_EQ(guard.timeline().size(), 2u);
  EXPECT_EQ(guard.timeline()[0].event, TimelineKind::Corrupt);
}

TEST_F(BatcherStateGuard, OnlyTheNewestMovedAsideFilesOfATagAreKept) {
  // Trial11e: each run's state file has its own name, so a host whose runs
  // keep being killed collected .stale-* / .corrupt-* files for ever.
  const fs::path dir = dir_ / "state";
  for (int i = 0; i < 25; ++i) {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "20260101T0000%02d.000", i);
    std::ofstream(dir / ("aut-state-" + std::to_string(100 + i) + "-1.json.stale-" + stamp)) << "{}";
  }
  std::ofstream(dir / "aut-state-7-1.json.corrupt-20250101T000000.000") << "{";  // another tag
  std::ofstream(dir / "notes.stale-by-hand") << "x";                             // not our stamp
  fs::create_directory(dir / "kept.json.stale-20200101T000000.000");             // a directory
  std::ofstream(file_) << "{}";
  fs::path moved = move_state_file_aside(file_, ".stale-");
  std::vector<std::string> stale;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.find(".stale-2") != std::string::npos && !e.is_directory()) stale.push_back(n);
  }
  std::sort(stale.begin(), stale.end());
  EXPECT_EQ(stale.size(), kKeptAside);
  EXPECT_TRUE(fs::exists(moved)) << "the file just moved aside is the newest";
  EXPECT_FALSE(fs::exists(dir / "aut-state-100-1.json.stale-20260101T000000.000")) << "the oldest went";
  EXPECT_TRUE(fs::exists(dir / "aut-state-124-1.json.stale-20260101T000024.000"));
  EXPECT_TRUE(fs::exists(dir / "aut-state-7-1.json.corrupt-20250101T000000.000")) << "another tag is not counted";
  EXPECT_TRUE(fs::exists(dir / "notes.stale-by-hand")) << "not a name we made";
  EXPECT_TRUE(fs::exists(dir / "kept.json.stale-20200101T000000.000")) << "never a directory";
}

TEST_F(BatcherStateGuard, ALeakedAutIsStoppedOnlyWhenItIsStillOurs) {
  SpawnOptions opt;
  opt.executable = test_support::binary("tests/support/fake_app");
  // The pid file is written after SIGTERM is ignored: wait for it, or a
  // SIGTERM sent first would end the app and the SIGKILL step never be needed.
  const fs::path ready = dir_ / "fake_app.pid";
  opt.args = {"--ignore-sigterm", "--pidfile", ready.string()};
  Subprocess aut = Subprocess::spawn(opt);
  ASSERT_TRUE(poll_for([&] { return fs::exists(ready); }, 10s)) << "fake_app never wrote " << ready;
  StateFile s;
  s.status = AutStatus::Healthy;
  AutRecord rec;
  rec.pid = aut.pid();
  rec.pgid = aut.pgid();
  rec.start_time = aut.start_time();
  s.aut = rec;
  s.owner = {999999, 1};  // an owner that does not exist
  s.owner_name = "killed_runner";
  s.spawn_count = 1;

  // A different start time: not our process, never signalled.
  StateFile stranger = s;
  stranger.aut->start_time += 1;
  write_state_file(file_, stranger);
  StateGuard guard({file_, 200ms, 2s});
  auto skip = guard.check(ctx(0), "live/prev");
  // Not our process: gone with its owner as far as we can tell (the previous
  // entry's own business, issue 15), never signalled.
  EXPECT_EQ(skip.verdict.kind, StateVerdictKind::EndedWithEntry) << "a pid with another start time is not our AUT";
  EXPECT_FALSE(skip.dirty_start.has_value());
  EXPECT_TRUE(aut.running());

  write_state_file(file_, s);
  auto out = guard.check(ctx(0), "live/prev");
  EXPECT_EQ(out.verdict.kind, StateVerdictKind::Leaked);
  EXPECT_NE(out.warning.find("needed SIGKILL"), std::string::npos) << out.warning;
  // The guard reaps what it stops (a leaked AUT is normally an orphan we adopted).
  EXPECT_TRUE(aut.wait_for(5s).has_value());
  EXPECT_FALSE(is_same_process(rec.pid, rec.start_time));
  bool stopped_event = false;
  for (const auto& e : guard.timeline()) stopped_event = stopped_event || e.event == TimelineKind::LeakStopped;
  EXPECT_TRUE(stopped_event);
}

// Issue 15: under respawn = "never" the batcher leaves a dead session AUT
// dead; the next entry's livegui-aut starts its own, continuing the lineage
// (spawn_count 2, last_exit the dead one). That first start of a new owner,
// after a death already seen, is a start, not a respawn: it was counted as one.
// A new owner that replaces an AUT not seen dead (a guest replacing a
// degraded session AUT mid-file) still respawns it.
TEST_F(BatcherStateGuard, TwoWritesWithinOneMillisecondAreTwoStates) {
  // A death written in the same millisecond as the write before it was
  // taken for the same file read again (BatcherStateGuard.* flaked: the
  // guard judged "nothing new" by updated_at and owner alone).
  StateGuard guard({file_, 1s, 1s});
  StateFile s;
  s.owner = {12345, 42};
  s.owner_name = "test_live";
  s.status = AutStatus::Healthy;
  s.aut = AutRecord{3001, 3001, 1, "/app", 0, "", ""};
  s.spawn_count = 1;
  write_state_file(file_, s);
  guard.observe("live", "live/t");
  const auto first = read_state_file(file_);
  ASSERT_TRUE(first);
  s.status = AutStatus::Dead;
  s.last_exit = ExitRecord{3001, "killed by SIGABRT", true, 0, SIGABRT, "A.b"};
  write_state_file(file_, s);
  // The second write's time made the first's, as when both fall in one millisecond.
  std::string text = test_support::read_text(file_);
  const std::string key = "\"updated_at_unix_ms\": ";
  auto at = text.find(key);
  ASSERT_NE(at, std::string::npos) << text;
  auto end = text.find_first_not_of("0123456789", at + key.size());
  text.replace(at + key.size(), end - at - key.size(), std::to_string(first->updated_at_unix_ms));
  std::ofstream(file_, std::ios::trunc) << text;
  ASSERT_EQ(read_state_file(file_)->updated_at_unix_ms, first->updated_at_unix_ms);
  guard.observe("live", "live/t");
  std::vector<std::string> events;
  for (const auto& ev : guard.timeline()) events.push_back(to_string(ev.event));
  EXPECT_EQ(events, (std::vector<std::string>{"spawn", "death"}));
}

TEST_F(BatcherStateGuard, ANewOwnersFirstStartAfterASeenDeathIsNoRespawn) {
  StateGuard guard({file_, 1s, 1s});
  StateFile s;
  s.owner = {12345, 42};
  s.owner_name = "livegui-batch";
  s.status = AutStatus::Healthy;
  s.aut = AutRecord{3001, 3001, 1, "/app", 0, "", ""};
  s.spawn_count = 1;
  write_state_file(file_, s);
  guard.observe("live", "live/breaks");
  ExitRecord e;
  e.pid = 3001;
  e.signaled = true;
  e.signal = SIGABRT;
  s.last_exit = e;
  s.status = AutStatus::Dead;
  write_state_file(file_, s);
  guard.observe("live", "live/breaks");  // the death, seen before the next entry
  s.owner = {12399, 43};
  s.owner_name = "livegui-aut";
  s.aut = AutRecord{3002, 3002, 1, "/app", 0, "", ""};
  s.spawn_count = 2;
  s.status = AutStatus::Healthy;
  s.last_respawn_reason = "AUT pid 3001 recorded in … is gone (killed by SIGABRT)";
  write_state_file(file_, s);
  guard.observe("live", "live/next");
  auto counts = guard.take_counts();
  EXPECT_EQ(counts.spawns, 2);
  EXPECT_EQ(counts.respawns, 0);
  EXPECT_EQ(guard.timeline().back().event, TimelineKind::Spawn);
  EXPECT_EQ(guard.timeline().back().reason,
            "started by livegui-aut (AUT pid 3001 recorded in … is gone (killed by SIGABRT))");

  // A guest that replaces an AUT it found unfit (not seen dead) respawns it.
  s.owner = {12400, 44};
  s.owner_name = "guest";
  s.last_exit->pid = 3002;
  s.aut = AutRecord{3003, 3003, 1, "/app", 0, "", ""};
  s.spawn_count = 3;
  write_state_file(file_, s);
  guard.observe("live", "live/later");
  EXPECT_EQ(guard.take_counts().respawns, 1);
}

TEST_F(BatcherStateGuard, RecordsSpawnsDeathsAndRespawnsInTheTimeline) {
  StateGuard guard({file_, 1s, 1s});
  StateFile s;
  s.owner = {12345, 42};
  s.owner_name = "test_live";
  s.status = AutStatus::Healthy;
  AutRecord a;
  a.pid = 2001;
  a.pgid = 2001;
  a.start_time = 1;
  s.aut = a;
  s.spawn_count = 1;
  write_state_file(file_, s);
  guard.observe("live", "live/test_live");

  ExitRecord e;
  e.pid = 2001;
  e.status = "killed by SIGABRT";
  e.signaled = true;
  e.signal = SIGABRT;
  e.during_test = "A.b";
  s.last_exit = e;
  s.aut->pid = 2002;
  s.aut->pgid = 2002;
  s.spawn_count = 2;
  s.last_respawn_reason = "AUT pid 2001 died during A.b (killed by SIGABRT)";
  write_state_file(file_, s);
  guard.observe("live", "live/test_live");
  guard.observe("live", "live/test_live");  // nothing new

  auto counts = guard.take_counts();
  EXPECT_EQ(counts.spawns, 2);
  EXPECT_EQ(counts.respawns, 1);
  std::vector<std::string> events;
  for (const auto& ev : guard.timeline()) events.push_back(to_string(ev.event));
  EXPECT_EQ(events, (std::vector<std::string>{"spawn", "death", "respawn"}));
  EXPECT_EQ(guard.timeline()[2].reason, "AUT pid 2001 died during A.b (killed by SIGABRT) (by test_live)");
  EXPECT_EQ(guard.timeline()[1].pid, 2001);

  // Another owner (a test binary attached in session scope) writing about the
  // same AUT is not a new start; its clean stop is recorded once.
  s.owner = {12399, 43};
  s.owner_name = "guest";
  s.status = AutStatus::Stopped;
  write_state_file(file_, s);
  guard.observe("live", "live/guest");
  write_state_file(file_, s);
  guard.observe("live", "live/guest");
  EXPECT_EQ(guard.take_counts().spawns, 0);
  ASSERT_EQ(guard.timeline().size(), 4u);
  EXPECT_EQ(guard.timeline()[3].event, TimelineKind::Stopped);
  EXPECT_EQ(guard.timeline()[3].reason, "stopped by guest");

  // The state is fresh (written during the window) and the AUT is gone.
  s.status = AutStatus::Dead;
  s.last_exit->pid = 2002;
  write_state_file(file_, s);
  auto out = guard.check(ctx(now_ms() - 60'000), "live/test_live");
  EXPECT_EQ(out.verdict.kind, StateVerdictKind::Dead);
  EXPECT_EQ(guard.check(ctx(now_ms() - 60'000), "live/test_live").verdict.kind, StateVerdictKind::Clean)
      << "a state is reported once";
}

}  // namespace
}  // namespace livegui::batch
