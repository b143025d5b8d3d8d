#include "sample_app/io_pool.hpp"

#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "sample_app/app_model.hpp"
#include "sample_app/faults.hpp"

namespace sample_app {
namespace {

TEST(IoPool, RunsJobsOnWorkers) {
  IoPool pool(2);
  std::promise<std::thread::id> ran_on;
  pool.submit([&] { ran_on.set_value(std::this_thread::get_id()); });
  auto fut = ran_on.get_future();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_NE(fut.get(), std::this_thread::get_id());
}

TEST(IoPool, RefusesWorkAfterShutdown) {
  IoPool pool(1);
  pool.shutdown();
  EXPECT_TRUE(pool.is_shut_down());
  try {
    pool.submit([] {});
    FAIL() << "submit after shutdown must throw";
  } catch (const IoPoolShutDown& e) {
    EXPECT_STREQ(e.what(), "cannot schedule new work: io pool shut down");
  }
  EXPECT_EQ(pool.busy(), 0);
}

TEST(IoPool, AThrowingJobDoesNotKillTheWorker) {
  IoPool pool(1);
  pool.submit([] { throw std::runtime_error("job failed"); });
  std::promise<void> second;
  pool.submit([&] { second.set_value(); });
  EXPECT_EQ(second.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(Mailbox, RunsPostedWorkWhenDrained) {
  Mailbox box;
  int n = 0;
  box.post([&] { ++n; });
  box.post([&] { n += 10; });
  EXPECT_EQ(n, 0);
  box.drain();
  EXPECT_EQ(n, 11);
}

TEST(AppModel, StateSnapshotHasTheProtocolValues) {
  AppModel model;
  model.name = "demo";
  model.counter = 4;
  auto j = model.to_json(17, 2);
  EXPECT_EQ(j["frame"], 17);
  EXPECT_EQ(j["busy_jobs"], 2);
  EXPECT_EQ(j["values"]["project"], "untitled");
  EXPECT_EQ(j["values"]["name"], "demo");
  EXPECT_EQ(j["values"]["counter"], 4);
}

TEST(Faults, KindsRoundTrip) {
  for (const char* name : {"assert", "crash", "segv", "hang", "exit", "ignore-sigterm", "spawn-grandchild"}) {
    auto kind = parse_fault_kind(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_STREQ(to_string(*kind), name);
  }
  EXPECT_FALSE(parse_fault_kind("meteor").has_value());
}

TEST(Faults, AssertThrowsWithTheExpression) {
  FaultInjector faults;
  faults.schedule(FaultKind::Assert);
  try {
    faults.fire_pending();
    FAIL() << "expected AssertionFailure";
  } catch (const AssertionFailure& e) {
    EXPECT_NE(std::string(e.what()).find("assertion failed: simulation_state_consistent"), std::string::npos);
  }
  faults.fire_pending();  // fired once only
}

}  // namespace
}  // namespace sample_app
