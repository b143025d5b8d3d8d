// unit tier: the io pool whose shutdown is the heart of the demo's failure.
#include <future>

#include <gtest/gtest.h>

#include "sample_app/io_pool.hpp"

namespace {

TEST(IoPool, CompletesSubmittedWork) {
  sample_app::IoPool pool(2);
  std::promise<int> result;
  pool.submit([&] { result.set_value(42); });
  auto fut = result.get_future();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(fut.get(), 42);
}

TEST(IoPool, ShutDownPoolRefusesNewWork) {
  sample_app::IoPool pool(1);
  pool.shutdown();
  EXPECT_THROW(pool.submit([] {}), sample_app::IoPoolShutDown);
}

}  // namespace
